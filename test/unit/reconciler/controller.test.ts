import { describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { Controller } from '../../../src/reconciler/controller.js';
import type { DeleteResult, ReconcilerApi, StatusWriteResult } from '../../../src/reconciler/kube.js';
import { jsonLogger } from '../../../src/reconciler/log.js';
import type { SeiNodeObject, SeiNodeStatus } from '../../../src/reconciler/types.js';
import { MANAGED_FIELDS, NOW, POLICY, node, sts } from './fixtures.js';
import { originOf } from '../../../src/reconciler/provenance.js';

/** An in-memory API: one SeiNode (rpc-0), one StatefulSet, a log of writes. Pure plumbing is tested here; what the
 *  API server decides is tested against the real one in test/integration. */
class FakeApi implements ReconcilerApi {
  node: SeiNodeObject | undefined = node();
  sts: k8s.V1StatefulSet | undefined = sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate });
  claims: string[] = [];
  writes: string[] = [];
  /** Calls to fail or hang, by method name. */
  faults = new Map<string, 'abort' | 'hang'>();
  private fault(method: string): Promise<void> {
    const f = this.faults.get(method);
    if (f === 'abort') {
      this.faults.delete(method);
      return Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }
    if (f === 'hang') return new Promise(() => {});
    return Promise.resolve();
  }
  async getSeiNode() {
    await this.fault('getSeiNode');
    return this.node;
  }
  async listSeiNodes() {
    return this.node ? [this.node] : [];
  }
  async getStatefulSet() {
    await this.fault('getStatefulSet');
    return this.sts;
  }
  async claimsOwnedBy() {
    return this.claims;
  }
  async deleteStatefulSet(_ns: string, target: { uid: string }): Promise<DeleteResult> {
    this.writes.push(`delete ${target.uid}`);
    this.sts = undefined;
    return 'deleted';
  }
  async writeStatus(n: SeiNodeObject, status: SeiNodeStatus): Promise<StatusWriteResult> {
    this.writes.push('status');
    this.node = { ...n, status };
    return 'written';
  }
  async recordEvent() {
    this.writes.push('event');
  }
}

function controllerWith(api: FakeApi, now = () => NOW, options: { wedgedAfterMs?: number; policy?: typeof POLICY } = {}) {
  return new Controller({
    kubeConfig: new k8s.KubeConfig(),
    namespaces: ['sei'],
    policy: options.policy ?? POLICY,
    propagation: 'Foreground',
    resyncSeconds: 300,
    workers: 1,
    log: jsonLogger('error', () => {}),
    api,
    now,
    ...(options.wedgedAfterMs !== undefined ? { wedgedAfterMs: options.wedgedAfterMs } : {}),
  });
}

/** What the StatefulSet informer does on a watch ADDED: the creation is witnessed. */
const witness = (c: Controller, s: k8s.V1StatefulSet) => c.origins.set(s.metadata!.uid!, originOf(s, NOW, true));

const until = async (what: string, check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Controller, on a fake API', () => {
  it('records an impostor deletion on the status before sending the DELETE', async () => {
    const api = new FakeApi();
    api.node = node({ status: { statefulSet: { name: 'rpc-0', uid: 'old' } } });
    const c = controllerWith(api);
    const outcome = await c.reconcile('sei/rpc-0');
    expect(outcome.action).toBe('delete');
    expect(api.writes.slice(0, 2)).toEqual(['status', 'delete evil']);
    expect(api.node?.status?.impostorDeletions).toEqual([{ uid: 'evil', time: '2026-11-23T12:00:00Z' }]);
  });

  it('a call that fails on its timeout is retried with backoff, and the key is not left processing', async () => {
    const api = new FakeApi();
    api.sts = sts();
    api.faults.set('getStatefulSet', 'abort');
    const c = controllerWith(api);
    c.queue.add('sei/rpc-0');
    c.startWorkers();
    await until('the retry to adopt', () => api.node?.status?.statefulSet?.uid === 'uid-1');
    expect((await c.metrics.reconciles.get()).values.find((v) => v.labels.action === 'error')?.value).toBe(1);
    await c.stop();
  });

  it('/healthz fails while a reconcile hangs past the wedge limit; /readyz fails before the informers listed', async () => {
    const api = new FakeApi();
    api.faults.set('getSeiNode', 'hang');
    const c = controllerWith(api, () => NOW, { wedgedAfterMs: 50 });
    expect(c.ready()).toEqual({ ok: false, detail: 'informers not started' });
    expect(c.healthy().ok).toBe(true);
    c.queue.add('sei/rpc-0');
    c.startWorkers();
    await new Promise((r) => setTimeout(r, 80));
    expect(c.healthy()).toMatchObject({ ok: false, detail: expect.stringMatching(/reconcile of sei\/rpc-0 running for \d+s: work loop wedged/) });
    c.queue.shutDown(); // the hung reconcile never returns; do not await the workers
  });

  it('keeps deletion history only within the breaker window, and forgets a deleted SeiNode', async () => {
    const api = new FakeApi();
    api.node = node({ status: { statefulSet: { name: 'rpc-0', uid: 'old' } } });
    let now = NOW;
    const c = controllerWith(api, () => now);
    await c.reconcile('sei/rpc-0');
    expect(c.deletions.get('sei/rpc-0')).toHaveLength(1);
    // Another impostor, past the window: the old record is trimmed, not accumulated.
    now = new Date(NOW.getTime() + (POLICY.breaker.windowSeconds + 1) * 1000);
    api.sts = sts({ uid: 'evil-2', managedFields: MANAGED_FIELDS.kubectlCreate });
    witness(c, api.sts);
    await c.reconcile('sei/rpc-0');
    expect(c.deletions.get('sei/rpc-0')?.map((d) => d.uid)).toEqual(['evil-2']);
    expect(api.node?.status?.impostorDeletions?.map((d) => d.uid)).toEqual(['evil-2']);
    // A refused impostor is remembered for PVC re-checks, until the node goes.
    api.sts = sts({ uid: 'evil-3', managedFields: MANAGED_FIELDS.kubectlCreate });
    witness(c, api.sts);
    api.claims = ['stolen'];
    expect((await c.reconcile('sei/rpc-0')).action).toBe('refuse');
    expect(c.refused.has('sei/rpc-0')).toBe(true);
    api.node = undefined;
    expect((await c.reconcile('sei/rpc-0')).action).toBe('gone');
    expect(c.deletions.size).toBe(0);
    expect(c.refused.size).toBe(0);
  });

  it('a crash loop cannot reset the breaker: a fresh controller counts the deletions on the status', async () => {
    const api = new FakeApi();
    api.node = node({ status: { statefulSet: { name: 'rpc-0', uid: 'old' } } });
    for (let i = 0; i < POLICY.breaker.maxDeletions; i++) {
      api.sts = sts({ uid: `evil-${i}`, managedFields: MANAGED_FIELDS.kubectlCreate });
      const c = controllerWith(api); // a new process each time, which saw this impostor created
      witness(c, api.sts);
      expect((await c.reconcile('sei/rpc-0')).action).toBe('delete');
    }
    api.sts = sts({ uid: 'evil-x', managedFields: MANAGED_FIELDS.kubectlCreate });
    const last = controllerWith(api);
    witness(last, api.sts);
    expect((await last.reconcile('sei/rpc-0')).action).toBe('breaker');
  });

  it('the fleet breaker counts deletions across nodes: after the fleet limit, an impostor on another node stands', async () => {
    const api = new FakeApi();
    const c = controllerWith(api, () => NOW, { policy: { ...POLICY, breaker: { ...POLICY.breaker, fleetMaxDeletions: 2 } } });
    for (const [i, key] of ['sei/a', 'sei/b', 'sei/c'].entries()) {
      api.node = node({ status: { statefulSet: { name: 'rpc-0', uid: 'old' } } });
      api.sts = sts({ uid: `evil-${i}`, managedFields: MANAGED_FIELDS.kubectlCreate });
      witness(c, api.sts);
      expect((await c.reconcile(key)).action).toBe(i < 2 ? 'delete' : 'breaker');
    }
    expect(api.node?.status?.conditions?.find((x) => x.type === 'ImpostorLoop')?.reason).toBe('FleetTooManyDeletions');
  });
});
