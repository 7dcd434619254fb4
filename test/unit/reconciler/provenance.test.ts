import { describe, expect, it } from '@jest/globals';
import { provenanceOf, specManagersOf } from '../../../src/reconciler/provenance.js';
import { F, MANAGED_FIELDS, OTHER_F, POLICY, sts } from './fixtures.js';

const allowed = POLICY.allowedManagers;

describe('specManagersOf: who owns spec, from managedFields the real API server wrote', () => {
  it.each<[keyof typeof MANAGED_FIELDS, string[]]>([
    ['argocd', ['argocd-controller']],
    ['flux', ['kustomize-controller']],
    ['kubectlCreate', ['kubectl-create']],
    ['clientSideApply', ['kubectl-client-side-apply']],
    ['fluxTakeover', ['argocd-controller', 'kustomize-controller']], // equal values: shared ownership
    // The controller's status write is on the status subresource: not a spec owner.
    ['argocdThenController', ['argocd-controller']],
  ])('%s → %j', (shape, owners) => {
    expect(specManagersOf(MANAGED_FIELDS[shape])).toEqual(owners);
  });

  it('ignores subresource entries even when they touch spec (kubectl scale)', () => {
    expect(
      specManagersOf([
        ...MANAGED_FIELDS.argocd,
        { manager: 'kubectl', operation: 'Update', subresource: 'scale', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      ]),
    ).toEqual(['argocd-controller']);
  });

  it('ignores entries that own only metadata (labels copied by a script prove nothing either way)', () => {
    expect(
      specManagersOf([
        ...MANAGED_FIELDS.flux,
        { manager: 'label-copier', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } },
      ]),
    ).toEqual(['kustomize-controller']);
  });
});

describe('provenanceOf', () => {
  it.each<[string, Parameters<typeof sts>[0], string, 'verified' | 'pending' | 'failed', RegExp]>([
    ['Argo CD SSA, fingerprint matches', {}, F, 'verified', /fingerprint matches and its spec is managed by argocd-controller/],
    ['Flux SSA, fingerprint matches', { managedFields: MANAGED_FIELDS.flux }, F, 'verified', /kustomize-controller/],
    ['Argo CD SSA, another fingerprint (sync in flight)', { fingerprint: OTHER_F }, F, 'pending', /is not the expected aaaaaaaaaaaa/],
    ['Argo CD SSA, no fingerprint annotation', { fingerprint: null }, F, 'pending', /\(none\)/],
    ['kubectl create with a copied fingerprint', { managedFields: MANAGED_FIELDS.kubectlCreate }, F, 'failed', /"kubectl-create", not by argocd-controller or kustomize-controller/],
    ['client-side apply', { managedFields: MANAGED_FIELDS.clientSideApply }, F, 'failed', /"kubectl-client-side-apply"/],
    ['GitOps plus a foreign spec writer', { managedFields: [...MANAGED_FIELDS.argocd, ...MANAGED_FIELDS.kubectlCreate] }, F, 'failed', /"kubectl-create"/],
    ['no managedFields', { managedFields: [] }, F, 'failed', /cannot be proven/],
  ])('%s → %s', (_, stsOpts, expected, verdict, reason) => {
    const p = provenanceOf(sts(stsOpts), expected, allowed);
    expect(p.verdict).toBe(verdict);
    expect(p.reason).toMatch(reason);
  });

  it('honours a configured manager list', () => {
    expect(provenanceOf(sts({ managedFields: MANAGED_FIELDS.flux }), F, ['argocd-controller']).verdict).toBe('failed');
  });
});
