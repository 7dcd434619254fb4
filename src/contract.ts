/**
 * The names both halves of the project agree on (DESIGN §2): the synthesizer writes them, the reconciler reads them.
 * Change one here and both sides move together.
 */
export const API_GROUP = 'sei.io';
export const API_VERSION = 'v1alpha1';
export const SEINODE_API_VERSION = `${API_GROUP}/${API_VERSION}`;
export const SEINODE_KIND = 'SeiNode';
export const SEINODE_PLURAL = 'seinodes';

/** On the StatefulSet: fingerprint of the StatefulSet itself (this annotation left out). */
export const FINGERPRINT_ANNOTATION = 'sei.io/fingerprint';
/** On the SeiNode: the fingerprint of the StatefulSet rendered beside it — what the reconciler expects to find. */
export const EXPECTED_FINGERPRINT_ANNOTATION = 'sei.io/statefulset-fingerprint';

/** The only selector label of a node's StatefulSet; its value is the node name and nothing else. */
export const NODE_LABEL = 'sei.io/node';
export const CHAIN_LABEL = 'sei.io/chain';
export const ROLE_LABEL = 'sei.io/role';

/**
 * The field managers the real engines write on a StatefulSet they create (measured with the engines themselves,
 * test/integration/engines-paths.test.ts): `argocd-controller` — Argo CD's server-side apply (Apply) and its
 * client-side apply (Update: gitops-engine passes the same manager); `argocd-application-controller` — Argo CD's
 * `Replace=true`, a plain create/replace with no field manager, which the API server names after the User-Agent of
 * the argocd-application-controller binary; `kustomize-controller` — Flux (Apply, also after a `force` recreate).
 */
export const DEFAULT_ALLOWED_MANAGERS: readonly string[] = ['argocd-controller', 'argocd-application-controller', 'kustomize-controller'];

/**
 * Set on a node's data PVC, with the PVC's own name as the value, to let a delete of it through the
 * ChainDataProtection admission policy: the one deliberate operator step that can remove chain data.
 */
export const DELETE_CHAIN_DATA_ANNOTATION = 'sei.io/delete-chain-data';

/** Name of a node's data claim. */
export const dataClaimName = (node: string): string => `data-${node}`;

/** At most this many impostor deletions are kept on a SeiNode's status (the CRD's maxItems; the newest are kept). */
export const MAX_DELETION_RECORDS = 64;
