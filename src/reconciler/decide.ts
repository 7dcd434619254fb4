import type { V1StatefulSet } from '@kubernetes/client-node';
import { EXPECTED_FINGERPRINT_ANNOTATION } from '../contract.js';
import { type ConditionInput, sameStatus, setCondition } from './conditions.js';
import { provenanceOf } from './provenance.js';
import type { Condition, Policy, SeiNodeObject, SeiNodeStatus, StatefulSetRef } from './types.js';

/**
 * The reconciler's one decision (DESIGN §3), pure: from what was observed to what to do and the status to hold.
 *
 * | observed                                          | outcome (`action`)                                            |
 * |---------------------------------------------------|---------------------------------------------------------------|
 * | no S, R empty                                     | `none`: Tracked=False/NotFound                                |
 * | no S, R set                                       | `clear`: R cleared, Tracked=False/Deleted, Event              |
 * | S terminating                                     | `wait`: requeue; never adopt or delete it again               |
 * | S.uid == R.uid                                    | `in-sync`: refresh Paused / ReplicasAsExpected; no write if same |
 * | R empty or S.uid ≠ R.uid, SeiNode has no fingerprint | `unverifiable`: Tracked=Unknown/FingerprintMissing; no adopt, no delete |
 * | … provenance verified                             | `adopt`: R = {S.name, S.uid}, Event Adopted                   |
 * | … provenance pending, within grace                | `pending`: requeue when the grace ends                        |
 * | … pending past grace, or failed                   | impostor: see below                                           |
 *
 * An impostor, in this order: PVCs owned by it ⇒ `refuse` (GC would take chain data); the churn breaker tripped ⇒
 * `breaker` (ImpostorLoop=True); dry-run ⇒ `report`; else `delete` with preconditions {uid, resourceVersion}.
 * R is cleared in the same pass in every impostor outcome: R's object cannot exist while another one holds its name.
 *
 * Conditions: StatefulSetTracked (True/Tracked; False/NotFound, Deleted, Terminating, ImpostorDeleted,
 * ImpostorDetected, DeletionRefused, ImpostorLoop; Unknown/ProvenancePending, FingerprintMissing), Paused
 * (True/Paused, False/Running), ReplicasAsExpected (True/AsExpected, False/Mismatch, NoStatefulSet), ImpostorLoop
 * (True/TooManyDeletions while the breaker holds back a delete, False/NoLoop). Events are emitted only on a change,
 * so a steady state makes no writes.
 */
export type Action = 'none' | 'clear' | 'wait' | 'in-sync' | 'unverifiable' | 'adopt' | 'pending' | 'refuse' | 'breaker' | 'report' | 'delete';

export interface DecideInput {
  readonly node: SeiNodeObject;
  /** The live StatefulSet named like the node in its namespace, freshly read; undefined when there is none. */
  readonly sts: V1StatefulSet | undefined;
  readonly policy: Policy;
  readonly now: Date;
  /** When this node's impostor deletions happened (the controller remembers them), for the churn breaker. */
  readonly recentDeletions: readonly Date[];
  /** When this StatefulSet UID was first seen `pending`; undefined if it is new. */
  readonly pendingSince?: Date;
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

export function decide(input: DecideInput): Decision {
  const { node, sts, policy, now } = input;
  const generation = node.metadata.generation;
  const ref = node.status?.statefulSet;
  const paused = node.spec.paused ?? false;
  const expectedReplicas = paused ? 0 : 1;
  const breakerWindowStart = now.getTime() - policy.breaker.windowSeconds * 1000;
  const deletionsInWindow = input.recentDeletions.filter((d) => d.getTime() > breakerWindowStart).length;
  const breakerTripped = deletionsInWindow >= policy.breaker.maxDeletions;
  const stsName = `${node.metadata.namespace}/${node.metadata.name}`;
  const uidOf = (s: V1StatefulSet) => s.metadata?.uid ?? '';
  const describe = (s: V1StatefulSet) => `StatefulSet ${s.metadata?.name} (uid ${uidOf(s)})`;

  let conditions: readonly Condition[] = node.status?.conditions ?? [];
  const set = (c: ConditionInput) => (conditions = setCondition(conditions, c, now, generation));

  const finish = (
    action: Action,
    statefulSet: StatefulSetRef | undefined,
    tracked: ConditionInput,
    replicasSeen: V1StatefulSet | undefined,
    extra: Partial<Pick<Decision, 'delete' | 'requeueAfterSeconds'>> & { events?: NodeEvent[]; summary: string },
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
    // True only while the breaker is actually holding back a delete, so the condition means "an impostor is
    // standing because of the breaker", not merely "deletions happened recently".
    set(
      action === 'breaker'
        ? {
            type: IMPOSTOR_LOOP,
            status: 'True',
            reason: 'TooManyDeletions',
            message: `${deletionsInWindow} impostor deletions within ${policy.breaker.windowSeconds}s: deleting stopped for this node`,
          }
        : { type: IMPOSTOR_LOOP, status: 'False', reason: 'NoLoop', message: 'no impostor churn' },
    );
    const status: SeiNodeStatus = {
      ...(statefulSet ? { statefulSet: { name: statefulSet.name, uid: statefulSet.uid } } : {}),
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

  const provenance = provenanceOf(sts, expected, policy.allowedManagers);
  if (provenance.verdict === 'verified') {
    const ref = { name: sts.metadata!.name!, uid: uidOf(sts) };
    return finish('adopt', ref, { type: TRACKED, status: 'True', reason: 'Tracked', message: `tracking ${describe(sts)}` }, sts, {
      events: [{ type: 'Normal', reason: 'Adopted', message: `adopted ${describe(sts)}: ${provenance.reason}` }],
      summary: `adopted ${describe(sts)}`,
    });
  }

  let why = provenance.reason;
  if (provenance.verdict === 'pending') {
    const since = input.pendingSince ?? now;
    const waited = (now.getTime() - since.getTime()) / 1000;
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
  if (breakerTripped) {
    const message = `${impostor}; not deleting: ${deletionsInWindow} impostors deleted within ${policy.breaker.windowSeconds}s — something keeps recreating it`;
    // Look again when the oldest deletion leaves the window: then the breaker closes by itself.
    const oldest = Math.min(...input.recentDeletions.map((d) => d.getTime()).filter((t) => t > breakerWindowStart));
    return finish('breaker', undefined, { type: TRACKED, status: 'False', reason: 'ImpostorLoop', message }, undefined, {
      events: [{ type: 'Warning', reason: 'ImpostorLoop', message }],
      requeueAfterSeconds: Math.max(1, Math.ceil((oldest - breakerWindowStart) / 1000)),
      summary: message,
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
  return finish('delete', undefined, { type: TRACKED, status: 'False', reason: 'ImpostorDeleted', message }, undefined, {
    delete: { name: sts.metadata!.name!, uid: uidOf(sts), resourceVersion: sts.metadata?.resourceVersion ?? '' },
    events: [{ type: 'Warning', reason: 'ImpostorDeleted', message }],
    requeueAfterSeconds: TERMINATING_REQUEUE_SECONDS,
    summary: message,
  });
}
