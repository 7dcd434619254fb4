/**
 * Every GitOps path of the two real engines, with the reconciler running as deployed: what happens to the
 * StatefulSet (kept, recreated, adopted, pruned) and which field managers the engine writes — the managers the
 * reconciler's allow-list has to cover (DEFAULT_ALLOWED_MANAGERS).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EXPECTED_FINGERPRINT_ANNOTATION, FINGERPRINT_ANNOTATION } from '../../src/contract.js';
import { fingerprintOf } from '../../src/lib/fingerprint.js';
import type { Controller } from '../../src/reconciler/controller.js';
import { eventually, useNamespace } from './helpers/cluster.js';
import { actionOf, argoSync, argoSyncRun, fluxApply, fluxApplyRun, specWriters, type EngineRun } from './helpers/engines.js';
import { Live, installCrd, manifestsOf, nodeProps } from './helpers/gitops.js';
import type { Manifest } from './helpers/manifests.js';
import { controllerFor } from './helpers/reconciler.js';

/** A sync that Argo CD's `syncPolicy.retry` would repeat: again after a 409 (object modified), at most 3 times. */
async function argoSyncRetrying(...args: Parameters<typeof argoSyncRun>): Promise<EngineRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await argoSyncRun(...args);
    if (run.code === 0) return run;
    if (attempt === 3 || !/the object has been modified/.test(run.stderr)) throw new Error(`Argo CD sync failed (${run.code}): ${run.stderr}`);
  }
}

jest.setTimeout(120_000); // the no-op checks wait for the writes that follow a create to settle
beforeAll(installCrd, 90_000);

/**
 * The node's manifests with a StatefulSet field that cannot change in place (podManagementPolicy) changed, and
 * the fingerprints on the StatefulSet and its SeiNode recomputed, as a new release of the construct would render.
 */
function withImmutableChange(objects: Manifest[]): Manifest[] {
  const out = structuredClone(objects);
  const sts = out.find((o) => o.kind === 'StatefulSet')!;
  sts.spec.podManagementPolicy = 'OrderedReady';
  const fingerprint = fingerprintOf(sts);
  (sts.metadata.annotations as Record<string, string>)[FINGERPRINT_ANNOTATION] = fingerprint;
  const node = out.find((o) => o.kind === 'SeiNode')!;
  (node.metadata.annotations as Record<string, string>)[EXPECTED_FINGERPRINT_ANNOTATION] = fingerprint;
  return out;
}

describe('the real engines, with the reconciler running', () => {
  const ns = useNamespace('engines');
  let controller: Controller;
  let live: Live;

  beforeAll(async () => {
    live = new Live(ns.name);
    controller = controllerFor(ns.name, {}, 5);
    await controller.start();
  });
  afterAll(async () => controller?.stop());

  const liveSts = async (name: string) => live.sts(name);
  /** Waits until the node tracks exactly the live StatefulSet (not `notUid`), and returns its uid. */
  const waitAdopted = (name: string, notUid?: string) =>
    eventually(`${name} to track its live StatefulSet`, async () => {
      const [ref, sts] = [(await live.node(name)).status?.statefulSet, await liveSts(name)];
      const uid = sts?.metadata?.uid;
      return ref && uid && ref.uid === uid && uid !== notUid && !sts?.metadata?.deletionTimestamp ? uid : undefined;
    }, 60_000);
  const impostorsDeleted = () => controller.metrics.deletedCount();
  const writers = async (name: string) => specWriters(await liveSts(name));
  /**
   * The StatefulSet's and SeiNode's resourceVersions once neither has moved for 2 s: the StatefulSet controller
   * writes status after a create and the reconciler then refreshes its conditions; neither is the engine's doing.
   */
  const settled = async (name: string) => {
    const rvs = async () => `${(await liveSts(name))?.metadata?.resourceVersion}/${(await live.node(name)).metadata.resourceVersion}`;
    let last = await rvs();
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      const now = await rvs();
      if (now === last) return now;
      last = now;
    }
    throw new Error(`${name}: still being written after 60 s (${last})`);
  };

  describe('Argo CD', () => {
    it('ServerSideApply=true: first sync creates, the reconciler adopts; a re-sync writes nothing', async () => {
      const objects = manifestsOf(ns.name, nodeProps('argo-ssa'));
      const first = await argoSync(ns.name, objects, { app: 'argo-ssa' });
      expect(actionOf(first, 'StatefulSet', 'argo-ssa')).toBe('Synced');
      const uid = await waitAdopted('argo-ssa');
      expect(await writers('argo-ssa')).toEqual(['argocd-controller:Apply']);
      const before = await settled('argo-ssa');
      await argoSync(ns.name, objects, { app: 'argo-ssa' });
      expect(await settled('argo-ssa')).toBe(before);
      expect((await liveSts('argo-ssa'))!.metadata!.uid).toBe(uid);
    });

    it('client-side apply (ServerSideApply off): created under argocd-controller (Update), adopted; a re-sync writes nothing', async () => {
      const objects = manifestsOf(ns.name, nodeProps('argo-csa'));
      await argoSync(ns.name, objects, { app: 'argo-csa', serverSideApply: false });
      await waitAdopted('argo-csa');
      expect(await writers('argo-csa')).toEqual(['argocd-controller:Update']);
      const before = await settled('argo-csa');
      await argoSync(ns.name, objects, { app: 'argo-csa', serverSideApply: false });
      expect(await settled('argo-csa')).toBe(before);
    });

    // Replace paths leave the PVC out: what Replace does to chain data is engines-chain-data.test.ts's subject.
    it('Replace=true on a new node creates it without a field manager: the API server records the User-Agent, argocd-application-controller; adopted', async () => {
      const objects = manifestsOf(ns.name, nodeProps('argo-replace'));
      await argoSync(ns.name, objects.filter((o) => o.kind !== 'PersistentVolumeClaim'), { app: 'argo-replace', replace: true });
      await waitAdopted('argo-replace');
      expect(await writers('argo-replace')).toEqual(['argocd-application-controller:Update']);
    });

    it('Replace=true on a live node with a change (paused) replaces it in place: same UID, still tracked; the PUT adds argocd-application-controller', async () => {
      const objects = manifestsOf(ns.name, nodeProps('argo-replace-live'));
      await argoSync(ns.name, objects, { app: 'argo-replace-live' });
      const uid = await waitAdopted('argo-replace-live');
      const paused = manifestsOf(ns.name, nodeProps('argo-replace-live', { paused: true })).filter((o) => o.kind !== 'PersistentVolumeClaim');
      // Replace is a PUT at the resourceVersion the sync read: the reconciler's status write on the SeiNode between the
      // read and the PUT makes it a 409, and Argo CD's syncPolicy.retry syncs again (examples/argocd sets it).
      const run = await argoSyncRetrying(ns.name, paused, { app: 'argo-replace-live', replace: true });
      expect(run.result!.resources.find((r) => r.kind === 'StatefulSet')!.message).toMatch(/replaced/);
      expect((await liveSts('argo-replace-live'))!.spec!.replicas).toBe(0);
      expect(await writers('argo-replace-live')).toEqual(['argocd-application-controller:Update', 'argocd-controller:Apply']);
      await eventually('Paused=True on the same tracked StatefulSet', async () => {
        const node = await live.node('argo-replace-live');
        return node.status?.statefulSet?.uid === uid && live.condition(node, 'Paused')?.status === 'True';
      });
      expect((await liveSts('argo-replace-live'))!.metadata!.uid).toBe(uid);
    });

    it('Replace=true + Force=true deletes and recreates the StatefulSet: the new one is adopted, nothing is taken for an impostor', async () => {
      const objects = manifestsOf(ns.name, nodeProps('argo-recreate'));
      await argoSync(ns.name, objects, { app: 'argo-recreate' });
      const uid = await waitAdopted('argo-recreate');
      const deletedBefore = await impostorsDeleted();
      const run = await argoSync(ns.name, objects.filter((o) => o.kind !== 'PersistentVolumeClaim'), { app: 'argo-recreate', replace: true, force: true });
      expect(run.result!.resources.find((r) => r.kind === 'StatefulSet')!.message).toMatch(/deleted[\s\S]*replaced/);
      const newUid = await waitAdopted('argo-recreate', uid);
      expect(newUid).not.toBe(uid);
      expect(await writers('argo-recreate')).toEqual(['argocd-application-controller:Update']);
      await new Promise((r) => setTimeout(r, 6000)); // past the 5 s grace: a wrongful verdict would have fired
      expect((await liveSts('argo-recreate'))!.metadata!.uid).toBe(newUid);
      expect(await impostorsDeleted()).toBe(deletedBefore);
    }, 90_000);

    it('prune (node removed from Git): the StatefulSet, Service and SeiNode go, the PVC stays (Prune=false)', async () => {
      const objects = manifestsOf(ns.name, nodeProps('argo-prune'));
      await argoSync(ns.name, objects, { app: 'argo-prune', prune: true });
      await waitAdopted('argo-prune');
      const run = await argoSync(ns.name, [], { app: 'argo-prune', prune: true });
      expect(actionOf(run, 'StatefulSet', 'argo-prune')).toBe('Pruned');
      expect(actionOf(run, 'PersistentVolumeClaim', 'data-argo-prune')).toBe('PruneSkipped');
      await eventually('the StatefulSet to be gone', async () => !(await liveSts('argo-prune')));
      expect(await live.core.readNamespacedPersistentVolumeClaim({ name: 'data-argo-prune', namespace: ns.name })).toBeDefined();
    });
  });

  describe('Flux', () => {
    it('first reconcile creates under kustomize-controller (Apply), adopted; a re-reconcile reports every object unchanged and writes nothing', async () => {
      const objects = manifestsOf(ns.name, nodeProps('flux-first'));
      const first = await fluxApply(ns.name, objects, { name: 'flux-first' });
      expect(actionOf(first, 'StatefulSet', 'flux-first')).toBe('created');
      await waitAdopted('flux-first');
      expect(await writers('flux-first')).toEqual(['kustomize-controller:Apply']);
      const before = await settled('flux-first');
      const again = await fluxApply(ns.name, objects, { name: 'flux-first' });
      // The PVC is created once and never applied again (kustomize.toolkit.fluxcd.io/ssa: IfNotPresent).
      expect(Object.fromEntries(again.result!.resources.map((r) => [r.kind, r.action]))).toEqual({
        ConfigMap: 'unchanged', // the chain's genesis
        Namespace: 'unchanged',
        SeiNode: 'unchanged',
        Service: 'unchanged',
        StatefulSet: 'unchanged',
        PersistentVolumeClaim: 'skipped',
      });
      expect(await settled('flux-first')).toBe(before);
    });

    it('force on an immutable StatefulSet change deletes and recreates it: the new one is adopted, nothing is taken for an impostor', async () => {
      const objects = manifestsOf(ns.name, nodeProps('flux-force'));
      await fluxApply(ns.name, objects, { name: 'flux-force', force: true });
      const uid = await waitAdopted('flux-force');
      const deletedBefore = await impostorsDeleted();
      const run = await fluxApply(ns.name, withImmutableChange(objects), { name: 'flux-force', force: true });
      expect(actionOf(run, 'StatefulSet', 'flux-force')).toBe('created');
      const newUid = await waitAdopted('flux-force', uid);
      expect((await liveSts('flux-force'))!.spec!.podManagementPolicy).toBe('OrderedReady');
      expect(await writers('flux-force')).toEqual(['kustomize-controller:Apply']);
      await new Promise((r) => setTimeout(r, 6000));
      expect((await liveSts('flux-force'))!.metadata!.uid).toBe(newUid);
      expect(await impostorsDeleted()).toBe(deletedBefore);
    }, 90_000);

    it('without force, an immutable change fails the reconcile with the field named and the StatefulSet kept', async () => {
      const objects = manifestsOf(ns.name, nodeProps('flux-noforce'));
      await fluxApply(ns.name, objects, { name: 'flux-noforce' });
      const uid = await waitAdopted('flux-noforce');
      const run = await fluxApplyRun(ns.name, withImmutableChange(objects), { name: 'flux-noforce' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/StatefulSet\/.*flux-noforce.*[\s\S]*podManagementPolicy|Forbidden: updates to statefulset spec/);
      expect((await liveSts('flux-noforce'))!.metadata!.uid).toBe(uid);
    });

    it('prune (node removed from Git): the StatefulSet, Service and SeiNode go, the PVC stays (prune: disabled)', async () => {
      const objects = manifestsOf(ns.name, nodeProps('flux-prune'));
      await fluxApply(ns.name, objects, { name: 'flux-prune' });
      await waitAdopted('flux-prune');
      const run = await fluxApply(ns.name, [], { name: 'flux-prune' });
      expect(actionOf(run, 'StatefulSet', 'flux-prune')).toBe('deleted');
      expect(actionOf(run, 'PersistentVolumeClaim', 'data-flux-prune')).toBe('skipped');
      await eventually('the StatefulSet to be gone', async () => !(await liveSts('flux-prune')));
      expect(await live.core.readNamespacedPersistentVolumeClaim({ name: 'data-flux-prune', namespace: ns.name })).toBeDefined();
    });
  });
});
