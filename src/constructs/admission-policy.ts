import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { NODE_LABEL } from '../contract.js';
import { crdGitOpsAnnotations } from '../lib/gitops.js';
import { projectLabels } from '../lib/labels.js';

/**
 * Service-account usernames of the GitOps engines as their standard installs name them: Argo CD's application
 * controller in `argocd`, Flux's kustomize-controller in `flux-system`.
 */
export const DEFAULT_GITOPS_IDENTITIES: readonly string[] = [
  'system:serviceaccount:argocd:argocd-application-controller',
  'system:serviceaccount:flux-system:kustomize-controller',
];

/** The reconciler's service account as the `SeiNodeReconciler` construct names it, in the namespace src/main.ts uses. */
export const DEFAULT_RECONCILER_IDENTITY = 'system:serviceaccount:sei-system:seinode-reconciler';

/**
 * The controllers that delete objects when their namespace is deleted or their owner goes (kube-controller-manager
 * with and without `--use-service-account-credentials`). Without them a deleted fleet namespace would hang.
 */
export const CLUSTER_DELETERS: readonly string[] = [
  'system:serviceaccount:kube-system:namespace-controller',
  'system:serviceaccount:kube-system:generic-garbage-collector',
  'system:kube-controller-manager',
];

/** Props of the admission policy that keeps StatefulSets and chain data in fleet namespaces GitOps' alone. */
export interface SeiNodeAdmissionPolicyProps {
  /** The fleet namespaces the policy binds to. */
  readonly namespaces: readonly string[];
  /**
   * Usernames that may create, change and delete StatefulSets and create data PVCs there.
   * @default DEFAULT_GITOPS_IDENTITIES (Argo CD's application controller, Flux's kustomize-controller)
   */
  readonly gitOpsIdentities?: readonly string[];
  /**
   * The reconciler's username: it may delete StatefulSets (impostors) and nothing else.
   * @default DEFAULT_RECONCILER_IDENTITY
   */
  readonly reconcilerIdentity?: string;
  /**
   * More usernames that may create data PVCs, e.g. a backup tool's restore (Velero's service account).
   * @default none
   */
  readonly claimCreators?: readonly string[];
  /**
   * Name prefix of the two policies and their bindings.
   * @default 'sei-gitops'
   */
  readonly name?: string;
}

/** A CEL string literal. */
const literal = (x: string) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A CEL message: plain strings are literals, `{ cel }` parts are expressions, concatenated. */
const message = (...parts: (string | { cel: string })[]) => parts.map((p) => (typeof p === 'string' ? literal(p) : p.cel)).join(' + ');
const USER = { cel: 'request.userInfo.username' };
const TARGET = { cel: "request.namespace + '/' + request.name" };

const list = (xs: readonly string[]) => `[${xs.map(literal).join(', ')}]`;

/**
 * Prevention beside the reconciler's detection: two ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1,
 * GA since Kubernetes 1.30) and their bindings, scoped to the fleet namespaces.
 *
 * StatefulSets — every one in a fleet namespace, labelled or not, since an impostor need not copy labels:
 * - CREATE only by the GitOps identities: a `kubectl create`d impostor is denied at the door;
 * - UPDATE that changes `spec` only by them: spec is GitOps' (restart a pod with `kubectl delete pod`, change the
 *   rest in Git); metadata-only updates pass, so the garbage collector can remove its finalizers;
 * - DELETE by them, the reconciler (impostors) and the namespace/garbage-collector controllers.
 * Subresources (`status`, `scale`) are not matched: the StatefulSet controller and an HPA keep working.
 *
 * Data PVCs (labelled `sei.io/node`): CREATE only by the GitOps identities and `claimCreators`. Their DELETE is
 * the cluster-wide ChainDataProtection policy's (src/constructs/chain-data-protection.ts, rendered with the CRD):
 * refused to everyone until the claim is annotated by hand. UPDATE is left open: the PV binder and the pvc-protection
 * controller update claims, and no update can lose data.
 *
 * Identities are usernames the API server authenticated, which a client cannot choose — unlike field-manager names.
 */
export class SeiNodeAdmissionPolicy extends Construct {
  constructor(scope: Construct, id: string, props: SeiNodeAdmissionPolicyProps) {
    super(scope, id);
    const name = props.name ?? 'sei-gitops';
    const gitops = props.gitOpsIdentities ?? DEFAULT_GITOPS_IDENTITIES;
    const reconciler = props.reconcilerIdentity ?? DEFAULT_RECONCILER_IDENTITY;
    const claimCreators = [...gitops, ...(props.claimCreators ?? [])];
    if (props.namespaces.length === 0) throw new Error(`SeiNodeAdmissionPolicy ${name}: namespaces: at least one fleet namespace is required`);
    for (const [field, ids] of [['gitOpsIdentities', gitops], ['claimCreators', props.claimCreators ?? []]] as const)
      if (ids.some((i) => i.trim() === '')) throw new Error(`SeiNodeAdmissionPolicy ${name}: ${field}: empty username`);
    const labels = projectLabels(name, 'admission-policy');
    // Cluster-scoped, like the CRD: prune-protected so that removing it from Git is a deliberate step, and in Argo CD's
    // sync wave -1 — not after the fleet: Argo CD waits for a wave to be healthy before the next, and a syncing node
    // can take hours to be Ready. The engines' own identities pass it, so the fleet's wave is not held back.
    const metadata = (n: string) => ({ name: n, labels, annotations: crdGitOpsAnnotations() });

    const statefulSets = `${name}-statefulsets`;
    new ApiObject(this, 'StatefulSetPolicy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: metadata(statefulSets),
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['statefulsets'], operations: ['CREATE', 'UPDATE', 'DELETE'] }],
        },
        variables: [
          { name: 'gitops', expression: `request.userInfo.username in ${list(gitops)}` },
          { name: 'deleter', expression: `request.userInfo.username in ${list([reconciler, ...CLUSTER_DELETERS])}` },
        ],
        validations: [
          {
            expression: "request.operation != 'CREATE' || variables.gitops",
            messageExpression: message('StatefulSet ', TARGET, ` may be created only by GitOps (${gitops.join(', ')}), not by `, USER, ': commit it to Git'),
            reason: 'Forbidden',
          },
          {
            expression: "request.operation != 'UPDATE' || variables.gitops || object.spec == oldObject.spec",
            messageExpression: message('StatefulSet ', TARGET, `: its spec is written by GitOps only (${gitops.join(', ')}), not by `, USER, ': change it in Git (to restart the node, delete its pod)'),
            reason: 'Forbidden',
          },
          {
            expression: "request.operation != 'DELETE' || variables.gitops || variables.deleter",
            messageExpression: message('StatefulSet ', TARGET, ` may be deleted only by GitOps or seinode-reconciler (${reconciler}), not by `, USER),
            reason: 'Forbidden',
          },
        ],
      },
    });

    const claims = `${name}-data-claims`;
    new ApiObject(this, 'ClaimPolicy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: metadata(claims),
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['persistentvolumeclaims'], operations: ['CREATE'] }],
          objectSelector: { matchExpressions: [{ key: NODE_LABEL, operator: 'Exists' }] },
        },
        validations: [
          {
            expression: `request.userInfo.username in ${list(claimCreators)}`,
            messageExpression: message('PersistentVolumeClaim ', TARGET, ` (chain data) may be created only by ${claimCreators.join(', ')}, not by `, USER),
            reason: 'Forbidden',
          },
        ],
      },
    });

    const namespaceSelector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...props.namespaces].sort() }] };
    for (const [id, policy] of [['StatefulSetBinding', statefulSets], ['ClaimBinding', claims]] as const)
      new ApiObject(this, id, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: metadata(policy),
        spec: { policyName: policy, validationActions: ['Deny'], matchResources: { namespaceSelector } },
      });
  }
}
