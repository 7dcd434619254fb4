/**
 * Chain data as a cloud cluster holds it: a node's data PVC bound to a PersistentVolume whose reclaim policy is
 * Delete (what a provisioner creates), so a deleted claim would take the volume with it. The test control plane has
 * no PV controller, so the test binds the pair itself, as the binder would (claimRef on the PV, volumeName on the
 * claim — settable once — and phase Bound).
 */
import * as k8s from '@kubernetes/client-node';
import { CHAIN_DATA_PROTECTION_NAME } from '../../../src/constructs/chain-data-protection.js';
import { dataClaimName } from '../../../src/contract.js';
import { kubeConfig, kubectlOk } from './cluster.js';
import { ROOT, toYaml, type Manifest } from './manifests.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface BoundData {
  readonly claim: string;
  readonly claimUid: string;
  readonly volume: string;
  readonly volumeUid: string;
}

const core = () => kubeConfig().makeApiClient(k8s.CoreV1Api);

/** Binds the node's (already synced) data PVC to a new hand-made PV with reclaimPolicy Delete. */
export async function bindDataVolume(namespace: string, node: string): Promise<BoundData> {
  const claim = dataClaimName(node);
  const pvc = await core().readNamespacedPersistentVolumeClaim({ name: claim, namespace });
  const volume = `pv-${namespace}-${node}`;
  const pv = await core().createPersistentVolume({
    body: {
      metadata: { name: volume },
      spec: {
        capacity: { storage: pvc.spec!.resources!.requests!.storage },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        ...(pvc.spec!.storageClassName ? { storageClassName: pvc.spec!.storageClassName } : {}),
        hostPath: { path: `/var/lib/sei-test/${volume}` },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace, name: claim, uid: pvc.metadata!.uid },
      },
    },
  });
  // Under the binder's field manager, as the API server records the PV controller's writes: Flux's field-manager
  // cleanup takes over fields of managers named kubectl*, which a `kubectl patch` default manager would be.
  const asBinder = ['--field-manager=kube-controller-manager'];
  await kubectlOk(['patch', 'pvc', claim, '-n', namespace, ...asBinder, '--type=merge', '-p', JSON.stringify({ spec: { volumeName: volume } })]);
  await kubectlOk(['patch', 'pvc', claim, '-n', namespace, ...asBinder, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}']);
  await kubectlOk(['patch', 'pv', volume, ...asBinder, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}']);
  return { claim, claimUid: pvc.metadata!.uid!, volume, volumeUid: pv.metadata!.uid! };
}

/** What is left of the data: the same claim (same UID, not terminating) still bound to the same volume. */
export async function dataState(namespace: string, d: BoundData) {
  const pvc = await core()
    .readNamespacedPersistentVolumeClaim({ name: d.claim, namespace })
    .catch(() => undefined);
  const pv = await core()
    .readPersistentVolume({ name: d.volume })
    .catch(() => undefined);
  return {
    claimUid: pvc?.metadata?.uid,
    claimTerminating: Boolean(pvc?.metadata?.deletionTimestamp),
    volumeName: pvc?.spec?.volumeName,
    volumeUid: pv?.metadata?.uid,
    volumeClaimUid: pv?.spec?.claimRef?.uid,
    storageClassName: pvc?.spec?.storageClassName,
  };
}

/** The state `dataState` must keep returning: nothing about the data moved. */
export const intact = (d: BoundData) => ({
  claimUid: d.claimUid,
  claimTerminating: false,
  volumeName: d.volume,
  volumeUid: d.volumeUid,
  volumeClaimUid: d.claimUid,
});

export async function deleteVolume(d: BoundData): Promise<void> {
  await core().deletePersistentVolume({ name: d.volume }).catch(() => undefined);
}

/** The ChainDataProtection policy and binding as rendered in dist/0000-*. */
export function distChainDataProtection(): { policy: Manifest; binding: Manifest } {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'dist', '0000-seinode-crd.k8s.yaml'), 'utf8')).map((d) => d.toJS() as Manifest);
  const policy = docs.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === CHAIN_DATA_PROTECTION_NAME)!;
  const binding = docs.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata.name === CHAIN_DATA_PROTECTION_NAME)!;
  return { policy, binding };
}

/**
 * The rendered policy, with its rendered binding narrowed to one namespace: the binding in dist/ covers the whole
 * cluster, which would hold every other test file's namespace in Terminating (their claims could no longer be
 * deleted). Returns the binding's name, for `unprotect`.
 */
export async function protectChainData(namespace: string): Promise<string> {
  const { policy, binding } = distChainDataProtection();
  const name = `${CHAIN_DATA_PROTECTION_NAME}-${namespace}`;
  const scoped = {
    ...binding,
    metadata: { ...binding.metadata, name },
    spec: { ...binding.spec, matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } },
  };
  await kubectlOk(['apply', '--server-side', '--field-manager=test-setup', '-f', '-'], { input: toYaml([policy, scoped]) });
  return name;
}

export async function unprotect(bindingName: string): Promise<void> {
  await kubectlOk(['delete', 'validatingadmissionpolicybinding', bindingName, '--ignore-not-found']);
}
