import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { API_GROUP, SEINODE_PLURAL } from '../contract.js';
import { projectLabels } from '../lib/labels.js';
/**
 * Exactly what seinode-reconciler calls (src/reconciler/kube.ts and its informers), and nothing else: it reads
 * SeiNodes and writes only their status; it reads StatefulSets and may delete one (an impostor) but can never create
 * or patch one; it lists PVCs for the ownership audit and watches them to re-examine an impostor it refused to delete
 * for a PVC it owns; it records Events.
 */
export const RECONCILER_RULES = [
    { apiGroups: [API_GROUP], resources: [SEINODE_PLURAL], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [API_GROUP], resources: [`${SEINODE_PLURAL}/status`], verbs: ['update'] },
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch', 'delete'] },
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list', 'watch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];
/** The reconciler's ServiceAccount, a ClusterRole with RECONCILER_RULES, and the binding between them. */
export class SeiNodeReconcilerRbac extends Construct {
    serviceAccount;
    clusterRole;
    constructor(scope, id, props) {
        super(scope, id);
        const name = props.name ?? 'seinode-reconciler';
        const labels = projectLabels(name, 'reconciler');
        this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
            metadata: { name, namespace: props.namespace, labels },
        });
        this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', { metadata: { name, labels }, rules: RECONCILER_RULES });
        new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
            metadata: { name, labels },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
            subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
        });
    }
}
