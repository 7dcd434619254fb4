import { describe, expect, it } from '@jest/globals';
import { IMPOSTOR_LOOP, PAUSED, REPLICAS, TRACKED, decide, deletionsInWindow, type Action, type DecideInput } from '../../../src/reconciler/decide.js';
import { rfc3339 } from '../../../src/reconciler/conditions.js';
import { originOf } from '../../../src/reconciler/provenance.js';
import type { DeletionRecord, Origin, SeiNodeStatus } from '../../../src/reconciler/types.js';
import { MANAGED_FIELDS, NOW, OTHER_F, POLICY, node, secondsAgo, sts } from './fixtures.js';

const tracked = (uid = 'uid-1'): SeiNodeStatus => ({ statefulSet: { name: 'rpc-0', uid } });
const deletion = (s: number, uid = `gone-${s}`): DeletionRecord => ({ uid, time: rfc3339(secondsAgo(s)) });

/** Row overrides; `witnessed` and `firstSeen` shape the origin taken from the row's StatefulSet, `creators` replaces its creators. */
type Row = Partial<DecideInput> & { witnessed?: boolean; firstSeen?: Date; creators?: string[] };
const input = ({ witnessed = true, firstSeen = NOW, creators, ...over }: Row): DecideInput => {
  const s = over.sts;
  const origin: Origin | undefined = s ? { ...originOf(s, firstSeen, witnessed), ...(creators ? { creators } : {}) } : undefined;
  return {
    node: node(),
    sts: undefined,
    ...(origin ? { origin } : {}),
    policy: POLICY,
    now: NOW,
    recentDeletions: [],
    fleetDeletionsInWindow: 0,
    impostorOwnedClaims: [],
    ...over,
  };
};
const condition = (status: SeiNodeStatus, type: string) => status.conditions?.find((c) => c.type === type);
const CREATE = { managedFields: MANAGED_FIELDS.kubectlCreate };

/**
 * The decision table (decide.ts, README "The reconciler"), one row per line, and the cases issue 7 lists. Columns:
 * the row, the input, then what must come out: the action, whether something is deleted, the tracked ref R
 * afterwards, the StatefulSetTracked condition (status/reason), the Events' reasons.
 */
const TABLE: [string, Row, Action, boolean, string | undefined, string, string[]][] = [
  ['no S, R empty → nothing; NotFound', {}, 'none', false, undefined, 'False/NotFound', []],
  ['no S, R set → clear R; Deleted; Event', { node: node({ status: tracked() }) }, 'clear', false, undefined, 'False/Deleted', ['StatefulSetDeleted']],
  ['S terminating → wait, never adopt it', { sts: sts({ terminating: true }) }, 'wait', false, undefined, 'False/Terminating', []],
  ['S terminating, R ≠ S → wait, clear R', { node: node({ status: tracked('old') }), sts: sts({ terminating: true }) }, 'wait', false, undefined, 'False/Terminating', []],
  ['S terminating, R = S → wait, keep R', { node: node({ status: tracked() }), sts: sts({ terminating: true }) }, 'wait', false, 'uid-1', 'False/Terminating', []],
  ['S.uid == R.uid → in sync', { node: node({ status: tracked() }), sts: sts() }, 'in-sync', false, 'uid-1', 'True/Tracked', []],
  ['S.uid == R.uid, whoever wrote it since → in sync (provenance is judged once)', { node: node({ status: tracked() }), sts: sts(CREATE) }, 'in-sync', false, 'uid-1', 'True/Tracked', []],

  // Created by GitOps: adopted, whatever touched it since and whether or not the reconciler saw it created.
  ['first observe, created by Argo CD (SSA) → adopt', { sts: sts() }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  ['first observe, created by Flux → adopt', { sts: sts({ managedFields: MANAGED_FIELDS.flux }) }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  ['running fleet, not witnessed, created by Argo CD → adopt', { sts: sts(), witnessed: false }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  ['empty status after kubectl rollout restart → re-adopt, no delete', { sts: sts({ managedFields: MANAGED_FIELDS.argocdThenRollout }), witnessed: false }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  ['empty status after kubectl patch/edit → re-adopt, no delete', { sts: sts({ managedFields: MANAGED_FIELDS.argocdThenPatch }), witnessed: false }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  ['empty status after kubectl scale → re-adopt, no delete', { sts: sts({ managedFields: MANAGED_FIELDS.argocdThenScale }), witnessed: false }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  ['empty status, leftover client-side-apply entry → re-adopt, no delete', { sts: sts({ managedFields: MANAGED_FIELDS.argocdThenClientSideApply }), witnessed: false }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  [
    'UID mismatch, created by GitOps (Flux force / Argo Replace recreation) → adopt, no delete',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'uid-2', managedFields: MANAGED_FIELDS.fluxTakeover }) },
    'adopt', false, 'uid-2', 'True/Tracked', ['Adopted'],
  ],
  [
    'UID mismatch, status written by the StatefulSet controller too → still adopted',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'uid-2', managedFields: MANAGED_FIELDS.argocdThenController }) },
    'adopt', false, 'uid-2', 'True/Tracked', ['Adopted'],
  ],

  // Created by anyone else: an impostor.
  [
    'UID mismatch, kubectl create with the copied fingerprint → delete, clear R',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'evil', ...CREATE }) },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'UID mismatch, kubectl create while the reconciler was down (not witnessed) → delete: R proves a replacement',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'evil', ...CREATE }), witnessed: false },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'hand-made, then co-applied by Argo CD → still an impostor: delete',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreateThenArgocd }) },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'hand-made, then laundered by Flux (managedFields now say kustomize-controller only) → the recorded creator decides: delete',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.flux }), creators: ['kubectl-create', 'kustomize-controller'] },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  ['R empty, witnessed kubectl create → delete', { sts: sts({ uid: 'evil', ...CREATE }) }, 'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted']],
  ['R empty, witnessed client-side kubectl apply → delete', { sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.clientSideApply }) }, 'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted']],
  ['no managedFields at all → impostor (origin unprovable)', { sts: sts({ uid: 'evil', managedFields: [] }) }, 'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted']],
  [
    'first observation (R empty, not witnessed), kubectl create → hold: reported, never deleted',
    { sts: sts({ uid: 'evil', ...CREATE }), witnessed: false },
    'hold', false, undefined, 'False/FirstObservation', ['ImpostorDetected'],
  ],
  [
    'first observation, hand-made then co-applied → hold',
    { sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreateThenArgocd }), witnessed: false },
    'hold', false, undefined, 'False/FirstObservation', ['ImpostorDetected'],
  ],

  // Created by GitOps, not (yet) what the SeiNode expects.
  ['fingerprint pending, first seen → requeue, no delete', { sts: sts({ uid: 'uid-2', fingerprint: OTHER_F }) }, 'pending', false, undefined, 'Unknown/ProvenancePending', []],
  ['fingerprint pending within grace → requeue', { sts: sts({ uid: 'uid-2', fingerprint: OTHER_F }), firstSeen: secondsAgo(59) }, 'pending', false, undefined, 'Unknown/ProvenancePending', []],
  [
    'fingerprint pending past grace (first seen 60 s ago, on the status) → impostor',
    { sts: sts({ uid: 'uid-2', fingerprint: OTHER_F }), firstSeen: secondsAgo(60) },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],

  // Reasons not to delete an impostor.
  ['dry-run → report only: condition + Event, nothing deleted', { sts: sts({ uid: 'evil', ...CREATE }), policy: { ...POLICY, dryRun: true } }, 'report', false, undefined, 'False/ImpostorDetected', ['ImpostorDetected']],
  [
    'node breaker: 3 deletions in the window → stop deleting, ImpostorLoop',
    { sts: sts({ uid: 'evil', ...CREATE }), recentDeletions: [deletion(30), deletion(20), deletion(10)] },
    'breaker', false, undefined, 'False/ImpostorLoop', ['ImpostorLoop'],
  ],
  [
    'node breaker: deletions older than the window do not count',
    { sts: sts({ uid: 'evil', ...CREATE }), recentDeletions: [deletion(900), deletion(20), deletion(10)] },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'node breaker: a delete retried on one UID counts once',
    { sts: sts({ uid: 'evil', ...CREATE }), recentDeletions: [deletion(30, 'x'), deletion(20, 'x'), deletion(10)] },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'fleet breaker: 10 deletions across the fleet in the window → stop deleting here too',
    { sts: sts({ uid: 'evil', ...CREATE }), fleetDeletionsInWindow: 10 },
    'breaker', false, undefined, 'False/ImpostorLoop', ['ImpostorLoop'],
  ],
  [
    'impostor owns a PVC → refuse to delete (GC would take chain data)',
    { sts: sts({ uid: 'evil', ...CREATE }), impostorOwnedClaims: ['data-rpc-0'] },
    'refuse', false, undefined, 'False/DeletionRefused', ['ImpostorDeletionRefused'],
  ],
  [
    'SeiNode without an expected fingerprint → neither adopt nor delete',
    { node: node({ fingerprint: null }), sts: sts({ uid: 'x', ...CREATE }) },
    'unverifiable', false, undefined, 'Unknown/FingerprintMissing', ['ProvenanceUnverifiable'],
  ],
];

describe('decide(): the decision table', () => {
  it.each(TABLE)('%s', (_, over, action, deletes, refUid, trackedCondition, events) => {
    const d = decide(input(over));
    expect(d.action).toBe(action);
    expect(d.delete !== undefined).toBe(deletes);
    if (deletes) expect(d.delete).toEqual({ name: 'rpc-0', uid: over.sts!.metadata!.uid, resourceVersion: '42' });
    expect(d.status.statefulSet?.uid).toBe(refUid);
    const c = condition(d.status, TRACKED)!;
    expect(`${c.status}/${c.reason}`).toBe(trackedCondition);
    expect(d.events.map((e) => e.reason)).toEqual(events);
    expect(d.statusChanged).toBe(true);
  });

  it('covers every action', () => {
    const actions = new Set(TABLE.map((r) => r[2]));
    for (const a of ['none', 'clear', 'wait', 'in-sync', 'unverifiable', 'adopt', 'pending', 'refuse', 'hold', 'breaker', 'report', 'delete'] as Action[])
      expect(actions).toContain(a);
  });
});

describe('decide(): what the status keeps', () => {
  it('keeps the origin of the live StatefulSet (who created it, first seen when), and drops it with the object', () => {
    const d = decide(input({ sts: sts(), firstSeen: secondsAgo(5) }));
    expect(d.status.origin).toEqual({ uid: 'uid-1', creators: ['argocd-controller'], firstSeen: '2026-11-23T11:59:55Z', witnessed: true });
    expect(decide(input({ node: node({ status: d.status }) })).status.origin).toBeUndefined();
  });

  it('ignores an origin record of another UID: the object is taken as found now, not witnessed', () => {
    const d = decide({ ...input({ sts: sts({ uid: 'uid-2' }) }), origin: { uid: 'uid-1', creators: ['kubectl-create'], firstSeen: '2026-11-23T11:00:00Z', witnessed: true } });
    expect(d.status.origin).toEqual({ uid: 'uid-2', creators: ['argocd-controller'], firstSeen: '2026-11-23T12:00:00Z', witnessed: false });
    const { origin: _none, ...without } = input({ sts: sts({ uid: 'evil', ...CREATE }) });
    expect(decide(without).action).toBe('hold');
  });

  it('records a deletion on the status it writes before the DELETE, trimmed to the window', () => {
    const d = decide(input({ sts: sts({ uid: 'evil', ...CREATE }), recentDeletions: [deletion(900), deletion(20)] }));
    expect(d.action).toBe('delete');
    expect(d.status.impostorDeletions).toEqual([deletion(20), { uid: 'evil', time: '2026-11-23T12:00:00Z' }]);
  });

  it('deletionsInWindow: one per UID (the earliest), oldest first', () => {
    expect(deletionsInWindow([deletion(5, 'a'), deletion(50, 'b'), deletion(30, 'a'), deletion(700, 'c')], NOW, 600)).toEqual([deletion(50, 'b'), deletion(30, 'a')]);
  });
});

describe('decide(): level-triggered and idempotent', () => {
  /** Feeds a decision's status back in, as the next reconcile would read it. */
  const again = (first: DecideInput, later = NOW) => {
    const d1 = decide(first);
    return decide({ ...first, node: { ...first.node, status: d1.status }, recentDeletions: d1.status.impostorDeletions ?? [], now: later });
  };

  it('a re-statement of the same facts changes nothing: no write, no Event', () => {
    for (const row of TABLE.filter(([, , a]) => ['none', 'in-sync', 'adopt', 'report', 'breaker', 'hold', 'refuse'].includes(a))) {
      const first = input(row[1]);
      const d2 = again(first, new Date(NOW.getTime() + 1000));
      if (row[2] === 'adopt') expect(d2.action).toBe('in-sync');
      expect(d2.statusChanged).toBe(false);
      expect(d2.events).toEqual([]);
    }
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = input({ sts: sts() });
    const d1 = decide(first);
    const d2 = again(first, new Date(NOW.getTime() + 60_000));
    expect(condition(d2.status, TRACKED)!.lastTransitionTime).toBe(condition(d1.status, TRACKED)!.lastTransitionTime);
  });

  it('after deleting an impostor, the GitOps StatefulSet that replaces it is adopted: no second delete', () => {
    const d1 = decide(input({ node: node({ status: tracked('old') }), sts: sts({ uid: 'evil', ...CREATE }) }));
    expect(d1.action).toBe('delete');
    const after = node({ status: d1.status });
    expect(decide(input({ node: after, sts: sts({ uid: 'evil', terminating: true, ...CREATE }) })).action).toBe('wait');
    const d3 = decide(input({ node: after, sts: sts({ uid: 'fresh' }), recentDeletions: d1.status.impostorDeletions! }));
    expect(d3.action).toBe('adopt');
    expect(d3.status.statefulSet).toEqual({ name: 'rpc-0', uid: 'fresh' });
    expect(d3.status.impostorDeletions).toEqual([{ uid: 'evil', time: '2026-11-23T12:00:00Z' }]);
  });
});

describe('decide(): the other conditions', () => {
  it('reports Paused and whether replicas match the expectation', () => {
    const d = decide(input({ node: node({ paused: true, status: tracked() }), sts: sts({ replicas: 1 }) }));
    expect(condition(d.status, PAUSED)).toMatchObject({ status: 'True', reason: 'Paused' });
    expect(condition(d.status, REPLICAS)).toMatchObject({ status: 'False', reason: 'Mismatch' });
    const synced = decide(input({ node: node({ paused: true, status: tracked() }), sts: sts({ replicas: 0 }) }));
    expect(condition(synced.status, REPLICAS)).toMatchObject({ status: 'True', reason: 'AsExpected' });
  });

  it('never writes replicas: its only outputs are status, Events and a delete of an impostor', () => {
    const d = decide(input({ node: node({ paused: true, status: tracked() }), sts: sts({ replicas: 1 }) }));
    expect(Object.keys(d).sort()).toEqual(['action', 'events', 'status', 'statusChanged', 'summary']);
  });

  it('stamps observedGeneration on the status and on every condition', () => {
    const d = decide(input({ node: node({ generation: 7 }), sts: sts() }));
    expect(d.status.observedGeneration).toBe(7);
    expect(d.status.conditions!.every((c) => c.observedGeneration === 7)).toBe(true);
  });

  it('opens the node breaker again once the window has passed, and says when to look', () => {
    const tripped = decide(input({ sts: sts({ uid: 'evil', ...CREATE }), recentDeletions: [deletion(590), deletion(20), deletion(10)] }));
    expect(condition(tripped.status, IMPOSTOR_LOOP)).toMatchObject({ status: 'True', reason: 'TooManyDeletions' });
    expect(tripped.requeueAfterSeconds).toBe(10);
  });

  it('names the fleet breaker when it is the one holding', () => {
    const tripped = decide(input({ sts: sts({ uid: 'evil', ...CREATE }), fleetDeletionsInWindow: 12 }));
    expect(condition(tripped.status, IMPOSTOR_LOOP)).toMatchObject({ status: 'True', reason: 'FleetTooManyDeletions' });
    expect(condition(tripped.status, TRACKED)!.message).toMatch(/12 impostors deleted across the fleet within 600s/);
  });

  it('says ImpostorLoop only while a breaker holds an impostor back, not merely after deletions', () => {
    const recent = [deletion(30), deletion(20), deletion(10)];
    expect(condition(decide(input({ recentDeletions: recent })).status, IMPOSTOR_LOOP)).toMatchObject({ status: 'False', reason: 'NoLoop' });
  });

  it('requeues a pending StatefulSet exactly when its grace ends', () => {
    expect(decide(input({ sts: sts({ fingerprint: OTHER_F }), firstSeen: secondsAgo(45) })).requeueAfterSeconds).toBe(15);
  });

  it('says why a first observation is only reported', () => {
    const d = decide(input({ sts: sts({ uid: 'evil', ...CREATE }), witnessed: false }));
    expect(condition(d.status, TRACKED)!.message).toMatch(/is an impostor: it was created by "kubectl-create".*not deleting on a first observation/);
  });
});
