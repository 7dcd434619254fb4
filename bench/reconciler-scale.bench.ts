/**
 * The reconciler at fleet scale, against the real control plane (the test harness: etcd, kube-apiserver,
 * kube-controller-manager with the StatefulSet controller making Pods), the reconciler as its real CLI in a child
 * process (so RSS and CPU are its own), N SeiNodes + StatefulSets server-side applied under argocd-controller.
 *   tsx bench/reconciler-scale.bench.ts          SCALE_NODES (1000), SCALE_STEADY_S (60), SCALE_IMPOSTORS (30)
 * Prints one JSON object (the figures) on stdout; progress on stderr.
 */
import * as k8s from '@kubernetes/client-node';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { buildApp } from '../src/fleet.js';
import { freePort, startControlPlane } from '../test/kube/controlplane.js';

const ROOT = resolve(import.meta.dirname, '..');
const N = Number(process.env.SCALE_NODES ?? 1000);
const STEADY_S = Number(process.env.SCALE_STEADY_S ?? 60);
const IMPOSTORS = Number(process.env.SCALE_IMPOSTORS ?? 30);
const RESYNC_S = 15;
const NS = 'scale';
const say = (m: string) => process.stderr.write(`[scale ${N}] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const cp = await startControlPlane({ verbose: false });
const dir = mkdtempSync(join(tmpdir(), 'sei-scale-'));
let child: ChildProcess | undefined;
try {
  const kubectl = (args: string[]) => {
    const r = spawnSync(cp.kubectl, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: cp.kubeconfigPath }, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const nodes = Array.from({ length: N }, (_, i) => ({
    name: `node-${i}`,
    chainId: 'atlantic-2',
    image: 'ghcr.io/sei-protocol/sei:v6.1.0',
    allowImageTag: true,
    fullNode: {},
    bootstrap: { none: {} },
    paused: i % 7 === 0,
  }));
  const objects = buildApp([{ namespace: NS, nodes }], undefined, { admissionPolicy: false }).charts.flatMap((c) => c.toJson() as { kind: string }[]);
  const file = (name: string, kinds: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, objects.filter((o) => kinds.includes(o.kind)).map((o) => stringify(o)).join('---\n'));
    return path;
  };
  kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-f', file('crd.yaml', ['CustomResourceDefinition'])]);
  kubectl(['wait', '--for=condition=Established', 'crd/seinodes.sei.io']);
  kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-f', file('ns.yaml', ['Namespace'])]);
  const fleet = file('fleet.yaml', ['SeiNode', 'StatefulSet']);

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const port = await freePort();
  const metrics = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sum = (name: string, label?: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(name) && (label === undefined || l.includes(label)))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    return {
      requests: sum('seinode_reconciler_api_requests_total'),
      watches: sum('seinode_reconciler_api_requests_total', 'method="WATCH"'),
      statusWrites: sum('seinode_reconciler_writes_total', 'kind="status"'),
      writes: sum('seinode_reconciler_writes_total'),
      rssMB: sum('process_resident_memory_bytes') / 2 ** 20,
      heapMB: sum('nodejs_heap_size_used_bytes') / 2 ** 20,
      cpuS: sum('process_cpu_seconds_total'),
    };
  };
  const tracked = async () => {
    const list = (await custom.listNamespacedCustomObject({ group: 'sei.io', version: 'v1alpha1', plural: 'seinodes', namespace: NS })) as {
      items: { status?: { statefulSet?: { uid: string } } }[];
    };
    return list.items.filter((o) => o.status?.statefulSet?.uid).length;
  };
  const ready = async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;

  // 1. GitOps applies the fleet, then the reconciler starts (a first install).
  say(`applying ${N} SeiNodes + StatefulSets`);
  const tApply = performance.now();
  kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-f', fleet]);
  const applySeconds = (performance.now() - tApply) / 1000;
  say(`applied in ${applySeconds.toFixed(1)} s; starting the reconciler`);
  const tStart = performance.now();
  // SCALE_CLI=lib: the compiled CLI the image runs (npm run build); else the tsx entry point.
  const cli = process.env.SCALE_CLI === 'lib' ? join(ROOT, 'lib/reconciler/main.js') : join(ROOT, 'bin/seinode-reconciler.js');
  child = spawn(
    process.execPath,
    // The breakers would rightly stop a stream of impostors; this measures latency, so they are opened wide.
    [cli, '--leader-elect=false', '--breaker-max=1000', '--fleet-breaker-max=1000', '--namespace', NS, '--metrics-addr', `127.0.0.1:${port}`, '--resync', `${RESYNC_S}s`, '--log-level', 'warn'],
    // SCALE_NODE_OPTIONS: the V8 flags the deployed container runs with (the SeiNodeReconciler construct's NODE_OPTIONS).
    { env: { ...process.env, KUBECONFIG: cp.kubeconfigPath, NODE_OPTIONS: process.env.SCALE_NODE_OPTIONS ?? '' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  while ((await tracked()) < N) {
    if (performance.now() - tStart > 300_000) throw new Error('not all tracked within 300 s');
    await sleep(250);
  }
  const trackedFromStart = (performance.now() - tStart) / 1000;
  const trackedFromApply = (performance.now() - tApply) / 1000;
  await sleep(3000); // in-flight Events land
  const afterSync = await metrics();
  say(`all tracked ${trackedFromStart.toFixed(1)} s after start; ${afterSync.requests} requests, ${afterSync.statusWrites} status writes`);

  // 2. Steady state: nothing changes; resyncs every RESYNC_S.
  const s0 = await metrics();
  await sleep(STEADY_S * 1000);
  const s1 = await metrics();
  const resyncs = Math.floor(STEADY_S / RESYNC_S);
  say(`steady ${STEADY_S} s: ${s1.writes - s0.writes} writes, ${s1.requests - s0.requests} requests, ${(s1.cpuS - s0.cpuS).toFixed(2)} s CPU`);

  // 3. Impostors under load: replace a random running node's StatefulSet with a kubectl-create copy.
  const impostorMs: number[] = [];
  // Running nodes (not paused), spread over the fleet; the last one is kept for the restart below.
  const running = nodes.filter((n) => !n.paused).map((n) => n.name);
  const victims = Array.from({ length: Math.min(IMPOSTORS, running.length - 1) }, (_, k) => running[Math.floor((k * (running.length - 1)) / IMPOSTORS)]);
  for (const name of victims) {
    const body = (await apps.readNamespacedStatefulSet({ name, namespace: NS })) as k8s.V1StatefulSet;
    await apps.deleteNamespacedStatefulSet({ name, namespace: NS, body: { propagationPolicy: 'Background' } });
    while (await apps.readNamespacedStatefulSet({ name, namespace: NS }).catch(() => undefined)) await sleep(20);
    await sleep(200);
    const copy = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: NS, labels: body.metadata!.labels, annotations: body.metadata!.annotations }, spec: body.spec };
    const t0 = performance.now();
    await apps.createNamespacedStatefulSet({ namespace: NS, body: copy as k8s.V1StatefulSet, fieldManager: 'kubectl-create' });
    for (;;) {
      const s = await apps.readNamespacedStatefulSet({ name, namespace: NS }).catch(() => undefined);
      if (!s || s.metadata?.deletionTimestamp) break;
      if (performance.now() - t0 > 30_000) throw new Error(`impostor ${name} not deleted within 30 s`);
      await sleep(10);
    }
    impostorMs.push(performance.now() - t0);
  }
  impostorMs.sort((a, b) => a - b);
  const pct = (p: number) => impostorMs[Math.min(impostorMs.length - 1, Math.ceil((p / 100) * impostorMs.length) - 1)];

  // 4. The API server restarts: how long until the reconciler watches again, and does it still catch an impostor?
  const before = await metrics();
  await cp.restartApiServer();
  const tUp = performance.now();
  // Reconnected: all three informers (SeiNodes, StatefulSets, PVCs) watch again and /readyz is ok.
  while (!(await ready()) || (await metrics()).watches < before.watches + 3) {
    if (performance.now() - tUp > 120_000) throw new Error('reconciler not ready within 120 s of the API server restart');
    await sleep(100);
  }
  const reconnectSeconds = (performance.now() - tUp) / 1000;
  const name = running[running.length - 1];
  const body = (await apps.readNamespacedStatefulSet({ name, namespace: NS })) as k8s.V1StatefulSet;
  await apps.deleteNamespacedStatefulSet({ name, namespace: NS, body: { propagationPolicy: 'Background' } });
  while (await apps.readNamespacedStatefulSet({ name, namespace: NS }).catch(() => undefined)) await sleep(20);
  await sleep(200);
  const t0 = performance.now();
  await apps.createNamespacedStatefulSet({
    namespace: NS,
    body: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: NS, labels: body.metadata!.labels, annotations: body.metadata!.annotations }, spec: body.spec } as k8s.V1StatefulSet,
    fieldManager: 'kubectl-create',
  });
  let afterRestartMs: number | undefined;
  while (performance.now() - t0 < 30_000) {
    const s = await apps.readNamespacedStatefulSet({ name, namespace: NS }).catch(() => undefined);
    if (!s || s.metadata?.deletionTimestamp) {
      afterRestartMs = performance.now() - t0;
      break;
    }
    await sleep(10);
  }
  const after = await metrics();

  const result = {
    nodes: N,
    applySeconds,
    trackedFromStart,
    trackedFromApply,
    firstSyncRequestsPerNode: afterSync.requests / N,
    firstSyncStatusWritesPerNode: afterSync.statusWrites / N,
    rssMB: afterSync.rssMB,
    heapMB: afterSync.heapMB,
    steadySeconds: STEADY_S,
    steadyWrites: s1.writes - s0.writes,
    resyncRequestsPerNode: (s1.requests - s0.requests) / (resyncs * N),
    resyncCpuSeconds: (s1.cpuS - s0.cpuS) / resyncs,
    impostors: impostorMs.length,
    impostorP50Ms: pct(50),
    impostorP99Ms: pct(99),
    reconnectSeconds,
    impostorAfterRestartMs: afterRestartMs ?? null,
    restartWatchRequests: after.requests - before.requests,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  child?.kill('SIGTERM');
  await cp.stop();
  rmSync(dir, { recursive: true, force: true });
}
