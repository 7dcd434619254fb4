import { beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { keyOf } from '../../src/reconciler/controller.js';
import { KUBECONFIG, eventually, useNamespace } from './helpers/cluster.js';
import { Live, installCrd, kubectlCreate, nodeProps, statefulSetOf, sync } from './helpers/gitops.js';
import { ROOT } from './helpers/manifests.js';
import { controllerFor } from './helpers/reconciler.js';

beforeAll(installCrd, 90_000);

describe('the impostor is replaced between the reconciler\'s GET and its DELETE', () => {
  const ns = useNamespace('race');

  it('the uid precondition fails (409), nothing wrong is deleted, and the next pass adopts the GitOps StatefulSet', async () => {
    const live = new Live(ns.name);
    const controller = controllerFor(ns.name); // not started: this test drives reconcile() by hand
    await sync(ns.name, nodeProps('swap'));
    // Track GitOps' StatefulSet first: a replaced tracked one is what makes a found impostor deletable.
    expect((await controller.reconcile(keyOf({ metadata: { namespace: ns.name, name: 'swap' } }))).action).toBe('adopt');
    await live.deleteStsAndWait('swap');
    await kubectlCreate(statefulSetOf(ns.name, nodeProps('swap')));
    const impostorUid = (await live.sts('swap'))!.metadata!.uid!;

    // Between the decision and the DELETE, GitOps wins the race: the impostor goes and the real one takes its name.
    const realDelete = controller.api.deleteStatefulSet.bind(controller.api);
    const attempts: { uid: string; result: string }[] = [];
    controller.api.deleteStatefulSet = async (namespace, target, propagation) => {
      if (attempts.length === 0) {
        await live.deleteStsAndWait('swap');
        await sync(ns.name, nodeProps('swap'));
      }
      const result = await realDelete(namespace, target, propagation);
      attempts.push({ uid: target.uid, result });
      return result;
    };
    const gitopsUidAfterSwap = async () => (await live.sts('swap'))!.metadata!.uid!;

    const first = await controller.reconcile(keyOf({ metadata: { namespace: ns.name, name: 'swap' } }));
    expect(first.action).toBe('conflict');
    expect(attempts).toEqual([{ uid: impostorUid, result: 'conflict' }]);
    const gitopsUid = await gitopsUidAfterSwap();
    expect(gitopsUid).not.toBe(impostorUid);

    const second = await controller.reconcile(keyOf({ metadata: { namespace: ns.name, name: 'swap' } }));
    expect(second.action).toBe('adopt');
    expect(second.statefulSet).toEqual({ name: 'swap', uid: gitopsUid });
    expect(attempts).toHaveLength(1);
    expect((await live.sts('swap'))?.metadata?.uid).toBe(gitopsUid);
    expect(await controller.metrics.writeCount('delete')).toBe(1); // the one refused by the API server
  });
});

/** The CLI as a child process, its JSON log lines collected. */
function startCli(namespace: string, env: Record<string, string> = {}): { child: ChildProcess; logs: () => Record<string, unknown>[]; exited: Promise<NodeJS.Signals | number> } {
  // One process, restarted on purpose: no leader election (leader.test.ts covers it), else the restart would wait out
  // the killed process's Lease.
  const child = spawn(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--namespace', namespace, '--grace', '5s', '--leader-elect=false'], {
    env: { ...process.env, KUBECONFIG: KUBECONFIG(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | number>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const logs = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, logs, exited };
}

describe('reconciler killed right after an impostor delete', () => {
  const ns = useNamespace('kill');

  it('converges after a restart: the GitOps StatefulSet is adopted and nothing more is deleted', async () => {
    const live = new Live(ns.name);
    await sync(ns.name, nodeProps('crash'));
    const a = startCli(ns.name, { SEINODE_RECONCILER_FAULT: 'crash-after-delete' });
    try {
      const firstUid = await eventually('the node to be tracked', async () => (await live.node('crash')).status?.statefulSet?.uid, 60_000);
      await live.deleteStsAndWait('crash');
      await kubectlCreate(statefulSetOf(ns.name, nodeProps('crash')));
      const impostorUid = (await live.sts('crash'))!.metadata!.uid!;
      expect(await a.exited).toBe('SIGKILL');
      expect(a.logs().some((l) => l.msg === 'deleted impostor StatefulSet' && l.uid === impostorUid)).toBe(true);
      // Killed right after the DELETE: the status was written first, so the deletion is on record (the breakers count
      // it after a restart) and the ref is cleared.
      const statusAfterKill = (await live.node('crash')).status;
      expect(statusAfterKill?.conditions?.find((c) => c.type === 'StatefulSetTracked')?.reason).toBe('ImpostorDeleted');
      expect(statusAfterKill?.impostorDeletions?.map((d) => d.uid)).toEqual([impostorUid]);
      expect(statusAfterKill?.statefulSet).toBeUndefined();
      expect(firstUid).toBeDefined();

      await eventually('the impostor to be gone', async () => (await live.sts('crash')) === undefined, 60_000);
      await sync(ns.name, nodeProps('crash'));
      const gitopsUid = (await live.sts('crash'))!.metadata!.uid!;

      const b = startCli(ns.name);
      try {
        await eventually('the restarted reconciler to adopt', async () => (await live.node('crash')).status?.statefulSet?.uid === gitopsUid, 60_000);
        await new Promise((r) => setTimeout(r, 2000));
        expect(b.logs().filter((l) => l.msg === 'deleted impostor StatefulSet')).toEqual([]);
        expect((await live.sts('crash'))?.metadata?.uid).toBe(gitopsUid);
      } finally {
        b.child.kill('SIGTERM');
        expect(await b.exited).toBe(0);
      }
    } finally {
      a.child.kill('SIGKILL');
    }
  }, 120_000);
});
