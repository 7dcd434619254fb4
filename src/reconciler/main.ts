/**
 * seinode-reconciler: the CLI. Flags in flags.ts, the work in controller.ts.
 */
import * as k8s from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Controller } from './controller.js';
import { KubeApi } from './kube.js';
import { FlagError, USAGE, parseFlags, type Flags, type LeaderElectionFlags } from './flags.js';
import { KubeLeaseStore, LeaderElector, SERVICE_ACCOUNT_NAMESPACE_FILE, candidateIdentity, leaderMetrics, type ElectionEnd } from './leader.js';
import { jsonLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { summaryTable } from './summary.js';

function loadKubeConfig(flags: Flags): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const defaultFile = join(homedir(), '.kube', 'config');
  const noCluster = new Error(`no cluster: pass --kubeconfig, set KUBECONFIG, create ${defaultFile}, or run in a pod`);
  // With nothing to load, client-node falls back to http://localhost:8080: say what is missing instead.
  const inCluster = !!process.env.KUBERNETES_SERVICE_HOST;
  if (!flags.kubeconfig && !process.env.KUBECONFIG && !existsSync(defaultFile) && !inCluster) throw noCluster;
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw noCluster;
  return kc;
}

async function main(argv: string[]): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`seinode-reconciler: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = jsonLogger(flags.logLevel);
  let kubeConfig: k8s.KubeConfig;
  try {
    kubeConfig = loadKubeConfig(flags);
  } catch (e) {
    process.stderr.write(`seinode-reconciler: ${(e as Error).message}\n`);
    return 1;
  }
  const metrics = new Metrics().withProcessMetrics();
  const controller = new Controller({
    kubeConfig,
    namespaces: flags.namespaces,
    policy: flags.policy,
    propagation: flags.propagation,
    resyncSeconds: flags.resyncSeconds,
    workers: flags.workers,
    log,
    metrics,
    requestTimeoutMs: flags.requestTimeoutMs,
  });
  try {
    await new KubeApi(kubeConfig, () => {}, flags.requestTimeoutMs).checkReachable(flags.namespaces[0]);
  } catch (e) {
    process.stderr.write(`seinode-reconciler: ${(e as Error).message}\n`);
    return 1;
  }

  if (flags.once) {
    const outcomes = await controller.reconcileAll();
    process.stdout.write(summaryTable(outcomes));
    return outcomes.some((o) => o.action === 'error') ? 1 : 0;
  }

  const server = flags.metricsAddr
    ? await metrics.serve(flags.metricsAddr.host, flags.metricsAddr.port, { ready: () => controller.ready(), healthy: () => controller.healthy() })
    : undefined;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  if (flags.leaderElection) {
    let election: ReturnType<typeof startElection>;
    try {
      election = startElection(flags.leaderElection, kubeConfig, controller, metrics, log, stop.signal);
    } catch (e) {
      process.stderr.write(`seinode-reconciler: ${(e as Error).message}\n`);
      return 2;
    }
    await controller.startInformers();
    await election;
  } else {
    await controller.start();
    await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
  }
  log.info('stopping');
  await controller.stop();
  server?.close();
  return 0;
}

/** The pod's namespace: the flag, else the service-account namespace file a pod has. */
function leaseNamespace(flags: LeaderElectionFlags): string {
  if (flags.namespace) return flags.namespace;
  if (existsSync(SERVICE_ACCOUNT_NAMESPACE_FILE)) return readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim();
  throw new Error(`--leader-election-namespace is required outside a pod (${SERVICE_ACCOUNT_NAMESPACE_FILE} does not exist), or pass --leader-elect=false`);
}

/**
 * Campaigns for the Lease while the informers warm up; only the leader runs workers (deletes, status, Events). A lost
 * Lease exits the process at once with status 1, as controller-runtime does: no further line of this process runs,
 * so nothing more is written, and the kubelet restarts it as a follower. SIGTERM releases the Lease.
 */
function startElection(
  flags: LeaderElectionFlags,
  kubeConfig: k8s.KubeConfig,
  controller: Controller,
  metrics: Metrics,
  log: Logger,
  stop: AbortSignal,
): Promise<ElectionEnd> {
  const namespace = leaseNamespace(flags);
  const { leader, leaseWrites } = leaderMetrics(metrics.registry);
  leader.set(0);
  const elector = new LeaderElector({
    store: new KubeLeaseStore(kubeConfig, namespace, flags.id),
    identity: candidateIdentity(),
    timing: flags.timing,
    log,
    onStartedLeading: () => {
      leader.set(1);
      controller.startWorkers();
    },
    onStoppedLeading: () => {
      leader.set(0);
      process.exit(1);
    },
    // SIGTERM while leading: the workers finish their current key and stop before the Lease is handed over.
    beforeRelease: () => controller.stop(),
    onLeaseWrite: () => leaseWrites.inc(),
  });
  return elector.run(stop).finally(() => leader.set(0));
}

// A promise nobody awaited that failed is a bug: say so and exit non-zero, rather than run on in an unknown state.
process.on('unhandledRejection', (e) => {
  process.stderr.write(
    `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'unhandled rejection; exiting', error: e instanceof Error ? (e.stack ?? e.message) : String(e) })}\n`,
  );
  process.exit(70);
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`seinode-reconciler: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
