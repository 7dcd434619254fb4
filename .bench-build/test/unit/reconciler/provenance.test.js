import { describe, expect, it } from '@jest/globals';
import { creatorsOf, mergeOrigins, originOf, provenanceOf } from '../../../src/reconciler/provenance.js';
import { F, MANAGED_FIELDS, NOW, OTHER_F, POLICY, secondsAgo, sts } from './fixtures.js';
const allowed = POLICY.allowedManagers;
const origin = (creators, witnessed = true) => ({ uid: 'uid-1', creators, firstSeen: '2026-11-23T12:00:00Z', witnessed });
/**
 * Every manager combination the reconciler meets, from managedFields the real API server wrote
 * (test/kube/managed-fields.ts): who created it, and what everyday operator actions leave behind.
 */
describe('creatorsOf: who created a StatefulSet (owners of its immutable creation fields)', () => {
    it.each([
        ['argocd', ['argocd-controller']],
        ['flux', ['kustomize-controller']],
        ['kubectlCreate', ['kubectl-create']],
        ['clientSideApply', ['kubectl-client-side-apply']],
        // Both applied the same selector and serviceName: shared ownership, both are named.
        ['fluxTakeover', ['argocd-controller', 'kustomize-controller']],
        // The StatefulSet controller writes the status subresource: never a creator.
        ['argocdThenController', ['argocd-controller']],
        // kubectl rollout restart owns a template annotation, not a creation field.
        ['argocdThenRollout', ['argocd-controller']],
        // kubectl patch/edit/set change mutable fields (replicas, template) only.
        ['argocdThenPatch', ['argocd-controller']],
        // kubectl scale (and an HPA) write the scale subresource.
        ['argocdThenScale', ['argocd-controller']],
        // A client-side apply of the same manifest over a server-side-applied object takes no field it did not change.
        ['argocdThenClientSideApply', ['argocd-controller']],
        // A hand-made StatefulSet co-applied by Argo CD afterwards: its creator keeps the creation fields.
        ['kubectlCreateThenArgocd', ['argocd-controller', 'kubectl-create']],
    ])('%s → %j', (shape, creators) => {
        expect(creatorsOf(MANAGED_FIELDS[shape])).toEqual(creators);
    });
    it('ignores subresource entries even when they touch creation fields', () => {
        const scale = { manager: 'x', operation: 'Update', subresource: 'scale', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:selector': {} } } };
        expect(creatorsOf([...MANAGED_FIELDS.argocd, scale])).toEqual(['argocd-controller']);
    });
    it('ignores entries that own only metadata (labels copied by a script prove nothing either way)', () => {
        const labels = { manager: 'label-copier', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } };
        expect(creatorsOf([...MANAGED_FIELDS.flux, labels])).toEqual(['kustomize-controller']);
    });
    it('counts volumeClaimTemplates and podManagementPolicy as creation fields too', () => {
        const vct = { manager: 'helm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:volumeClaimTemplates': {} } } };
        const pmp = { manager: 'script', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:podManagementPolicy': {} } } };
        expect(creatorsOf([vct, pmp])).toEqual(['helm', 'script']);
    });
});
describe('origins: first sighting, kept across restarts', () => {
    it('records creators, the first-seen time and whether the creation was witnessed', () => {
        expect(originOf(sts({ managedFields: MANAGED_FIELDS.kubectlCreate }), NOW, true)).toEqual({
            uid: 'uid-1',
            creators: ['kubectl-create'],
            firstSeen: '2026-11-23T12:00:00Z',
            witnessed: true,
        });
    });
    it('merging two records of one UID keeps the earliest sighting and every creator ever seen (laundering only removes names)', () => {
        const atCreation = { ...origin(['kubectl-create']), firstSeen: '2026-11-23T11:00:00Z' };
        const laundered = { ...origin(['kustomize-controller'], false), firstSeen: '2026-11-23T12:00:00Z' };
        expect(mergeOrigins(laundered, atCreation)).toEqual({
            uid: 'uid-1',
            creators: ['kubectl-create', 'kustomize-controller'],
            firstSeen: '2026-11-23T11:00:00Z',
            witnessed: true,
        });
        expect(mergeOrigins(undefined, laundered)).toBe(laundered);
        expect(() => mergeOrigins(laundered, { ...atCreation, uid: 'other' })).toThrow(/two UIDs/);
    });
    it('uses whole seconds, as the status stores them', () => {
        expect(originOf(sts(), secondsAgo(0.5), false).firstSeen).toBe('2026-11-23T11:59:59Z');
    });
});
describe('provenanceOf', () => {
    it.each([
        ['created by Argo CD, fingerprint matches', ['argocd-controller'], {}, 'verified', /fingerprint matches and it was created by argocd-controller/],
        ['created by Flux, fingerprint matches', ['kustomize-controller'], {}, 'verified', /kustomize-controller/],
        ['created by Argo CD, another fingerprint (sync in flight)', ['argocd-controller'], { fingerprint: OTHER_F }, 'pending', /is not the expected aaaaaaaaaaaa/],
        ['created by Argo CD, no fingerprint annotation', ['argocd-controller'], { fingerprint: null }, 'pending', /\(none\)/],
        ['kubectl create with a copied fingerprint', ['kubectl-create'], {}, 'failed', /created by "kubectl-create", not by argocd-controller or kustomize-controller/],
        ['client-side apply', ['kubectl-client-side-apply'], {}, 'failed', /"kubectl-client-side-apply"/],
        ['hand-made, then co-applied by an engine', ['argocd-controller', 'kubectl-create'], {}, 'failed', /"kubectl-create"/],
        ['Helm', ['helm'], {}, 'failed', /"helm"/],
        ['nobody owns the creation fields', [], {}, 'failed', /cannot be proven/],
    ])('%s → %s', (_, creators, stsOpts, verdict, reason) => {
        const p = provenanceOf(origin(creators), sts(stsOpts), F, allowed);
        expect(p.verdict).toBe(verdict);
        expect(p.reason).toMatch(reason);
    });
    it('honours a configured manager list', () => {
        expect(provenanceOf(origin(['kustomize-controller']), sts(), F, ['argocd-controller']).verdict).toBe('failed');
    });
});
