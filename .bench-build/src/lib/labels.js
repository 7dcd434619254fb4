import { CHAIN_LABEL, NODE_LABEL, ROLE_LABEL } from '../contract.js';
/** What `app.kubernetes.io/managed-by` says on everything this project renders. */
export const MANAGED_BY = 'sei-gitops';
/** The recommended `app.kubernetes.io/*` labels for an object of this project that belongs to no node (the CRD). */
export function projectLabels(instance, component) {
    return {
        'app.kubernetes.io/name': 'sei-gitops',
        'app.kubernetes.io/instance': instance,
        'app.kubernetes.io/component': component,
        'app.kubernetes.io/part-of': 'sei-gitops',
        'app.kubernetes.io/managed-by': MANAGED_BY,
    };
}
/** Labels on every object of one node and on its pod template (DESIGN §2). */
export function nodeLabels(node, chainId, role) {
    return {
        'app.kubernetes.io/name': 'seid',
        'app.kubernetes.io/instance': node,
        'app.kubernetes.io/component': role,
        'app.kubernetes.io/part-of': chainId,
        'app.kubernetes.io/managed-by': MANAGED_BY,
        [NODE_LABEL]: node,
        [CHAIN_LABEL]: chainId,
        [ROLE_LABEL]: role,
    };
}
/** The StatefulSet selector: the node name only, so it can never change while the node exists (it is immutable). */
export function selectorLabels(node) {
    return { [NODE_LABEL]: node };
}
