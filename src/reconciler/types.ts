import type { V1ObjectMeta } from '@kubernetes/client-node';

/** A metav1.Condition, as the CRD's status schema holds it. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

/** The StatefulSet a node tracks, pinned by UID. */
export interface StatefulSetRef {
  readonly name: string;
  readonly uid: string;
}

/**
 * Where the StatefulSet holding a node's name came from, recorded the first time the reconciler saw its UID and kept
 * for as long as that UID holds the name. Kept on the SeiNode status, so a restart (or a crash loop) neither restarts
 * the grace clock nor forgets a creator that a later apply has since rewritten out of `managedFields`.
 */
export interface Origin {
  readonly uid: string;
  /** Field managers that owned the StatefulSet's creation-time (immutable) spec fields when first seen, sorted. */
  readonly creators: readonly string[];
  /** When the reconciler first saw this UID (RFC 3339, seconds). */
  readonly firstSeen: string;
  /**
   * True when the reconciler saw the object being created (a watch ADDED event after its informer had listed, or a
   * re-list after a watch outage finding an object created while the reconciler ran), so `creators` is who created it. False when it was found already existing (a list, a restart, `--once`): then
   * `creators` is only who owned those fields by then, and the first observation never deletes on it.
   */
  readonly witnessed: boolean;
}

/** One impostor deletion, kept on the status for the churn breakers (trimmed to the breaker window). */
export interface DeletionRecord {
  readonly uid: string;
  readonly time: string;
}

export interface SeiNodeStatus {
  readonly statefulSet?: StatefulSetRef;
  readonly origin?: Origin;
  readonly impostorDeletions?: readonly DeletionRecord[];
  readonly conditions?: readonly Condition[];
  readonly observedGeneration?: number;
}

/** The parts of a SeiNode the reconciler reads (the CRD has more; it never writes spec). */
export interface SeiNodeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: V1ObjectMeta;
  readonly spec: { readonly paused?: boolean; readonly [key: string]: unknown };
  readonly status?: SeiNodeStatus;
}

export interface BreakerPolicy {
  /** Impostor deletions allowed per node within the window; one more is held back. */
  readonly maxDeletions: number;
  /** Impostor deletions allowed across every watched node within the window; one more is held back. */
  readonly fleetMaxDeletions: number;
  readonly windowSeconds: number;
}

export interface Policy {
  /** Field managers whose creation of a StatefulSet counts as GitOps provenance. */
  readonly allowedManagers: readonly string[];
  /** How long a StatefulSet created by an allowed manager but with another fingerprint may stay before it is an impostor. */
  readonly graceSeconds: number;
  /** Report impostors, delete nothing. */
  readonly dryRun: boolean;
  readonly breaker: BreakerPolicy;
}
