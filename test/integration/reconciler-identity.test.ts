import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Controller } from '../../src/reconciler/controller.js';
import { eventually, kubectlOk, useNamespace } from './helpers/cluster.js';
import { argoSync, fluxApply } from './helpers/engines.js';
import { Live, installCrd, kubectlCreate, manifestsOf, nodeProps, statefulSetOf, sync } from './helpers/gitops.js';
import { controllerFor } from './helpers/reconciler.js';

beforeAll(installCrd, 90_000);

/**
 * Issue 7 on the real API server: a StatefulSet's origin is who created it. Everyday operator actions followed by an
 * emptied status (SeiNode deleted and re-synced, a restore, a new reconciler) never delete GitOps' StatefulSet; a
 * hand-made one stays an impostor after an engine co-applies it or its managedFields are rewritten.
 */
describe('provenance by creation identity', () => {
  const ns = useNamespace('ident');
  let live: Live;
  let controller: Controller | undefined;
  beforeAll(() => {
    live = new Live(ns.name);
  });
  afterAll(async () => controller?.stop());

  const deleted = (c: Controller) => c.metrics.deletedCount();
  const trackedUid = async (name: string) => (await live.node(name)).status?.statefulSet?.uid;
  const liveUid = async (name: string) => (await live.sts(name))?.metadata?.uid;
  /** Deletes the SeiNode and applies it again (GitOps re-sync): its status starts empty. */
  const resyncSeiNode = async (name: string, reconcilerRunning: boolean) => {
    await kubectlOk(['delete', 'seinode', name, '-n', ns.name, '--wait=true']);
    await argoSync(ns.name, manifestsOf(ns.name, nodeProps(name)).filter((o) => o.kind === 'SeiNode'), { app: `${ns.name}.${name}` });
    // With a reconciler running it may already have re-adopted; without one the status must start empty.
    if (!reconcilerRunning) expect((await live.node(name)).status).toBeUndefined();
  };

  it.each<[string, (name: string) => string[]]>([
    ['kubectl rollout restart', (n) => ['rollout', 'restart', `statefulset/${n}`]],
    ['kubectl edit (a patch of the pod template)', (n) => ['patch', 'statefulset', n, '--type=merge', '-p', '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":301}}}}']],
    ['kubectl scale', (n) => ['scale', `statefulset/${n}`, '--replicas=0']],
    ['kubectl set image', (n) => ['set', 'image', `statefulset/${n}`, 'seid=ghcr.io/sei-protocol/sei:v6.1.1']],
  ])('%s, then an emptied status ⇒ re-adopted, 0 deletes, by a running and by a restarted reconciler', async (_, action) => {
    const name = `op-${Math.random().toString(36).slice(2, 7)}`;
    await sync(ns.name, nodeProps(name));
    const running = controllerFor(ns.name);
    await running.start();
    try {
      const uid = await eventually('tracked', async () => trackedUid(name), 30_000);
      await kubectlOk([...action(name), '-n', ns.name]);
      await resyncSeiNode(name, true);
      await eventually('re-adopted by the running reconciler', async () => (await trackedUid(name)) === uid);
      expect(await deleted(running)).toBe(0);
    } finally {
      await running.stop();
    }
    // A new reconciler (a restart, a migration, a restore) meets the same StatefulSet with an empty status.
    await resyncSeiNode(name, false);
    const fresh = controllerFor(ns.name);
    await fresh.start();
    try {
      await eventually('re-adopted by a fresh reconciler', async () => (await trackedUid(name)) === (await liveUid(name)));
      await new Promise((r) => setTimeout(r, 1000));
      expect(await deleted(fresh)).toBe(0);
      expect((await live.node(name)).status?.origin).toMatchObject({ creators: ['argocd-controller'], witnessed: false });
    } finally {
      await fresh.stop();
    }
  }, 90_000);

  it('a hand-made StatefulSet co-applied by GitOps while no reconciler ran is still an impostor: deleted', async () => {
    await sync(ns.name, nodeProps('coapplied'));
    const first = controllerFor(ns.name);
    await first.start();
    await eventually('tracked', async () => trackedUid('coapplied'));
    await first.stop();
    await live.deleteStsAndWait('coapplied');
    await kubectlCreate(statefulSetOf(ns.name, nodeProps('coapplied')));
    const impostor = (await liveUid('coapplied'))!;
    await argoSync(ns.name, [statefulSetOf(ns.name, nodeProps('coapplied'))], { app: `${ns.name}.coapplied` }); // Argo CD SSA adopts it silently
    controller = controllerFor(ns.name);
    await controller.start();
    await eventually('the co-applied impostor to be deleted', async () => (await liveUid('coapplied')) !== impostor);
    const events = await live.events('coapplied');
    expect(events.find((e) => e.reason === 'ImpostorDeleted')?.message).toMatch(new RegExp(`uid ${impostor}\\) is an impostor: it was created by "kubectl-create"`));
  }, 90_000);

  it('a witnessed kubectl create, then laundered by Flux while the reconciler restarts, is still deleted', async () => {
    await controller?.stop();
    await sync(ns.name, nodeProps('laundered'));
    const watcher = controllerFor(ns.name, { dryRun: true });
    await watcher.start();
    try {
      await eventually('tracked', async () => trackedUid('laundered'));
      await live.deleteStsAndWait('laundered');
      await kubectlCreate(statefulSetOf(ns.name, nodeProps('laundered')));
      await eventually('the creation recorded on the status', async () => (await live.node('laundered')).status?.origin?.witnessed === true);
    } finally {
      await watcher.stop();
    }
    const impostor = (await live.sts('laundered'))!;
    // Flux (the real engine) applies over it while no reconciler runs: its cleanup leaves one kustomize-controller entry.
    await fluxApply(ns.name, [statefulSetOf(ns.name, nodeProps('laundered'))], { name: `${ns.name}.laundered` });
    expect((await live.sts('laundered'))!.metadata!.managedFields!.filter((e) => !e.subresource).map((e) => e.manager)).toEqual(['kustomize-controller']);
    expect((await live.node('laundered')).status?.origin).toMatchObject({ uid: impostor.metadata!.uid, creators: ['kubectl-create'], witnessed: true });
    controller = controllerFor(ns.name);
    await controller.start();
    await eventually('the laundered impostor to be deleted', async () => (await liveUid('laundered')) !== impostor.metadata!.uid);
    const events = await live.events('laundered');
    expect(events.find((e) => e.reason === 'ImpostorDeleted')?.message).toMatch(new RegExp(`uid ${impostor.metadata!.uid}\\) is an impostor: it was created by "kubectl-create"`));
  }, 90_000);
});
