import type { V1StatefulSet } from '@kubernetes/client-node';
import { EXPECTED_FINGERPRINT_ANNOTATION, MAX_DELETION_RECORDS } from '../contract.js';
import { type ConditionInput, rfc3339, sameStatus, setCondition } from './conditions.js';
import { originOf, provenanceOf } from './provenance.js';
import type { Condition, DeletionRecord, Origin, Policy, SeiNodeObject, SeiNodeStatus, StatefulSetRef } from './types.js';

/**
 * The reconciler's one decision (DESIGN §3 as revised by issue 7), pure: from what was observed to what to do and the
 * status to hold. S is the live StatefulSet named like the node, R the tracked ref `status.statefulSet`, O the origin
 * record of S (who created it, first seen when, whether that creation was witnessed — see provenance.ts).
 *
 * | observed                                              | outcome (`action`)                                         |
 * |-------------------------------------------------------|------------------------------------------------------------|
 * | no S, R empty                                         | `none`: Tracked=False/NotFound                             |
 * | no S, R set                                           | `clear`: R cleared, Tracked=False/Deleted, Event           |
 * | S terminating                                         | `wait`: requeue; never adopt or delete it again            |
 * | S.uid == R.uid                                        | `in-sync`: refresh Paused / ReplicasAsExpected; no write if same |
 * | R empty or S.uid ≠ R.uid, SeiNode has no fingerprint  | `unverifiable`: Tracked=Unknown/FingerprintMissing; no adopt, no delete |
 * | … created by allowed managers, fingerprint matches    | `adopt`: R = {S.name, S.uid}, Event Adopted                |
 * | … created by allowed managers, other fingerprint      | `pending` until the grace (from O.firstSeen) ends, then impostor |
 * | … created by anyone else                              | impostor: see below                                        |
 *
 * An impostor, in this order — each a reason NOT to delete comes before the delete:
 * 1. PVCs owned by it ⇒ `refuse` (garbage collection would take chain data);
 * 2. first observation — R empty and S's creation not witnessed (a fleet that already runs, a restore, a migration,
 *    `--once`) ⇒ `hold`: reported, never deleted, since what created it can no longer be told for sure;
 * 3. a churn breaker holds — this node's deletions in the window ≥ `maxDeletions`, or the fleet's ≥
 *    `fleetMaxDeletions` ⇒ `breaker` (ImpostorLoop=True);
 * 4. dry-run ⇒ `report`;
 * 5. else `delete` with preconditions {uid, resourceVersion}; the deletion is recorded on the status (written BEFORE
 *    the DELETE is sent, so a crash cannot forget it and a crash loop cannot reset the breaker).
 * R is cleared in every impostor outcome: R's object cannot exist while another one holds its name.
 *
 * Conditions: StatefulSetTracked (True/Tracked; False/NotFound, Deleted, Terminating, ImpostorDeleted,
 * ImpostorDetected, DeletionRefused, FirstObservation, ImpostorLoop; Unknown/ProvenancePending, FingerprintMissing),
 * Paused (True/Paused, False/Running), ReplicasAsExpected (True/AsExpected, False/Mismatch, NoStatefulSet),
 * ImpostorLoop (True/TooManyDeletions or FleetTooManyDeletions while a breaker holds back a delete, False/NoLoop).
 * Events are emitted only on a change, so a steady state makes no writes.
 */
export type Action =
  | 'none'
  | 'clear'
  | 'wait'
  | 'in-sync'
  | 'unverifiable'
  | 'adopt'
  | 'pending'
  | 'refuse'
  | 'hold'
  | 'breaker'
  | 'report'
  | 'delete';

export interface DecideInput {
  readonly node: SeiNodeObject;
  /** The live StatefulSet named like the node in its namespace, freshly read; undefined when there is none. */
  readonly sts: V1StatefulSet | undefined;
  /** The origin record of `sts`'s UID (status ∪ this process's sighting). @default `sts` as found now, not witnessed */
  readonly origin?: Origin;
  readonly policy: Policy;
  readonly now: Date;
  /** This node's impostor deletions (its status ∪ those this process made since); trimmed to the window here. */
  readonly recentDeletions: readonly DeletionRecord[];
  /** Impostor deletions across every node the reconciler watches within the breaker window, this node's included. */
  readonly fleetDeletionsInWindow: number;
  /** PVCs whose ownerReferences point at the live StatefulSet's UID. */
  readonly impostorOwnedClaims: readonly string[];
}

export interface NodeEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface Decision {
  readonly action: Action;
  readonly status: SeiNodeStatus;
  /** False when `status` equals what the node already has: then nothing is written. */
  readonly statusChanged: boolean;
  /** Set only for `delete`: the exact object to delete, as preconditions. */
  readonly delete?: { readonly name: string; readonly uid: string; readonly resourceVersion: string };
  readonly events: readonly NodeEvent[];
  readonly requeueAfterSeconds?: number;
  /** One line for logs and the `--once` table. */
  readonly summary: string;
}

export const TRACKED = 'StatefulSetTracked';
export const PAUSED = 'Paused';
export const REPLICAS = 'ReplicasAsExpected';
export const IMPOSTOR_LOOP = 'ImpostorLoop';

/** How soon to look again at a StatefulSet that is being deleted. */
export const TERMINATING_REQUEUE_SECONDS = 2;

/** Deletions of `records` within the window that ends `now`, oldest first, one per UID (a retried delete counts once). */
export function deletionsInWindow(records: readonly DeletionRecord[], now: Date, windowSeconds: number): DeletionRecord[] {
  const start = now.getTime() - windowSeconds * 1000;
  const byUid = new Map<string, DeletionRecord>();
  for (const r of records) {
    const t = Date.parse(r.time);
    if (!(t > start)) continue;
    const seen = byUid.get(r.uid);
    if (!seen || Date.parse(seen.time) > t) byUid.set(r.uid, r);
  }
  return [...byUid.values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.uid < b.uid ? -1 : 1));
}

export function decide(input: DecideInput): Decision {
  const { node, sts, policy, now } = input;
  const generation = node.metadata.generation;
  const ref = node.status?.statefulSet;
  const paused = node.spec.paused ?? false;
  const expectedReplicas = paused ? 0 : 1;
  const windowStart = now.getTime() - policy.breaker.windowSeconds * 1000;
  let deletions = deletionsInWindow(input.recentDeletions, now, policy.breaker.windowSeconds);
  const stsName = `${node.metadata.namespace}/${node.metadata.name}`;
  const uidOf = (s: V1StatefulSet) => s.metadata?.uid ?? '';
  const describe = (s: V1StatefulSet) => `StatefulSet ${s.metadata?.name} (uid ${uidOf(s)})`;
  // The origin belongs to the live object only: a record of another UID is stale, and without one the object is taken
  // as found now — not witnessed, so it can be adopted or reported but never deleted on a first observation.
  const origin = sts ? (input.origin?.uid === uidOf(sts) ? input.origin : originOf(sts, now, false)) : undefined;

  let conditions: readonly Condition[] = node.status?.conditions ?? [];
  const set = (c: ConditionInput) => (conditions = setCondition(conditions, c, now, generation));

  const finish = (
    action: Action,
    statefulSet: StatefulSetRef | undefined,
    tracked: ConditionInput,
    replicasSeen: V1StatefulSet | undefined,
    extra: Partial<Pick<Decision, 'delete' | 'requeueAfterSeconds'>> & { events?: NodeEvent[]; summary: string; loop?: ConditionInput },
  ): Decision => {
    set(tracked);
    set(
      paused
        ? { type: PAUSED, status: 'True', reason: 'Paused', message: 'spec.paused is true: the StatefulSet should run 0 replicas' }
        : { type: PAUSED, status: 'False', reason: 'Running', message: 'spec.paused is false: the StatefulSet should run 1 replica' },
    );
    const replicas = replicasSeen?.spec?.replicas;
    set(
      !replicasSeen
        ? { type: REPLICAS, status: 'False', reason: 'NoStatefulSet', message: 'no tracked StatefulSet' }
        : replicas === expectedReplicas
          ? { type: REPLICAS, status: 'True', reason: 'AsExpected', message: `replicas ${replicas}, as expected` }
          : {
              type: REPLICAS,
              status: 'False',
              reason: 'Mismatch',
              message: `replicas ${replicas ?? 'unset'}, expected ${expectedReplicas}: GitOps has not synced the node's manifests yet`,
            },
    );
    // True only while a breaker is actually holding back a delete, so the condition means "an impostor is standing
    // because of the breaker", not merely "deletions happened recently".
    set(extra.loop ?? { type: IMPOSTOR_LOOP, status: 'False', reason: 'NoLoop', message: 'no impostor churn' });
    const status: SeiNodeStatus = {
      ...(statefulSet ? { statefulSet: { name: statefulSet.name, uid: statefulSet.uid } } : {}),
      ...(origin ? { origin: { uid: origin.uid, creators: [...origin.creators], firstSeen: origin.firstSeen, witnessed: origin.witnessed } } : {}),
      ...(deletions.length > 0 ? { impostorDeletions: deletions.slice(-MAX_DELETION_RECORDS).map((d) => ({ uid: d.uid, time: d.time })) } : {}),
      conditions,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
    const statusChanged = !sameStatus(node.status, status);
    return {
      action,
      status,
      statusChanged,
      ...(extra.delete ? { delete: extra.delete } : {}),
      // An Event for every change and none for a re-statement: the steady state writes nothing.
      events: statusChanged || extra.delete ? (extra.events ?? []) : [],
      ...(extra.requeueAfterSeconds !== undefined ? { requeueAfterSeconds: extra.requeueAfterSeconds } : {}),
      summary: extra.summary,
    };
  };

  if (!sts) {
    if (!ref)
      return finish('none', undefined, { type: TRACKED, status: 'False', reason: 'NotFound', message: `no StatefulSet ${stsName}` }, undefined, {
        summary: 'no StatefulSet yet',
      });
    const message = `tracked StatefulSet ${ref.name} (uid ${ref.uid}) is gone`;
    return finish('clear', undefined, { type: TRACKED, status: 'False', reason: 'Deleted', message }, undefined, {
      events: [{ type: 'Warning', reason: 'StatefulSetDeleted', message }],
      summary: message,
    });
  }

  if (sts.metadata?.deletionTimestamp) {
    const message = `${describe(sts)} is being deleted; waiting for it to go`;
    // R survives only if it is this object: another UID cannot exist while this one holds the name.
    return finish('wait', ref?.uid === uidOf(sts) ? ref : undefined, { type: TRACKED, status: 'False', reason: 'Terminating', message }, undefined, {
      requeueAfterSeconds: TERMINATING_REQUEUE_SECONDS,
      summary: message,
    });
  }

  if (ref && ref.uid === uidOf(sts))
    return finish(
      'in-sync',
      ref,
      { type: TRACKED, status: 'True', reason: 'Tracked', message: `tracking ${describe(sts)}` },
      sts,
      { summary: `in sync with ${describe(sts)}` },
    );

  const expected = node.metadata.annotations?.[EXPECTED_FINGERPRINT_ANNOTATION];
  if (!expected) {
    const message = `${describe(sts)} cannot be verified: the SeiNode has no ${EXPECTED_FINGERPRINT_ANNOTATION} annotation (not synthesized by sei-gitops?); neither adopting nor deleting it`;
    return finish('unverifiable', undefined, { type: TRACKED, status: 'Unknown', reason: 'FingerprintMissing', message }, undefined, {
      events: [{ type: 'Warning', reason: 'ProvenanceUnverifiable', message }],
      summary: message,
    });
  }
  if (!origin) throw new Error('unreachable: a live StatefulSet always has an origin');

  const provenance = provenanceOf(origin, sts, expected, policy.allowedManagers);
  if (provenance.verdict === 'verified') {
    const adopted = { name: sts.metadata!.name!, uid: uidOf(sts) };
    return finish('adopt', adopted, { type: TRACKED, status: 'True', reason: 'Tracked', message: `tracking ${describe(sts)}` }, sts, {
      events: [{ type: 'Normal', reason: 'Adopted', message: `adopted ${describe(sts)}: ${provenance.reason}` }],
      summary: `adopted ${describe(sts)}`,
    });
  }

  let why = provenance.reason;
  if (provenance.verdict === 'pending') {
    const waited = (now.getTime() - Date.parse(origin.firstSeen)) / 1000;
    if (waited < policy.graceSeconds) {
      const message = `${describe(sts)}: ${provenance.reason}; waiting up to ${policy.graceSeconds}s for GitOps to sync`;
      return finish('pending', undefined, { type: TRACKED, status: 'Unknown', reason: 'ProvenancePending', message }, undefined, {
        requeueAfterSeconds: Math.max(1, Math.ceil(policy.graceSeconds - waited)),
        summary: message,
      });
    }
    why = `${provenance.reason}, still after the ${policy.graceSeconds}s grace period`;
  }

  const impostor = `${describe(sts)} is an impostor: ${why}`;
  if (input.impostorOwnedClaims.length > 0) {
    const message = `${impostor}; not deleting it because PVC ${input.impostorOwnedClaims.join(', ')} would be garbage-collected with it — fix ownership by hand`;
    return finish('refuse', undefined, { type: TRACKED, status: 'False', reason: 'DeletionRefused', message }, undefined, {
      events: [{ type: 'Warning', reason: 'ImpostorDeletionRefused', message }],
      summary: message,
    });
  }
  if (!ref && !origin.witnessed) {
    const message =
      `${impostor}; not deleting on a first observation: this node tracked no StatefulSet and the reconciler did not see this one ` +
      `created (a fleet that already ran, a restore or a migration), so who created it cannot be told for sure — ` +
      `delete it by hand if it is not GitOps', or let GitOps replace it`;
    return finish('hold', undefined, { type: TRACKED, status: 'False', reason: 'FirstObservation', message }, undefined, {
      events: [{ type: 'Warning', reason: 'ImpostorDetected', message }],
      summary: message,
    });
  }
  const fleetTripped = input.fleetDeletionsInWindow >= policy.breaker.fleetMaxDeletions;
  if (deletions.length >= policy.breaker.maxDeletions || fleetTripped) {
    const scope = fleetTripped
      ? `${input.fleetDeletionsInWindow} impostors deleted across the fleet within ${policy.breaker.windowSeconds}s — deleting stopped everywhere`
      : `${deletions.length} impostors deleted within ${policy.breaker.windowSeconds}s — something keeps recreating it`;
    const message = `${impostor}; not deleting: ${scope}`;
    // Look again when this node's oldest deletion leaves the window (the node breaker closes by itself then); the
    // fleet breaker's records live on other nodes, so re-check it at the next resync or event, at most a window away.
    const oldest = deletions.length > 0 ? Date.parse(deletions[0].time) : now.getTime();
    return finish('breaker', undefined, { type: TRACKED, status: 'False', reason: 'ImpostorLoop', message }, undefined, {
      events: [{ type: 'Warning', reason: 'ImpostorLoop', message }],
      requeueAfterSeconds: Math.max(1, Math.ceil((oldest - windowStart) / 1000)),
      summary: message,
      loop: {
        type: IMPOSTOR_LOOP,
        status: 'True',
        reason: fleetTripped ? 'FleetTooManyDeletions' : 'TooManyDeletions',
        message: fleetTripped
          ? `${input.fleetDeletionsInWindow} impostor deletions across the fleet within ${policy.breaker.windowSeconds}s: deleting stopped`
          : `${deletions.length} impostor deletions within ${policy.breaker.windowSeconds}s: deleting stopped for this node`,
      },
    });
  }
  if (policy.dryRun) {
    const message = `${impostor}; dry-run: would delete it`;
    return finish('report', undefined, { type: TRACKED, status: 'False', reason: 'ImpostorDetected', message }, undefined, {
      events: [{ type: 'Warning', reason: 'ImpostorDetected', message }],
      summary: message,
    });
  }
  const message = `deleted ${impostor}`;
  deletions = deletionsInWindow([...deletions, { uid: uidOf(sts), time: rfc3339(now) }], now, policy.breaker.windowSeconds);
  return finish('delete', undefined, { type: TRACKED, status: 'False', reason: 'ImpostorDeleted', message }, undefined, {
    delete: { name: sts.metadata!.name!, uid: uidOf(sts), resourceVersion: sts.metadata?.resourceVersion ?? '' },
    events: [{ type: 'Warning', reason: 'ImpostorDeleted', message }],
    requeueAfterSeconds: TERMINATING_REQUEUE_SECONDS,
    summary: message,
  });
}
