import { describe, expect, it } from '@jest/globals';
import { IMPOSTOR_LOOP, PAUSED, REPLICAS, TRACKED, decide, type Action, type DecideInput } from '../../../src/reconciler/decide.js';
import type { SeiNodeStatus } from '../../../src/reconciler/types.js';
import { MANAGED_FIELDS, NOW, OTHER_F, POLICY, node, secondsAgo, sts } from './fixtures.js';

const tracked = (uid = 'uid-1'): SeiNodeStatus => ({ statefulSet: { name: 'rpc-0', uid } });
const input = (over: Partial<DecideInput>): DecideInput => ({
  node: node(),
  sts: undefined,
  policy: POLICY,
  now: NOW,
  recentDeletions: [],
  impostorOwnedClaims: [],
  ...over,
});
const condition = (status: SeiNodeStatus, type: string) => status.conditions?.find((c) => c.type === type);

/**
 * DESIGN §3, one row per line of the table (and the cases issue 4 lists). Columns: the row, the input, then what
 * must come out: the action, whether something is deleted, the tracked ref R afterwards, the StatefulSetTracked
 * condition (status/reason), the Events' reasons.
 */
const TABLE: [string, Partial<DecideInput>, Action, boolean, string | undefined, string, string[]][] = [
  ['no S, R empty → nothing; NotFound', {}, 'none', false, undefined, 'False/NotFound', []],
  ['no S, R set → clear R; Deleted; Event', { node: node({ status: tracked() }) }, 'clear', false, undefined, 'False/Deleted', ['StatefulSetDeleted']],
  ['S terminating → wait, never adopt it', { sts: sts({ terminating: true }) }, 'wait', false, undefined, 'False/Terminating', []],
  ['S terminating, R ≠ S → wait, clear R', { node: node({ status: tracked('old') }), sts: sts({ terminating: true }) }, 'wait', false, undefined, 'False/Terminating', []],
  ['S terminating, R = S → wait, keep R', { node: node({ status: tracked() }), sts: sts({ terminating: true }) }, 'wait', false, 'uid-1', 'False/Terminating', []],
  ['S.uid == R.uid → in sync', { node: node({ status: tracked() }), sts: sts() }, 'in-sync', false, 'uid-1', 'True/Tracked', []],
  ['first observe, verified (Argo CD SSA) → adopt', { sts: sts() }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  ['first observe, verified (Flux SSA) → adopt', { sts: sts({ managedFields: MANAGED_FIELDS.flux }) }, 'adopt', false, 'uid-1', 'True/Tracked', ['Adopted']],
  [
    'UID mismatch, verified (GitOps recreation: Flux force / Argo Replace) → adopt, no delete',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'uid-2', managedFields: MANAGED_FIELDS.fluxTakeover }) },
    'adopt', false, 'uid-2', 'True/Tracked', ['Adopted'],
  ],
  [
    'UID mismatch, status written by the StatefulSet controller too → still verified',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'uid-2', managedFields: MANAGED_FIELDS.argocdThenController }) },
    'adopt', false, 'uid-2', 'True/Tracked', ['Adopted'],
  ],
  [
    'UID mismatch, kubectl create with the copied fingerprint → impostor: delete, clear R',
    { node: node({ status: tracked('old') }), sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate }) },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'first observe, client-side kubectl apply → impostor',
    { sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.clientSideApply }) },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  ['no managedFields at all → impostor (origin unprovable)', { sts: sts({ uid: 'evil', managedFields: [] }) }, 'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted']],
  [
    'fingerprint pending, first seen → requeue, no delete',
    { sts: sts({ uid: 'uid-2', fingerprint: OTHER_F }) },
    'pending', false, undefined, 'Unknown/ProvenancePending', [],
  ],
  [
    'fingerprint pending within grace → requeue',
    { sts: sts({ uid: 'uid-2', fingerprint: OTHER_F }), pendingSince: secondsAgo(59) },
    'pending', false, undefined, 'Unknown/ProvenancePending', [],
  ],
  [
    'fingerprint pending past grace → impostor',
    { sts: sts({ uid: 'uid-2', fingerprint: OTHER_F }), pendingSince: secondsAgo(60) },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'dry-run → report only: condition + Event, nothing deleted',
    { sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate }), policy: { ...POLICY, dryRun: true } },
    'report', false, undefined, 'False/ImpostorDetected', ['ImpostorDetected'],
  ],
  [
    'churn breaker: N deletions in the window → stop deleting, ImpostorLoop',
    { sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate }), recentDeletions: [secondsAgo(30), secondsAgo(20), secondsAgo(10)] },
    'breaker', false, undefined, 'False/ImpostorLoop', ['ImpostorLoop'],
  ],
  [
    'churn breaker: deletions older than the window do not count',
    { sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate }), recentDeletions: [secondsAgo(900), secondsAgo(20), secondsAgo(10)] },
    'delete', true, undefined, 'False/ImpostorDeleted', ['ImpostorDeleted'],
  ],
  [
    'impostor owns a PVC → refuse to delete (GC would take chain data)',
    { sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate }), impostorOwnedClaims: ['data-rpc-0'] },
    'refuse', false, undefined, 'False/DeletionRefused', ['ImpostorDeletionRefused'],
  ],
  [
    'SeiNode without an expected fingerprint → neither adopt nor delete',
    { node: node({ fingerprint: null }), sts: sts({ uid: 'x', managedFields: MANAGED_FIELDS.kubectlCreate }) },
    'unverifiable', false, undefined, 'Unknown/FingerprintMissing', ['ProvenanceUnverifiable'],
  ],
];

describe('decide(): the DESIGN §3 decision table', () => {
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
});

describe('decide(): level-triggered and idempotent', () => {
  /** Feeds a decision's status back in, as the next reconcile would read it. */
  const again = (first: DecideInput, later = NOW) => {
    const d1 = decide(first);
    return decide({ ...first, node: { ...first.node, status: d1.status }, now: later });
  };

  it('a re-statement of the same facts changes nothing: no write, no Event', () => {
    for (const row of TABLE.filter(([, , a]) => a === 'none' || a === 'in-sync' || a === 'adopt' || a === 'report' || a === 'breaker')) {
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
    const d1 = decide(input({ node: node({ status: tracked('old') }), sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate }) }));
    expect(d1.action).toBe('delete');
    const after = node({ status: d1.status });
    expect(decide(input({ node: after, sts: sts({ uid: 'evil', terminating: true, managedFields: MANAGED_FIELDS.kubectlCreate }) })).action).toBe('wait');
    const d3 = decide(input({ node: after, sts: sts({ uid: 'fresh' }), recentDeletions: [NOW] }));
    expect(d3.action).toBe('adopt');
    expect(d3.status.statefulSet).toEqual({ name: 'rpc-0', uid: 'fresh' });
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

  it('opens the breaker again once the window has passed, and says when to look', () => {
    const deletions = [secondsAgo(590), secondsAgo(20), secondsAgo(10)];
    const tripped = decide(input({ sts: sts({ uid: 'evil', managedFields: MANAGED_FIELDS.kubectlCreate }), recentDeletions: deletions }));
    expect(condition(tripped.status, IMPOSTOR_LOOP)).toMatchObject({ status: 'True' });
    expect(tripped.requeueAfterSeconds).toBe(10);
  });

  it('says ImpostorLoop only while the breaker holds an impostor back, not merely after deletions', () => {
    const recent = [secondsAgo(30), secondsAgo(20), secondsAgo(10)];
    expect(condition(decide(input({ recentDeletions: recent })).status, IMPOSTOR_LOOP)).toMatchObject({ status: 'False', reason: 'NoLoop' });
  });

  it('requeues a pending StatefulSet exactly when its grace ends', () => {
    expect(decide(input({ sts: sts({ fingerprint: OTHER_F }), pendingSince: secondsAgo(45) })).requeueAfterSeconds).toBe(15);
  });
});
