/**
 * Chain data survives every path of the real engines that deletes or recreates objects. Each node's data PVC is
 * bound to a hand-made PersistentVolume with reclaimPolicy Delete (as a cloud provisioner makes them), so a deleted
 * claim would take the volume with it. After every path the same claim (same UID, not terminating) is still bound to
 * the same volume — or the engine's sync failed with a message that names the claim.
 *
 * The defences under test are the ones rendered into dist/: the per-object annotations the engines honour
 * (Argo CD `Prune=false,Delete=false`, Flux `prune: disabled` and `ssa: IfNotPresent`) and, where no engine has one
 * (Argo CD Replace/Force, Flux force without IfNotPresent), the ChainDataProtection admission policy — here with its
 * binding narrowed to this file's namespace (helpers/chain-data.ts says why).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DELETE_CHAIN_DATA_ANNOTATION } from '../../src/contract.js';
import type { Controller } from '../../src/reconciler/controller.js';
import { bindDataVolume, dataState, deleteVolume, intact, protectChainData, unprotect, type BoundData } from './helpers/chain-data.js';
import { eventually, kubectl, kubectlOk, useNamespace } from './helpers/cluster.js';
import { actionOf, argoDeleteApp, argoSync, argoSyncRun, fluxApply, fluxApplyRun, fluxDeleteKustomization } from './helpers/engines.js';
import { Live, installCrd, manifestsOf, nodeProps } from './helpers/gitops.js';
import type { Manifest } from './helpers/manifests.js';
import { controllerFor } from './helpers/reconciler.js';

jest.setTimeout(120_000);
beforeAll(installCrd, 90_000);

describe('chain data through every engine path', () => {
  const ns = useNamespace('data');
  let controller: Controller;
  let live: Live;
  let binding = '';
  const volumes: BoundData[] = [];

  beforeAll(async () => {
    live = new Live(ns.name);
    binding = await protectChainData(ns.name);
    // The policy is in force once a server-side dry-run delete of a node's claim is refused.
    await kubectlOk(['create', '-n', ns.name, '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'probe', labels: { 'sei.io/node': 'probe' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
    });
    await eventually('the chain-data policy to refuse deletes', async () => {
      const r = await kubectl(['delete', 'pvc', 'probe', '-n', ns.name, '--dry-run=server']);
      return r.code !== 0 && /sei-chain-data-protection/.test(r.stderr);
    });
    controller = controllerFor(ns.name, {}, 5);
    await controller.start();
  }, 90_000);
  afterAll(async () => {
    await controller?.stop();
    if (binding) await unprotect(binding);
    for (const v of volumes) await deleteVolume(v);
  });

  const node = (name: string, over = {}) => manifestsOf(ns.name, nodeProps(name, over));
  const bound = async (name: string) => {
    const d = await bindDataVolume(ns.name, name);
    volumes.push(d);
    return d;
  };
  const expectIntact = async (d: BoundData) => expect(await dataState(ns.name, d)).toMatchObject(intact(d));
  const waitAdopted = (name: string, notUid?: string) =>
    eventually(`${name} to track its live StatefulSet`, async () => {
      const [ref, sts] = [(await live.node(name)).status?.statefulSet, await live.sts(name)];
      const uid = sts?.metadata?.uid;
      return ref && uid && ref.uid === uid && uid !== notUid && !sts?.metadata?.deletionTimestamp ? uid : undefined;
    }, 60_000);
  /**
   * A node whose claim names a storage class, and the Git edit that moves it to another: immutable on a bound claim
   * (setting a class on a claim that had none is allowed, so the edit starts from one).
   */
  const classed = (name: string) => node(name, { storage: { storageClassName: 'standard' } });
  const withStorageClass = (objects: Manifest[], storageClassName: string) =>
    objects.map((o) => (o.kind === 'PersistentVolumeClaim' ? { ...o, spec: { ...o.spec, storageClassName } } : o));

  describe('Argo CD', () => {
    it('prune (node removed from Git): the claim is PruneSkipped; data intact', async () => {
      await argoSync(ns.name, node('a-prune'), { app: 'a-prune', prune: true });
      const d = await bound('a-prune');
      const run = await argoSync(ns.name, [], { app: 'a-prune', prune: true });
      expect(actionOf(run, 'PersistentVolumeClaim', d.claim)).toBe('PruneSkipped');
      expect(actionOf(run, 'StatefulSet', 'a-prune')).toBe('Pruned');
      await expectIntact(d);
    });

    it('Application deleted (cascade, foreground): everything else goes, the claim is kept (Delete=false); data intact', async () => {
      await argoSync(ns.name, node('a-appdel'), { app: 'a-appdel' });
      const d = await bound('a-appdel');
      const run = await argoDeleteApp(ns.name, { app: 'a-appdel' });
      expect(run.code).toBe(0);
      expect(actionOf(run, 'PersistentVolumeClaim', d.claim)).toBe('Kept');
      expect(actionOf(run, 'StatefulSet', 'a-appdel')).toBe('Deleted');
      await eventually('the StatefulSet to be gone', async () => !(await live.sts('a-appdel')));
      await expectIntact(d);
    });

    it('Replace=true: replacing the bound claim is refused by the API server, naming it; the StatefulSet is replaced in place; data intact', async () => {
      await argoSync(ns.name, node('a-replace'), { app: 'a-replace' });
      const d = await bound('a-replace');
      const uid = await waitAdopted('a-replace');
      const run = await argoSyncRun(ns.name, node('a-replace'), { app: 'a-replace', replace: true });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`PersistentVolumeClaim/${d.claim}: .*is invalid: spec: Forbidden: spec is immutable after creation`));
      expect(actionOf(run, 'StatefulSet', 'a-replace')).toBe('Synced');
      expect((await live.sts('a-replace'))?.metadata?.uid).toBe(uid);
      await expectIntact(d);
    });

    it('Replace=true + Force=true: the claim delete is refused by sei-chain-data-protection; data intact; the recreated StatefulSet is adopted', async () => {
      await argoSync(ns.name, node('a-force'), { app: 'a-force' });
      const d = await bound('a-force');
      const uid = await waitAdopted('a-force');
      const run = await argoSyncRun(ns.name, node('a-force'), { app: 'a-force', replace: true, force: true });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`PersistentVolumeClaim ${ns.name}/${d.claim} holds the chain data of SeiNode a-force: deleting it is refused by sei-chain-data-protection`);
      expect(run.stderr).toContain(`kubectl annotate pvc -n ${ns.name} ${d.claim} ${DELETE_CHAIN_DATA_ANNOTATION}=${d.claim}`);
      await expectIntact(d);
      expect(await waitAdopted('a-force', uid)).not.toBe(uid);
    });

    it('Force=true with client-side apply on an immutable claim change (storage class): the delete is refused; data intact', async () => {
      await argoSync(ns.name, classed('a-csa'), { app: 'a-csa', serverSideApply: false });
      const d = await bound('a-csa');
      const run = await argoSyncRun(ns.name, withStorageClass(classed('a-csa'), 'premium'), { app: 'a-csa', serverSideApply: false, force: true });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('deleting it is refused by sei-chain-data-protection');
      await expectIntact(d);
      expect((await dataState(ns.name, d)).storageClassName).toBe('standard');
    });

    it('node removed from Git, then added back: the same claim, still bound; the new StatefulSet is adopted', async () => {
      await argoSync(ns.name, node('a-back'), { app: 'a-back', prune: true });
      const d = await bound('a-back');
      const uid = await waitAdopted('a-back');
      await argoSync(ns.name, [], { app: 'a-back', prune: true });
      await eventually('the StatefulSet to be gone', async () => !(await live.sts('a-back')));
      await argoSync(ns.name, node('a-back'), { app: 'a-back', prune: true });
      expect(await waitAdopted('a-back', uid)).not.toBe(uid);
      await expectIntact(d);
    });
  });

  describe('Flux', () => {
    it('prune (node removed from Git): the claim is skipped (prune: disabled); data intact', async () => {
      await fluxApply(ns.name, node('f-prune'), { name: 'f-prune' });
      const d = await bound('f-prune');
      const run = await fluxApply(ns.name, [], { name: 'f-prune' });
      expect(actionOf(run, 'PersistentVolumeClaim', d.claim)).toBe('skipped');
      expect(actionOf(run, 'StatefulSet', 'f-prune')).toBe('deleted');
      await expectIntact(d);
    });

    it('Kustomization deleted (prune on, deletionPolicy MirrorPrune): everything else goes, the claim is skipped; data intact', async () => {
      await fluxApply(ns.name, node('f-ksdel'), { name: 'f-ksdel' });
      const d = await bound('f-ksdel');
      const run = await fluxDeleteKustomization(ns.name, { name: 'f-ksdel' });
      expect(run.code).toBe(0);
      expect(actionOf(run, 'PersistentVolumeClaim', d.claim)).toBe('skipped');
      expect(actionOf(run, 'StatefulSet', 'f-ksdel')).toBe('deleted');
      await expectIntact(d);
    });

    it('force on an immutable claim change (storage class): the claim is never re-applied (ssa: IfNotPresent); data intact', async () => {
      await fluxApply(ns.name, classed('f-force'), { name: 'f-force', force: true });
      const d = await bound('f-force');
      const run = await fluxApply(ns.name, withStorageClass(classed('f-force'), 'premium'), { name: 'f-force', force: true });
      expect(actionOf(run, 'PersistentVolumeClaim', d.claim)).toBe('skipped');
      await expectIntact(d);
      expect((await dataState(ns.name, d)).storageClassName).toBe('standard');
    });

    it('force on an immutable claim change without IfNotPresent (annotation dropped from Git): the delete is refused by sei-chain-data-protection; data intact', async () => {
      const bare = (objects: Manifest[]) =>
        objects.map((o) => {
          if (o.kind !== 'PersistentVolumeClaim') return o;
          const annotations = { ...(o.metadata.annotations as Record<string, string>) };
          delete annotations['kustomize.toolkit.fluxcd.io/ssa'];
          return { ...o, metadata: { ...o.metadata, annotations } };
        });
      await fluxApply(ns.name, bare(classed('f-bare')), { name: 'f-bare', force: true });
      const d = await bound('f-bare');
      const run = await fluxApplyRun(ns.name, bare(withStorageClass(classed('f-bare'), 'premium')), { name: 'f-bare', force: true });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`PersistentVolumeClaim/${ns.name}/${d.claim} immutable field detected, failed to delete object: .*refused by sei-chain-data-protection`));
      await expectIntact(d);
    });

    it('node removed from Git, then added back: the same claim, still bound; the new StatefulSet is adopted', async () => {
      await fluxApply(ns.name, node('f-back'), { name: 'f-back' });
      const d = await bound('f-back');
      const uid = await waitAdopted('f-back');
      await fluxApply(ns.name, [], { name: 'f-back' });
      await eventually('the StatefulSet to be gone', async () => !(await live.sts('f-back')));
      await fluxApply(ns.name, node('f-back'), { name: 'f-back' });
      expect(await waitAdopted('f-back', uid)).not.toBe(uid);
      await expectIntact(d);
    });
  });

  it('the deliberate way out: with the claim annotated sei.io/delete-chain-data=<its name>, its delete is accepted', async () => {
    await argoSync(ns.name, node('retired'), { app: 'retired' });
    const d = await bound('retired');
    const refused = await kubectl(['delete', 'pvc', d.claim, '-n', ns.name, '--wait=false']);
    expect(refused.code).not.toBe(0);
    // Another claim's name does not unlock this one.
    await kubectlOk(['annotate', 'pvc', d.claim, '-n', ns.name, `${DELETE_CHAIN_DATA_ANNOTATION}=data-other`]);
    expect((await kubectl(['delete', 'pvc', d.claim, '-n', ns.name, '--wait=false'])).code).not.toBe(0);
    await kubectlOk(['annotate', 'pvc', d.claim, '-n', ns.name, '--overwrite', `${DELETE_CHAIN_DATA_ANNOTATION}=${d.claim}`]);
    await kubectlOk(['delete', 'pvc', d.claim, '-n', ns.name, '--wait=false']);
    // Accepted: terminating (the pvc-protection finalizer waits for pods; the test control plane has no controller for it).
    await eventually('the claim to be deleted or terminating', async () => (await dataState(ns.name, d)).claimUid === undefined || (await dataState(ns.name, d)).claimTerminating);
  });
});
