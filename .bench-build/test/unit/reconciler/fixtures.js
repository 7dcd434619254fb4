import { EXPECTED_FINGERPRINT_ANNOTATION, FINGERPRINT_ANNOTATION } from '../../../src/contract.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/**
 * managedFields as the real API server wrote them (captured by test/integration/capture-managed-fields.test.ts):
 * GitOps server-side applies, kubectl create / client-side apply, and the StatefulSet controller's status writes.
 */
export const MANAGED_FIELDS = JSON.parse(readFileSync(join(import.meta.dirname, 'managed-fields.json'), 'utf8'));
export const F = 'a'.repeat(64);
export const OTHER_F = 'b'.repeat(64);
export const NOW = new Date('2026-11-23T12:00:00Z');
export const secondsAgo = (s) => new Date(NOW.getTime() - s * 1000);
export const POLICY = {
    allowedManagers: ['argocd-controller', 'kustomize-controller'],
    graceSeconds: 60,
    dryRun: false,
    breaker: { maxDeletions: 3, fleetMaxDeletions: 10, windowSeconds: 600 },
};
export function node(opts = {}) {
    const annotations = opts.fingerprint === null ? {} : { [EXPECTED_FINGERPRINT_ANNOTATION]: opts.fingerprint ?? F };
    return {
        apiVersion: 'sei.io/v1alpha1',
        kind: 'SeiNode',
        metadata: { name: 'rpc-0', namespace: 'sei', generation: opts.generation ?? 3, annotations, resourceVersion: '100' },
        spec: { chainId: 'pacific-1', paused: opts.paused ?? false },
        ...(opts.status ? { status: opts.status } : {}),
    };
}
export function sts(opts = {}) {
    return {
        metadata: {
            name: 'rpc-0',
            namespace: 'sei',
            uid: opts.uid ?? 'uid-1',
            resourceVersion: '42',
            annotations: opts.fingerprint === null ? {} : { [FINGERPRINT_ANNOTATION]: opts.fingerprint ?? F },
            managedFields: opts.managedFields ?? MANAGED_FIELDS.argocd,
            ...(opts.terminating ? { deletionTimestamp: NOW } : {}),
        },
        spec: { replicas: opts.replicas ?? 1, selector: { matchLabels: { 'sei.io/node': 'rpc-0' } }, serviceName: 'rpc-0', template: {} },
    };
}
