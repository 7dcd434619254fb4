import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FINGERPRINT_ANNOTATION } from '../../src/contract.js';
import type { Controller } from '../../src/reconciler/controller.js';
import { eventually, kubectlOk, useNamespace } from './helpers/cluster.js';
import { argoSync } from './helpers/engines.js';
import { FLUX, Live, installCrd, kubectlCreate, nodeProps, statefulSetOf, sync } from './helpers/gitops.js';
import { controllerFor } from './helpers/reconciler.js';

beforeAll(installCrd, 90_000);

/**
 * The reconciler against the real API server, with GitOps emulated (DESIGN §4): the seed operator's scenarios and
 * the impostor cases of issue 4. One controller watches this file's namespace for all of them.
 */
describe('seinode-reconciler', () => {
  const ns = useNamespace('rec');
  let controller: Controller;
  let live: Live;

  beforeAll(async () => {
    live = new Live(ns.name);
    controller = controllerFor(ns.name, {}, 5);
    await controller.start();
  });
  afterAll(async () => controller?.stop());

  const tracked = async (name: string) => (await live.node(name)).status?.statefulSet;
  const liveUid = async (name: string) => (await live.sts(name))?.metadata?.uid;
  /** Waits until the node tracks exactly the live StatefulSet, and returns its uid. */
  const waitTracked = (name: string, notUid?: string) =>
    eventually(`${name} to track its live StatefulSet`, async () => {
      const [ref, uid] = [await tracked(name), await liveUid(name)];
      return ref && uid && ref.uid === uid && uid !== notUid && !(await live.sts(name))?.metadata?.deletionTimestamp ? uid : undefined;
    }, 60_000);
  /** DELETE requests sent, refused by a precondition or not: "nothing deleted" means none was even tried. */
  const deleteAttempts = () => controller.metrics.writeCount('delete');
  /** Impostors actually deleted. A DELETE refused by its resourceVersion precondition (the StatefulSet controller
   *  wrote status in between) is retried, so attempts can exceed deletions. */
  const deleted = () => controller.metrics.deletedCount();

  it('records {name, uid} on the first observation, with a Tracked condition and an Adopted Event', async () => {
    await sync(ns.name, nodeProps('first'));
    const uid = await waitTracked('first');
    const node = await live.node('first');
    expect(node.status?.statefulSet).toEqual({ name: 'first', uid });
    expect(live.condition(node, 'StatefulSetTracked')).toMatchObject({ status: 'True', reason: 'Tracked' });
    expect(node.status?.observedGeneration).toBe(node.metadata.generation);
    expect(await live.eventReasons('first')).toContain('Adopted');
  });

  it('pause manifest ⇒ replicas 0 and Paused reported; unpause ⇒ replicas 1', async () => {
    await sync(ns.name, nodeProps('pausable'));
    await waitTracked('pausable');
    await sync(ns.name, nodeProps('pausable', { paused: true }));
    await eventually('Paused=True and replicas as expected', async () => {
      const node = await live.node('pausable');
      return live.condition(node, 'Paused')?.status === 'True' && live.condition(node, 'ReplicasAsExpected')?.status === 'True';
    });
    expect((await live.sts('pausable'))?.spec?.replicas).toBe(0);
    await sync(ns.name, nodeProps('pausable', { paused: false }));
    await eventually('Paused=False', async () => live.condition(await live.node('pausable'), 'Paused')?.status === 'False');
    expect((await live.sts('pausable'))?.spec?.replicas).toBe(1);
  });

  it('tracked StatefulSet deleted out of band and recreated by GitOps ⇒ the new UID is tracked, nothing deleted', async () => {
    await sync(ns.name, nodeProps('recreated'));
    const first = await waitTracked('recreated');
    const before = await deleteAttempts();
    await live.deleteStsAndWait('recreated');
    await eventually('the ref to be cleared', async () => (await tracked('recreated')) === undefined);
    expect(await live.eventReasons('recreated')).toContain('StatefulSetDeleted');
    await sync(ns.name, nodeProps('recreated'));
    const second = await waitTracked('recreated', first);
    expect(second).not.toBe(first);
    expect(await deleteAttempts()).toBe(before);
  });

  it('a Flux force-style delete+recreate under kustomize-controller is adopted, never deleted', async () => {
    await sync(ns.name, nodeProps('flux-force'));
    const first = await waitTracked('flux-force');
    const before = await deleteAttempts();
    await live.deleteStsAndWait('flux-force');
    await sync(ns.name, nodeProps('flux-force'), FLUX);
    const second = await waitTracked('flux-force', first);
    expect((await live.sts('flux-force'))?.metadata?.uid).toBe(second);
    expect(await deleteAttempts()).toBe(before);
    expect(await live.eventReasons('flux-force')).not.toContain('ImpostorDeleted');
  });

  it('an impostor with a forged spec is deleted; the GitOps StatefulSet that follows is adopted with no second delete', async () => {
    await sync(ns.name, nodeProps('forged'));
    await waitTracked('forged');
    await live.deleteStsAndWait('forged');
    const forged = statefulSetOf(ns.name, nodeProps('forged', { image: 'attacker.example/seid:evil' }));
    // The forger copies the expected fingerprint too: it proves nothing.
    (forged.metadata.annotations as Record<string, string>)[FINGERPRINT_ANNOTATION] = (
      statefulSetOf(ns.name, nodeProps('forged')).metadata.annotations as Record<string, string>
    )[FINGERPRINT_ANNOTATION];
    const before = await deleted();
    await kubectlCreate(forged);
    const impostorUid = await liveUid('forged');
    await eventually('the impostor to be gone', async () => (await liveUid('forged')) !== impostorUid, 60_000);
    expect(await deleted()).toBe(before + 1);
    expect(await live.eventReasons('forged')).toContain('ImpostorDeleted');
    await sync(ns.name, nodeProps('forged'));
    const adopted = await waitTracked('forged', impostorUid);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await liveUid('forged')).toBe(adopted);
    expect(await deleted()).toBe(before + 1);
  });

  it('a kubectl-created exact copy (same fingerprint, same GitOps labels) is deleted', async () => {
    await sync(ns.name, nodeProps('copycat'));
    await waitTracked('copycat');
    await live.deleteStsAndWait('copycat');
    await kubectlCreate(statefulSetOf(ns.name, nodeProps('copycat')));
    const uid = await liveUid('copycat');
    await eventually('the copy to be deleted', async () => (await liveUid('copycat')) !== uid, 60_000);
    const node = await live.node('copycat');
    expect(node.status?.statefulSet).toBeUndefined();
    expect(await live.eventReasons('copycat')).toContain('ImpostorDeleted');
  });

  it('a pending StatefulSet becomes an impostor after the grace; one that owns a PVC is refused, not deleted', async () => {
    await sync(ns.name, nodeProps('owner'));
    await waitTracked('owner');
    await live.deleteStsAndWait('owner');
    // Applied under Argo CD's field manager but not what the SeiNode expects (another image, so another
    // fingerprint): provenance is pending for the 5 s grace, which leaves time to hand it a PVC before the verdict.
    await argoSync(ns.name, [statefulSetOf(ns.name, nodeProps('owner', { image: 'ghcr.io/sei-protocol/sei:v6.1.1' }))], { app: `${ns.name}.owner` });
    const impostor = (await live.sts('owner'))!;
    await live.core.createNamespacedPersistentVolumeClaim({
      namespace: ns.name,
      body: {
        metadata: {
          name: 'stolen-data',
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'owner', uid: impostor.metadata!.uid! }],
        },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    // Nudge: the PVC is not watched, the StatefulSet is; a label change on it triggers a reconcile.
    await kubectlOk(['label', 'statefulset', 'owner', '-n', ns.name, 'nudge=1']);
    await eventually('DeletionRefused', async () => live.condition(await live.node('owner'), 'StatefulSetTracked')?.reason === 'DeletionRefused');
    expect(live.condition(await live.node('owner'), 'StatefulSetTracked')?.message).toMatch(
      /is an impostor: .*still after the 5s grace period; not deleting it because PVC stolen-data would be garbage-collected/,
    );
    expect(await live.eventReasons('owner')).toContain('ImpostorDeletionRefused');
    expect((await live.sts('owner'))?.metadata?.uid).toBe(impostor.metadata!.uid);
    // What the message asks for: fix the ownership by hand. The PVC change alone brings the reconciler back.
    await kubectlOk(['patch', 'pvc', 'stolen-data', '-n', ns.name, '--type=json', '-p', '[{"op":"remove","path":"/metadata/ownerReferences"}]']);
    const fixed = Date.now();
    await eventually('the impostor to be deleted once it owns no PVC', async () => (await live.sts('owner'))?.metadata?.uid !== impostor.metadata!.uid, 10_000);
    process.stderr.write(`PVC fixed → impostor deleted in ${Date.now() - fixed} ms\n`);
    await sync(ns.name, nodeProps('owner'));
    await waitTracked('owner', impostor.metadata!.uid);
  });

  it('the churn breaker stops deleting after 3 impostors in the window: ImpostorLoop=True and a warning Event', async () => {
    await sync(ns.name, nodeProps('churn'));
    await waitTracked('churn');
    await live.deleteStsAndWait('churn');
    const before = await deleted();
    for (let i = 0; i < 3; i++) {
      await kubectlCreate(statefulSetOf(ns.name, nodeProps('churn')));
      const uid = await liveUid('churn');
      await eventually(`impostor ${i + 1} to be deleted`, async () => (await liveUid('churn')) !== uid, 60_000);
    }
    await kubectlCreate(statefulSetOf(ns.name, nodeProps('churn')));
    const fourth = await liveUid('churn');
    await eventually('the breaker to hold the fourth', async () => live.condition(await live.node('churn'), 'StatefulSetTracked')?.reason === 'ImpostorLoop');
    expect(live.condition(await live.node('churn'), 'ImpostorLoop')).toMatchObject({ status: 'True', reason: 'TooManyDeletions' });
    expect(await live.eventReasons('churn')).toContain('ImpostorLoop');
    await new Promise((r) => setTimeout(r, 2000));
    expect(await liveUid('churn')).toBe(fourth);
    expect(await deleted()).toBe(before + 3);
    // Clean up for the steady-state test below: the breaker stays open, so remove the fourth by hand.
    await live.deleteStsAndWait('churn');
    await kubectlOk(['delete', 'seinode', 'churn', '-n', ns.name]);
  });

  it('steady state: with every node tracked and nothing changing, zero writes in 30 s (resync every 5 s)', async () => {
    const names = ['first', 'pausable', 'recreated', 'flux-force', 'forged', 'copycat', 'owner'];
    await sync(ns.name, nodeProps('copycat'));
    for (const n of names) await waitTracked(n);
    await new Promise((r) => setTimeout(r, 3000)); // let in-flight requeues land
    const rvs = async () => Promise.all(names.map(async (n) => (await live.node(n)).metadata.resourceVersion));
    const events = async () => (await live.core.listNamespacedEvent({ namespace: ns.name })).items.length;
    const [writes0, rvs0, events0] = [await controller.metrics.writeCount(), await rvs(), await events()];
    const reconciles0 = (await controller.metrics.reconciles.get()).values.reduce((n, v) => n + v.value, 0);
    await new Promise((r) => setTimeout(r, 30_000));
    const reconciles = (await controller.metrics.reconciles.get()).values.reduce((n, v) => n + v.value, 0) - reconciles0;
    const writes = (await controller.metrics.writeCount()) - writes0;
    process.stderr.write(`steady state: ${reconciles} reconciles, ${writes} writes in 30 s\n`);
    expect(reconciles).toBeGreaterThanOrEqual(names.length * 5); // it did look, repeatedly
    expect(writes).toBe(0);
    expect(await rvs()).toEqual(rvs0);
    expect(await events()).toBe(events0);
  }, 60_000);
});

describe('seinode-reconciler --dry-run', () => {
  const ns = useNamespace('dry');
  let controller: Controller;
  let live: Live;
  beforeAll(async () => {
    live = new Live(ns.name);
    controller = controllerFor(ns.name, { dryRun: true });
    await controller.start();
  });
  afterAll(async () => controller?.stop());

  it('reports an impostor (condition + Event) and deletes nothing', async () => {
    await sync(ns.name, nodeProps('dry'));
    await kubectlOk(['delete', 'statefulset', 'dry', '-n', ns.name, '--wait=true']);
    await kubectlCreate(statefulSetOf(ns.name, nodeProps('dry')));
    const uid = (await live.sts('dry'))!.metadata!.uid;
    await eventually('ImpostorDetected', async () => live.condition(await live.node('dry'), 'StatefulSetTracked')?.reason === 'ImpostorDetected');
    const node = await live.node('dry');
    expect(live.condition(node, 'StatefulSetTracked')?.message).toMatch(/is an impostor: it was created by "kubectl-create".*dry-run: would delete it/);
    expect(await live.eventReasons('dry')).toContain('ImpostorDetected');
    await new Promise((r) => setTimeout(r, 2000));
    expect((await live.sts('dry'))?.metadata?.uid).toBe(uid);
    expect(await controller.metrics.writeCount('delete')).toBe(0);
  });
});
