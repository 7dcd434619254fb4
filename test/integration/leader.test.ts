import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { App, Chart } from 'cdk8s';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { freePort } from '../kube/controlplane.js';
import { join } from 'node:path';
import { SeiNodeReconciler } from '../../src/constructs/reconciler.js';
import { eventually, kubeConfig, kubectl, kubectlOk, useNamespace } from './helpers/cluster.js';
import { ARGO, Live, installCrd, kubectlCreate, nodeProps, statefulSetOf, sync } from './helpers/gitops.js';
import { ROOT, toYaml, type Manifest } from './helpers/manifests.js';

beforeAll(installCrd, 90_000);

// Short enough for a test, long enough to tell a release (≤ one jittered retry, 2.2 s) from an expiry (≥ 8 s).
// SEI_LEADER_TIMING=15,10,2 measures with the production defaults (lease, renew, retry in seconds).
const [LEASE_S, RENEW_S, RETRY_S] = (process.env.SEI_LEADER_TIMING ?? '8,4,1').split(',').map(Number);
/** After a release the follower leads at its next jittered retry (≤ 2.2 retries), well before the lease would expire. */
const RELEASE_BOUND_MS = 2.2 * RETRY_S * 1000 + 1500;
/** client-go's bound after a SIGKILL: the follower saw the last renew ≤ 2.2 retries late, then retries ≤ 2.2 after expiry. */
const TAKEOVER_BOUND_MS = (LEASE_S + 2 * 2.2 * RETRY_S) * 1000 + 1000;

interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<number | null>;
  log: string;
}

/** `seinode_reconciler_<metric>` summed over its label sets, from the replica's /metrics. */
async function metric(r: Replica, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${r.port}/metrics`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`seinode_reconciler_${name}`) && !l.startsWith('#'))
    .filter((l) => l.split(/[{ ]/)[0] === `seinode_reconciler_${name}`)
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/**
 * Two (and more) reconciler processes, as the Deployment runs them: each with the synthesized ServiceAccount's own
 * token (from `kubectl create token`), its Role and ClusterRole as rendered by SeiNodeReconciler.
 */
describe('leader election between reconciler processes, on the synthesized ServiceAccount', () => {
  const ns = useNamespace('leader');
  let system = '';
  let name = '';
  let kubeconfigPath = '';
  const replicas: Replica[] = [];
  const live = () => new Live(ns.name);
  const lease = () => kubeConfig().makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name, namespace: system });

  beforeAll(async () => {
    system = `${ns.name}-sys`;
    name = `seinode-reconciler-${ns.name}`;
    const chart = new Chart(new App(), 'r', { namespace: system });
    new SeiNodeReconciler(chart, 'reconciler', { namespace: system, name, image: 'example.invalid/seinode-reconciler:test', watchNamespaces: [ns.name] });
    await kubectlOk([...ARGO, '-f', '-'], { input: toYaml(chart.toJson() as Manifest[]) });
    const token = (await kubectlOk(['create', 'token', name, '-n', system, '--duration=1h'])).trim();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: process.env.SEI_KUBE_SERVER!, caFile: process.env.SEI_KUBE_CA! }],
      users: [{ name, token }],
      contexts: [{ name: 'c', cluster: 'c', user: name }],
      currentContext: 'c',
    });
    kubeconfigPath = join(process.env.SEI_KUBE_DIR!, `${name}.kubeconfig`);
    writeFileSync(kubeconfigPath, kc.exportConfig());
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await kubectl(['delete', 'namespace', system, '--wait=false']);
    await kubectl(['delete', 'clusterrolebinding,clusterrole', name]);
  });

  async function startReplica(podName: string): Promise<Replica> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/seinode-reconciler.js'),
        '--kubeconfig', kubeconfigPath,
        '--namespace', ns.name,
        '--leader-election-namespace', system,
        '--leader-election-id', name,
        `--lease-duration=${LEASE_S}s`, `--renew-deadline=${RENEW_S}s`, `--retry-period=${RETRY_S}s`,
        '--grace=5s',
        // Five failovers delete five impostors of one node, and the churn breaker's count survives a change of leader
        // (it is kept on the SeiNode status): raise it, this file is about failover.
        '--breaker-max=20',
        `--metrics-addr=127.0.0.1:${port}`,
      ],
      { env: { ...process.env, HOSTNAME: podName }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const r: Replica = { name: podName, child, port, log: '', exited: new Promise((res) => child.once('exit', (code) => res(code))) };
    child.stderr!.on('data', (d) => {
      r.log += d;
      if (process.env.SEI_TEST_LOGS) process.stderr.write(`[${podName}] ${d}`);
    });
    replicas.push(r);
    await eventually(`${podName} serving metrics`, async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).ok, 30_000);
    return r;
  }

  const leaders = async (rs: Replica[]) => {
    const flags = await Promise.all(rs.map((r) => metric(r, 'leader').catch(() => -1)));
    return rs.filter((_, i) => flags[i] === 1);
  };
  const holder = async () => (await lease()).spec?.holderIdentity ?? '';

  /** Makes an impostor under the node's name: the GitOps StatefulSet deleted, a same-spec one made by kubectl create. */
  async function impostor(node: string): Promise<string> {
    await live().deleteStsAndWait(node);
    await kubectlCreate(statefulSetOf(ns.name, nodeProps(node)));
    return (await live().sts(node))!.metadata!.uid!;
  }
  const deleted = async (node: string, uid: string) => {
    const s = await live().sts(node);
    return !s || s.metadata?.uid !== uid || s.metadata?.deletionTimestamp !== undefined;
  };

  let pair: Replica[] = [];

  it('exactly one of two leads; the follower makes zero writes (status, deletes, Events, Lease) while the leader adopts', async () => {
    await sync(ns.name, nodeProps('guarded'));
    pair = [await startReplica('reconciler-a'), await startReplica('reconciler-b')];
    const [leader] = await eventually('a leader', async () => ((await leaders(pair)).length === 1 ? leaders(pair) : false), 20_000);
    expect(await holder()).toMatch(new RegExp(`^${leader.name}_[0-9a-f]{8}$`));
    const node = await eventually('the leader adopts guarded', async () => (await live().node('guarded')).status?.statefulSet, 20_000);
    expect(node.uid).toBe((await live().sts('guarded'))!.metadata!.uid);

    // A few renew periods: one leader all along, and the follower wrote nothing at all.
    await new Promise((r) => setTimeout(r, 3 * RETRY_S * 1000));
    const follower = pair.find((r) => r !== leader)!;
    expect((await leaders(pair)).map((r) => r.name)).toEqual([leader.name]);
    expect(await metric(follower, 'writes_total')).toBe(0);
    expect(await metric(follower, 'lease_writes_total')).toBe(0);
    expect(await metric(follower, 'reconciles_total')).toBe(0);
    expect(await metric(leader, 'writes_total')).toBeGreaterThan(0);
    expect(await metric(leader, 'lease_writes_total')).toBeGreaterThan(1);
  }, 90_000);

  it('SIGKILL the leader: the follower takes over within the lease duration (+ client-go retry jitter) and deletes a fresh impostor; 5 failovers measured', async () => {
    const failovers: number[] = [];
    for (let round = 0; round < 5; round++) {
      const [leader] = await eventually('a leader', async () => ((await leaders(pair)).length === 1 ? leaders(pair) : false), 20_000);
      const follower = pair.find((r) => r !== leader)!;
      const killedAt = Date.now();
      leader.child.kill('SIGKILL');
      await leader.exited;
      const uid = await impostor('guarded');
      await eventually('the follower leads', async () => (await metric(follower, 'leader')) === 1, TAKEOVER_BOUND_MS + 5000, 50);
      const ledAt = Date.now();
      await eventually('the new leader deletes the impostor', () => deleted('guarded', uid), 20_000, 50);
      const deletedAt = Date.now();
      expect(ledAt - killedAt).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
      expect(await holder()).toMatch(new RegExp(`^${follower.name}_`));
      failovers.push(deletedAt - killedAt);
      // GitOps puts its StatefulSet back; a new replica joins as the follower.
      await live().deleteStsAndWait('guarded');
      await sync(ns.name, nodeProps('guarded'));
      pair = [follower, await startReplica(`reconciler-${round}`)];
    }
    const sorted = [...failovers].sort((a, b) => a - b);
    process.stderr.write(
      `failover SIGKILL → impostor deleted by the new leader (lease ${LEASE_S}s, renew ${RENEW_S}s, retry ${RETRY_S}s): ` +
        `median ${sorted[2]} ms, all ${failovers.join(', ')} ms\n`,
    );
  }, 5 * (TAKEOVER_BOUND_MS + 30_000));

  it('SIGTERM releases the Lease at once: the follower leads well before the lease would have expired', async () => {
    const [leader] = await eventually('a leader', async () => ((await leaders(pair)).length === 1 ? leaders(pair) : false), 20_000);
    const follower = pair.find((r) => r !== leader)!;
    const termAt = Date.now();
    leader.child.kill('SIGTERM');
    expect(await leader.exited).toBe(0);
    expect(leader.log).toMatch(/released the Lease/);
    await eventually('the follower leads', async () => (await metric(follower, 'leader')) === 1, LEASE_S * 1000, 50);
    expect(Date.now() - termAt).toBeLessThan(RELEASE_BOUND_MS);
    expect(RELEASE_BOUND_MS).toBeLessThan((LEASE_S * 1000) / 2);
    const uid = await impostor('guarded');
    await eventually('the new leader deletes the impostor', () => deleted('guarded', uid), 20_000, 50);
  }, 60_000);

  it('outside a pod, without --leader-election-namespace, it says what to pass and exits 2', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--kubeconfig', kubeconfigPath, '--namespace', ns.name], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--leader-election-namespace is required outside a pod \(.*serviceaccount\/namespace does not exist\), or pass --leader-elect=false/);
  }, 30_000);

  it('a leader that cannot renew stops and exits 1 within the renew deadline', async () => {
    const [leader] = await eventually('a leader', async () => ((await leaders(pair)).length === 1 ? leaders(pair) : false), 20_000);
    // Take its Lease rights away: renewals are refused (403) from now on.
    const cutAt = Date.now();
    await kubectlOk(['delete', 'rolebinding', `${name}-leader-election`, '-n', system]);
    expect(await leader.exited).toBe(1);
    expect(Date.now() - cutAt).toBeLessThan((RENEW_S + RETRY_S) * 1000 + 2000);
    expect(leader.log).toMatch(/lost leadership/);
  }, 60_000);
});
