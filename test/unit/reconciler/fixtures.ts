import type { V1ManagedFieldsEntry, V1StatefulSet } from '@kubernetes/client-node';
import { EXPECTED_FINGERPRINT_ANNOTATION, FINGERPRINT_ANNOTATION } from '../../../src/contract.js';
import type { Policy, SeiNodeObject, SeiNodeStatus } from '../../../src/reconciler/types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * managedFields as the real API server wrote them (captured by test/integration/capture-managed-fields.test.ts):
 * GitOps server-side applies, kubectl create / client-side apply, and the StatefulSet controller's status writes.
 */
export const MANAGED_FIELDS = JSON.parse(readFileSync(join(import.meta.dirname, 'managed-fields.json'), 'utf8')) as Record<
  | 'argocd'
  | 'flux'
  | 'kubectlCreate'
  | 'clientSideApply'
  | 'argocdThenController'
  | 'fluxTakeover'
  | 'argocdThenRollout'
  | 'argocdThenPatch'
  | 'argocdThenScale'
  | 'argocdThenClientSideApply'
  | 'kubectlCreateThenArgocd',
  V1ManagedFieldsEntry[]
>;

export const F = 'a'.repeat(64);
export const OTHER_F = 'b'.repeat(64);
export const NOW = new Date('2026-11-23T12:00:00Z');
export const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);

export const POLICY: Policy = {
  allowedManagers: ['argocd-controller', 'kustomize-controller'],
  graceSeconds: 60,
  dryRun: false,
  breaker: { maxDeletions: 3, fleetMaxDeletions: 10, windowSeconds: 600 },
};

export function node(opts: { status?: SeiNodeStatus; paused?: boolean; fingerprint?: string | null; generation?: number } = {}): SeiNodeObject {
  const annotations: Record<string, string> = opts.fingerprint === null ? {} : { [EXPECTED_FINGERPRINT_ANNOTATION]: opts.fingerprint ?? F };
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name: 'rpc-0', namespace: 'sei', generation: opts.generation ?? 3, annotations, resourceVersion: '100' },
    spec: { chainId: 'pacific-1', paused: opts.paused ?? false },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

export function sts(opts: {
  uid?: string;
  fingerprint?: string | null;
  managedFields?: V1ManagedFieldsEntry[];
  replicas?: number;
  terminating?: boolean;
} = {}): V1StatefulSet {
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
