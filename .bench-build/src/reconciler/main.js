/**
 * seinode-reconciler: the CLI. Flags in flags.ts, the work in controller.ts.
 */
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Controller } from './controller.js';
import { KubeApi } from './kube.js';
import { FlagError, USAGE, parseFlags } from './flags.js';
import { jsonLogger } from './log.js';
import { Metrics } from './metrics.js';
import { summaryTable } from './summary.js';
function loadKubeConfig(flags) {
    const kc = new k8s.KubeConfig();
    const defaultFile = join(homedir(), '.kube', 'config');
    const noCluster = new Error(`no cluster: pass --kubeconfig, set KUBECONFIG, create ${defaultFile}, or run in a pod`);
    // With nothing to load, client-node falls back to http://localhost:8080: say what is missing instead.
    const inCluster = !!process.env.KUBERNETES_SERVICE_HOST;
    if (!flags.kubeconfig && !process.env.KUBECONFIG && !existsSync(defaultFile) && !inCluster)
        throw noCluster;
    if (flags.kubeconfig)
        kc.loadFromFile(flags.kubeconfig);
    else
        kc.loadFromDefault();
    if (!kc.getCurrentCluster())
        throw noCluster;
    return kc;
}
async function main(argv) {
    let flags;
    try {
        flags = parseFlags(argv);
    }
    catch (e) {
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
    let kubeConfig;
    try {
        kubeConfig = loadKubeConfig(flags);
    }
    catch (e) {
        process.stderr.write(`seinode-reconciler: ${e.message}\n`);
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
        await new KubeApi(kubeConfig, () => { }, flags.requestTimeoutMs).checkReachable(flags.namespaces[0]);
    }
    catch (e) {
        process.stderr.write(`seinode-reconciler: ${e.message}\n`);
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
    await controller.start();
    await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
    });
    log.info('stopping');
    await controller.stop();
    server?.close();
    return 0;
}
// A promise nobody awaited that failed is a bug: say so and exit non-zero, rather than run on in an unknown state.
process.on('unhandledRejection', (e) => {
    process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'unhandled rejection; exiting', error: e instanceof Error ? (e.stack ?? e.message) : String(e) })}\n`);
    process.exit(70);
});
main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`seinode-reconciler: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
});
