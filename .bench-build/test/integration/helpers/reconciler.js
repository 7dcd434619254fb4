import { Controller } from '../../../src/reconciler/controller.js';
import { jsonLogger } from '../../../src/reconciler/log.js';
import { DEFAULT_ALLOWED_MANAGERS } from '../../../src/contract.js';
import { kubeConfig } from './cluster.js';
export const TEST_POLICY = {
    allowedManagers: [...DEFAULT_ALLOWED_MANAGERS],
    graceSeconds: 5,
    dryRun: false,
    breaker: { maxDeletions: 3, fleetMaxDeletions: 10, windowSeconds: 600 },
};
/** A controller watching one namespace, in this process. Logs go to stderr only when SEI_TEST_LOGS is set. */
export function controllerFor(namespace, policy = {}, resyncSeconds = 300) {
    return new Controller({
        kubeConfig: kubeConfig(),
        namespaces: [namespace],
        policy: { ...TEST_POLICY, ...policy },
        propagation: 'Foreground',
        resyncSeconds,
        workers: 2,
        log: jsonLogger(process.env.SEI_TEST_LOGS ? 'debug' : 'error', (l) => process.env.SEI_TEST_LOGS && process.stderr.write(l)),
    });
}
