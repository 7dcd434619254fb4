import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DELETE_CHAIN_DATA_ANNOTATION, NODE_LABEL } from '../contract.js';
import { crdGitOpsAnnotations } from '../lib/gitops.js';
import { projectLabels } from '../lib/labels.js';

/** Props of {@link ChainDataProtection}. */
export interface ChainDataProtectionProps {
  /**
   * Name of the ValidatingAdmissionPolicy and of its binding.
   * @default 'sei-chain-data-protection'
   */
  readonly name?: string;
}

/** The policy's name when none is given. */
export const CHAIN_DATA_PROTECTION_NAME = 'sei-chain-data-protection';

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes ≥ 1.30) and its binding that refuse
 * every DELETE of a PersistentVolumeClaim labelled `sei.io/node` — whoever sends it: Argo CD's `Replace=true` +
 * `Force=true` (`kubectl replace --force` deletes every object of the app), Argo CD's `Force=true` with client-side
 * apply on an immutable-field change, Flux `force`, an app or Kustomization deleted without the per-object
 * annotations, the namespace controller, or a person. The engines' per-object annotations cover prune and app
 * deletion; nothing in either engine stops a forced recreate, and a deleted claim takes a `Delete`-reclaim volume
 * (what cloud provisioners create) with it.
 *
 * The one way through is deliberate: annotate the claim `sei.io/delete-chain-data=<the claim's name>` first.
 * Rendered with the CRD (Argo CD sync wave -1, never pruned or deleted with the app), so it is in place before any
 * claim is.
 */
export class ChainDataProtection extends Construct {
  public readonly policy: ApiObject;
  public readonly binding: ApiObject;

  constructor(scope: Construct, id: string, props: ChainDataProtectionProps = {}) {
    super(scope, id);
    const name = props.name ?? CHAIN_DATA_PROTECTION_NAME;
    const metadata = { name, labels: projectLabels(name, 'admission-policy'), annotations: crdGitOpsAnnotations() };
    const claim = "oldObject.metadata.namespace + '/' + oldObject.metadata.name";
    this.policy = new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata,
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['persistentvolumeclaims'] }],
          // For a DELETE the API server matches the selector against the object being deleted.
          objectSelector: { matchExpressions: [{ key: NODE_LABEL, operator: 'Exists' }] },
        },
        validations: [
          {
            expression:
              `has(oldObject.metadata.annotations) && '${DELETE_CHAIN_DATA_ANNOTATION}' in oldObject.metadata.annotations && ` +
              `oldObject.metadata.annotations['${DELETE_CHAIN_DATA_ANNOTATION}'] == oldObject.metadata.name`,
            messageExpression:
              `'PersistentVolumeClaim ' + ${claim} + ' holds the chain data of SeiNode ' + oldObject.metadata.labels['${NODE_LABEL}'] + ` +
              `': deleting it is refused by ${name}. To delete it on purpose, first: kubectl annotate pvc -n ' + ` +
              `oldObject.metadata.namespace + ' ' + oldObject.metadata.name + ' ${DELETE_CHAIN_DATA_ANNOTATION}=' + oldObject.metadata.name`,
            reason: 'Forbidden',
          },
        ],
      },
    });
    this.binding = new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata,
      spec: { policyName: name, validationActions: ['Deny'] },
    });
  }
}
