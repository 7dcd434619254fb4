/**
 * Hand-made StatefulSets that a real engine then takes over. Argo CD's server-side apply adopts the object but keeps
 * its `kubectl-create` entry; Flux's apply (with kustomize-controller's field-manager cleanup) rewrites its
 * managedFields to a single `kustomize-controller` entry — it launders the provenance the reconciler reads.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Controller } from '../../src/reconciler/controller.js';
import { eventually, useNamespace } from './helpers/cluster.js';
import { argoSync, fluxApply, specWriters } from './helpers/engines.js';
import { Live, installCrd, kubectlCreate, manifestsOf, nodeProps } from './helpers/gitops.js';
import { controllerFor } from './helpers/reconciler.js';

jest.setTimeout(120_000);
beforeAll(installCrd, 90_000);

describe('hand-made StatefulSets taken over by an engine', () => {
  const ns = useNamespace('launder');
  let live: Live;
  beforeAll(() => {
    live = new Live(ns.name);
  });

  /** Creates the node's exact GitOps StatefulSet by hand (fingerprint and all), before GitOps does; its uid. */
  const handMade = async (name: string) => {
    const objects = manifestsOf(ns.name, nodeProps(name));
    await kubectlCreate(objects.find((o) => o.kind === 'StatefulSet')!);
    return { objects, uid: (await live.sts(name))!.metadata!.uid! };
  };

  it('Flux launders a kubectl-created StatefulSet: one apply leaves a single kustomize-controller entry (recorded without the reconciler)', async () => {
    const { objects } = await handMade('laundered');
    expect(specWriters(await live.sts('laundered'))).toEqual(['kubectl-create:Update']);
    await fluxApply(ns.name, objects, { name: 'laundered' });
    expect(specWriters(await live.sts('laundered'))).toEqual(['kustomize-controller:Apply']);
  });

  it('Argo CD server-side apply takes a kubectl-created StatefulSet over but keeps its kubectl-create entry (recorded without the reconciler)', async () => {
    const { objects } = await handMade('argo-taken');
    await argoSync(ns.name, objects, { app: 'argo-taken' });
    expect(specWriters(await live.sts('argo-taken'))).toEqual(['argocd-controller:Apply', 'kubectl-create:Update']);
  });

  it('what the reconciler cannot see: laundered while it was down, the hand-made StatefulSet is adopted when it starts', async () => {
    const { objects, uid } = await handMade('unseen');
    await fluxApply(ns.name, objects, { name: 'unseen' });
    const controller = controllerFor(ns.name, {}, 5);
    await controller.start();
    try {
      await eventually('the laundered StatefulSet to be adopted', async () => (await live.node('unseen')).status?.statefulSet?.uid === uid);
    } finally {
      await controller.stop();
    }
  });
});

/** Issue 7's creation identity: the creator is recorded at the watch's ADDED, so no later apply can launder it. */
describe('a hand-made StatefulSet that an engine then adopts is still removed', () => {
  const ns = useNamespace('impostor');
  let controller: Controller;
  let live: Live;

  beforeAll(async () => {
    live = new Live(ns.name);
    controller = controllerFor(ns.name, {}, 5);
    await controller.start();
  });
  afterAll(async () => controller?.stop());

  const impostorsDeleted = () => controller.metrics.deletedCount();

  /**
   * kubectl-creates the node's exact StatefulSet while the reconciler watches, lets `takeOver` run at once, then
   * expects the hand-made UID to be deleted, never tracked, and the engine's own next sync to be adopted.
   */
  async function expectRemoved(name: string, takeOver: () => Promise<unknown>, resync: () => Promise<unknown>) {
    const objects = manifestsOf(ns.name, nodeProps(name));
    const deletedBefore = await impostorsDeleted();
    await kubectlCreate(objects.find((o) => o.kind === 'StatefulSet')!);
    const handMadeUid = (await live.sts(name))?.metadata?.uid;
    await takeOver().catch(() => undefined); // the impostor may already be gone (or going) when the engine applies
    await eventually(`the hand-made ${name} to be deleted`, async () => (await live.sts(name))?.metadata?.uid !== handMadeUid, 60_000);
    expect(await impostorsDeleted()).toBeGreaterThan(deletedBefore);
    expect((await live.node(name).catch(() => undefined))?.status?.statefulSet?.uid).not.toBe(handMadeUid);
    await resync();
    const adopted = await eventually(`${name}'s GitOps StatefulSet to be adopted`, async () => {
      const [ref, sts] = [(await live.node(name)).status?.statefulSet, await live.sts(name)];
      return ref && sts?.metadata?.uid === ref.uid && !sts.metadata?.deletionTimestamp ? ref.uid : undefined;
    }, 60_000);
    expect(adopted).not.toBe(handMadeUid);
  }

  it('Flux laundered it (managedFields rewritten to kustomize-controller) while the reconciler runs', async () => {
    const objects = () => manifestsOf(ns.name, nodeProps('flux-laundered'));
    await expectRemoved('flux-laundered', () => fluxApply(ns.name, objects(), { name: 'flux-laundered' }), () => fluxApply(ns.name, objects(), { name: 'flux-laundered' }));
  });

  it('Argo CD server-side apply took it over (kubectl-create entry kept)', async () => {
    const objects = () => manifestsOf(ns.name, nodeProps('argo-ssa-taken'));
    await expectRemoved('argo-ssa-taken', () => argoSync(ns.name, objects(), { app: 'argo-ssa-taken' }), () => argoSync(ns.name, objects(), { app: 'argo-ssa-taken' }));
  });

  it('Argo CD client-side apply took it over', async () => {
    const objects = () => manifestsOf(ns.name, nodeProps('argo-csa-taken'));
    const sync = () => argoSync(ns.name, objects(), { app: 'argo-csa-taken', serverSideApply: false });
    await expectRemoved('argo-csa-taken', sync, sync);
  });
});
