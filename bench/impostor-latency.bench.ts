/**
 * Impostor created → impostor deleted, against a real control plane (the test harness) with the reconciler running
 * in-process. Each run creates (as field manager kubectl-create) a copy of the node's StatefulSet (copied fingerprint and labels) and times
 * until the API server reports the delete (deletionTimestamp set) and until the object is gone (Foreground: after its
 * pods). Polls every 10 ms.   npm run bench:impostor   (IMPOSTOR_RUNS=N, default 20)
 */
import * as k8s from '@kubernetes/client-node';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/fleet.js';
import { Controller } from '../src/reconciler/controller.js';
import { jsonLogger } from '../src/reconciler/log.js';
import { DEFAULT_ALLOWED_MANAGERS } from '../src/contract.js';
import { startControlPlane } from '../test/kube/controlplane.js';
import { spawnSync } from 'node:child_process';

const RUNS = Number(process.env.IMPOSTOR_RUNS ?? 20);
const NS = 'latency';
const cp = await startControlPlane();
const kubectl = (args: string[], input?: string) => {
  const r = spawnSync(cp.kubectl, args, { input, encoding: 'utf8', env: { ...process.env, KUBECONFIG: cp.kubeconfigPath } });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
try {
  const app = buildApp([{ namespace: NS, nodes: [{ name: 'victim', chainId: 'atlantic-2', image: 'ghcr.io/sei-protocol/sei:v6.1.0', allowImageTag: true, fullNode: {}, bootstrap: { none: {} } }] }], undefined, { admissionPolicy: false });
  const docs = app.charts.flatMap((c) => c.toJson() as { kind: string }[]);
  const yaml = (objs: unknown[]) => objs.map((o) => JSON.stringify(o)).join('\n---\n');
  kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], yaml(docs.filter((d) => d.kind === 'CustomResourceDefinition')));
  kubectl(['wait', '--for=condition=Established', 'crd/seinodes.sei.io']);
  kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], yaml(docs.filter((d) => d.kind !== 'CustomResourceDefinition')));
  const impostor = docs.find((d) => d.kind === 'StatefulSet')!;

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const controller = new Controller({
    kubeConfig: kc,
    namespaces: [NS],
    policy: { allowedManagers: [...DEFAULT_ALLOWED_MANAGERS], graceSeconds: 60, dryRun: false, breaker: { maxDeletions: 10_000, fleetMaxDeletions: 10_000, windowSeconds: 60 } },
    propagation: 'Foreground',
    resyncSeconds: 300,
    workers: 2,
    log: jsonLogger('error'),
  });
  await controller.start();
  const read = () => apps.readNamespacedStatefulSet({ name: 'victim', namespace: NS }).catch(() => undefined);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const waitGone = async () => {
    await apps.deleteNamespacedStatefulSet({ name: 'victim', namespace: NS, body: { propagationPolicy: 'Foreground' } }).catch(() => undefined);
    while (await read()) await sleep(20);
  };

  const toDelete: number[] = [];
  const toGone: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await waitGone();
    await sleep(300); // let the reconciler record "no StatefulSet" first, as in real life
    // A POST under kubectl's field manager name, timed from the API server's answer (a kubectl process would add
    // its own exit time to the measurement).
    await apps.createNamespacedStatefulSet({ namespace: NS, body: impostor as k8s.V1StatefulSet, fieldManager: 'kubectl-create' });
    const t0 = performance.now();
    let deleting: number | undefined;
    for (;;) {
      const s = await read();
      if (s?.metadata?.deletionTimestamp && deleting === undefined) deleting = performance.now() - t0;
      if (!s) break;
      if (performance.now() - t0 > 30_000) throw new Error(`run ${i}: impostor not deleted within 30 s`);
      await sleep(10);
    }
    toDelete.push(deleting ?? performance.now() - t0);
    toGone.push(performance.now() - t0);
  }
  await controller.stop();
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms, min ${s[0].toFixed(0)} ms`;
  };
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, kube-apiserver ${cp.binaries.kubernetesVersion}`);
  console.log(`impostor created → delete accepted (deletionTimestamp): ${stats(toDelete)}  (${RUNS} runs)`);
  console.log(`impostor created → gone (Foreground, after its pods):    ${stats(toGone)}  (${RUNS} runs)`);
  const deleted = await controller.metrics.deletedCount();
  console.log(`reconciler: ${deleted} impostors deleted, ${await controller.metrics.writeCount('delete')} DELETE calls (the rest refused by a precondition and retried)`);
} finally {
  await cp.stop();
}
