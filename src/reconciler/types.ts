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

export interface SeiNodeStatus {
  readonly statefulSet?: StatefulSetRef;
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
  /** Impostor deletions allowed per node within the window; one more trips the breaker. */
  readonly maxDeletions: number;
  readonly windowSeconds: number;
}

export interface Policy {
  /** Field managers whose ownership of StatefulSet spec counts as GitOps provenance. */
  readonly allowedManagers: readonly string[];
  /** How long a StatefulSet whose managers are allowed but whose fingerprint differs may stay before it is an impostor. */
  readonly graceSeconds: number;
  /** Report impostors, delete nothing. */
  readonly dryRun: boolean;
  readonly breaker: BreakerPolicy;
}
