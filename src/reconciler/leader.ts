/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's tools/leaderelection:
 * - a candidate may take the Lease only when its holder has not renewed it for a whole lease duration, measured on
 *   the candidate's own clock from when it last SAW the record change (never from the renewTime written in it, so
 *   clock skew between nodes does not matter);
 * - every write carries the resourceVersion it read (optimistic concurrency): a 409 means someone else wrote, and the
 *   next attempt re-reads;
 * - the leader renews every retry period; when it has not renewed for the renew deadline it has lost, and the caller
 *   must stop at once (renew deadline < lease duration, so it stops before anyone else may take over);
 * - on shutdown the leader releases: holderIdentity cleared, leaseDurationSeconds 1 (client-go's ReleaseOnCancel),
 *   so a follower takes over at its next retry instead of after a lease duration.
 * The decisions are pure functions of (record, observation time, now) and are unit-tested with an injected clock; the
 * Lease API sits behind LeaseStore.
 */
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge, type Registry } from 'prom-client';
import { isApiError } from './kube.js';
import type { Logger } from './log.js';

export interface LeaderElectionTiming {
  /** How long a follower waits, from when it last saw the record change, before it may take the Lease. */
  readonly leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it gives up leading. */
  readonly renewDeadlineMs: number;
  /** How often a follower tries to acquire and the leader renews. */
  readonly retryPeriodMs: number;
}

export const DEFAULT_TIMING: LeaderElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** client-go's JitterFactor for the acquire loop: a follower waits retry · (1 + random · 1.2). */
export const ACQUIRE_JITTER = 1.2;

/** client-go's rules: the leader must give up before a follower may take over, and must retry within its deadline. */
export function timingProblem(t: LeaderElectionTiming): string | undefined {
  if (t.renewDeadlineMs >= t.leaseDurationMs) return '--renew-deadline must be shorter than --lease-duration';
  if (t.retryPeriodMs >= t.renewDeadlineMs) return '--retry-period must be shorter than --renew-deadline';
  if (t.retryPeriodMs <= 0) return '--retry-period must be longer than 0s';
  return undefined;
}

/** The Lease spec fields leader election reads and writes. */
export interface LeaseRecord {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: Date;
  readonly renewTime?: Date;
  readonly leaseTransitions?: number;
}

export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** The Lease API, one object. Conflicts (409) come back as values; everything else throws. */
export interface LeaseStore {
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<'created' | 'conflict'>;
  update(record: LeaseRecord, resourceVersion: string): Promise<'updated' | 'conflict'>;
}

export interface ElectorClock {
  now(): number;
  /** Resolves after ms, or at once when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
}

export const realElectorClock: ElectorClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    }),
  random: Math.random,
};

/** What this candidate may do with the Lease as it just read it. */
export type AcquireDecision = 'create' | 'renew' | 'take' | 'held-by-other';

/**
 * Pure: may `identity` write the Lease now? `observedAtMs` is when this candidate last saw the record change (on its
 * own clock). A released Lease (no holder) is free at once; another holder's Lease is free once it has gone a lease
 * duration without changing. The duration is this candidate's own (client-go does the same), not the record's.
 */
export function decideAcquire(args: {
  lease: LeaseRecord | undefined;
  identity: string;
  observedAtMs: number;
  nowMs: number;
  leaseDurationMs: number;
}): AcquireDecision {
  const { lease, identity } = args;
  if (!lease) return 'create';
  const holder = lease.holderIdentity ?? '';
  if (holder === identity) return 'renew';
  if (holder === '') return 'take';
  return args.observedAtMs + args.leaseDurationMs > args.nowMs ? 'held-by-other' : 'take';
}

/** Pure: the record this candidate writes when it creates, takes or renews the Lease. */
export function nextRecord(current: LeaseRecord | undefined, identity: string, nowMs: number, leaseDurationMs: number): LeaseRecord {
  const now = new Date(nowMs);
  const renewing = current?.holderIdentity === identity;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
    acquireTime: renewing && current?.acquireTime ? current.acquireTime : now,
    renewTime: now,
    leaseTransitions: current ? (current.leaseTransitions ?? 0) + (renewing ? 0 : 1) : 0,
  };
}

/** Pure: the record a leader writes when it steps down (client-go's ReleaseOnCancel). */
export function releasedRecord(current: LeaseRecord, nowMs: number): LeaseRecord {
  const now = new Date(nowMs);
  return { ...current, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now };
}

/** Pure: has the leader gone too long without a successful renew? */
export const renewalLost = (lastRenewMs: number, nowMs: number, renewDeadlineMs: number): boolean => nowMs - lastRenewMs >= renewDeadlineMs;

/** A record compared as client-go does (it compares the whole record to know whether it changed). */
const sameRecord = (a: LeaseRecord | undefined, b: LeaseRecord | undefined): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** holderIdentity: the pod name (HOSTNAME) and a random suffix, so a restarted pod is never mistaken for its old self. */
export function candidateIdentity(podName = process.env.HOSTNAME || hostname()): string {
  return `${podName}_${randomBytes(4).toString('hex')}`;
}

export type ElectionEnd = 'released' | 'lost' | 'stopped-before-leading';

export interface LeaderElectorOptions {
  readonly store: LeaseStore;
  readonly identity: string;
  readonly timing: LeaderElectionTiming;
  readonly log: Logger;
  readonly clock?: ElectorClock;
  /** Called once, on becoming leader. */
  readonly onStartedLeading: () => void;
  /** Called once, the moment renewal fails (not on a release): the caller must stop acting at once. */
  readonly onStoppedLeading: () => void;
  /**
   * Awaited on a stop while leading, before the Lease is released: the work must have stopped before another replica
   * may start (controller-runtime stops its runnables before it releases, too).
   */
  readonly beforeRelease?: () => Promise<void>;
  /** Called on every successful Lease write (create, take, renew, release). */
  readonly onLeaseWrite?: () => void;
}

export class LeaderElector {
  private observed?: LeaseRecord;
  private observedAtMs = 0;
  private lastRenewMs = 0;
  private leading = false;
  private readonly clock: ElectorClock;

  constructor(private readonly options: LeaderElectorOptions) {
    this.clock = options.clock ?? realElectorClock;
  }

  /** True while leading and within the renew deadline of the last successful renew. */
  isLeader(): boolean {
    return this.leading && !renewalLost(this.lastRenewMs, this.clock.now(), this.options.timing.renewDeadlineMs);
  }

  /**
   * Campaigns until leading, then renews until `stop` aborts (→ releases the Lease, 'released') or renewal fails
   * (→ onStoppedLeading, 'lost'). A stop before leading ends the campaign ('stopped-before-leading').
   */
  async run(stop: AbortSignal): Promise<ElectionEnd> {
    const { timing, log, identity } = this.options;
    log.info('campaigning for leadership', { identity });
    while (!stop.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      await this.clock.sleep(timing.retryPeriodMs * (1 + this.clock.random() * ACQUIRE_JITTER), stop);
    }
    if (stop.aborted) return 'stopped-before-leading';
    this.leading = true;
    log.info('became leader', { identity });
    this.options.onStartedLeading();

    while (!stop.aborted) {
      await this.clock.sleep(timing.retryPeriodMs, stop);
      if (stop.aborted) break;
      // Keep retrying within the deadline; a single hanging call must not outlive it either.
      const renewed = await this.withinDeadline(this.tryAcquireOrRenew());
      if (!renewed && renewalLost(this.lastRenewMs, this.clock.now(), timing.renewDeadlineMs)) {
        this.leading = false;
        log.error('lost leadership: could not renew the Lease within the renew deadline', { identity, renewDeadlineMs: timing.renewDeadlineMs });
        this.options.onStoppedLeading();
        return 'lost';
      }
    }
    await this.options.beforeRelease?.().catch((e: unknown) =>
      log.warn('stopping the work before the release failed', { error: e instanceof Error ? e.message : String(e) }),
    );
    this.leading = false;
    await this.release();
    return 'released';
  }

  /** Races an attempt against the time left before the renew deadline; a late answer counts as a failure. */
  private async withinDeadline(attempt: Promise<boolean>): Promise<boolean> {
    const left = this.lastRenewMs + this.options.timing.renewDeadlineMs - this.clock.now();
    const abort = new AbortController();
    const timeout = this.clock.sleep(Math.max(0, left), abort.signal).then(() => false);
    try {
      return await Promise.race([attempt.catch(() => false), timeout]);
    } finally {
      abort.abort();
    }
  }

  /** One attempt, as client-go's tryAcquireOrRenew: read, decide, write with the resourceVersion read. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { store, identity, timing, log } = this.options;
    try {
      const stored = await store.get();
      const now = this.clock.now();
      if (!sameRecord(stored?.record, this.observed)) {
        this.observed = stored?.record;
        this.observedAtMs = now;
      }
      const decision = decideAcquire({ lease: stored?.record, identity, observedAtMs: this.observedAtMs, nowMs: now, leaseDurationMs: timing.leaseDurationMs });
      if (decision === 'held-by-other') return false;
      const record = nextRecord(stored?.record, identity, now, timing.leaseDurationMs);
      const result = stored ? await store.update(record, stored.resourceVersion) : await store.create(record);
      if (result === 'conflict') {
        log.debug('Lease changed meanwhile; reading it again', { identity });
        return false;
      }
      this.options.onLeaseWrite?.();
      if (decision === 'take' || decision === 'create') log.info('acquired the Lease', { identity, previousHolder: stored?.record.holderIdentity ?? null });
      this.observed = record;
      this.observedAtMs = now;
      this.lastRenewMs = now;
      return true;
    } catch (e) {
      log.warn('Lease read or write failed', { identity, error: e instanceof Error ? e.message : String(e) });
      return false;
    }
  }

  /** Steps down: only if the Lease is still ours (a conflict or another holder means there is nothing to release). */
  private async release(): Promise<void> {
    const { store, identity, log } = this.options;
    try {
      const stored = await store.get();
      if (!stored || stored.record.holderIdentity !== identity) return;
      if ((await store.update(releasedRecord(stored.record, this.clock.now()), stored.resourceVersion)) === 'updated') {
        this.options.onLeaseWrite?.();
        log.info('released the Lease', { identity });
      }
    } catch (e) {
      log.warn('could not release the Lease; it expires after its lease duration', { identity, error: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** The Lease API on a real cluster. */
export class KubeLeaseStore implements LeaseStore {
  private readonly api: k8s.CoordinationV1Api;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.api = kubeConfig.makeApiClient(k8s.CoordinationV1Api);
  }

  async get(): Promise<StoredLease | undefined> {
    try {
      const lease = await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace });
      const s = lease.spec ?? {};
      return {
        resourceVersion: lease.metadata?.resourceVersion ?? '',
        record: {
          ...(s.holderIdentity !== undefined ? { holderIdentity: s.holderIdentity } : {}),
          ...(s.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: s.leaseDurationSeconds } : {}),
          ...(s.acquireTime ? { acquireTime: new Date(s.acquireTime) } : {}),
          ...(s.renewTime ? { renewTime: new Date(s.renewTime) } : {}),
          ...(s.leaseTransitions !== undefined ? { leaseTransitions: s.leaseTransitions } : {}),
        },
      };
    } catch (e) {
      if (isApiError(e, 404)) return undefined;
      throw e;
    }
  }

  async create(record: LeaseRecord): Promise<'created' | 'conflict'> {
    try {
      await this.api.createNamespacedLease({ namespace: this.namespace, body: this.body(record) });
      return 'created';
    } catch (e) {
      if (isApiError(e, 409)) return 'conflict';
      throw e;
    }
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<'updated' | 'conflict'> {
    try {
      await this.api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body: this.body(record, resourceVersion) });
      return 'updated';
    } catch (e) {
      if (isApiError(e, 409)) return 'conflict';
      throw e;
    }
  }

  private body(record: LeaseRecord, resourceVersion?: string): k8s.V1Lease {
    const micro = (d: Date | undefined) => (d ? new k8s.V1MicroTime(d.getTime()) : undefined);
    const spec: k8s.V1LeaseSpec = {};
    if (record.holderIdentity !== undefined) spec.holderIdentity = record.holderIdentity;
    if (record.leaseDurationSeconds !== undefined) spec.leaseDurationSeconds = record.leaseDurationSeconds;
    if (record.acquireTime) spec.acquireTime = micro(record.acquireTime);
    if (record.renewTime) spec.renewTime = micro(record.renewTime);
    if (record.leaseTransitions !== undefined) spec.leaseTransitions = record.leaseTransitions;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec,
    };
  }
}

/** `seinode_reconciler_leader` (1 while leading) and the Lease writes, on the reconciler's registry. */
export function leaderMetrics(registry: Registry): { leader: Gauge; leaseWrites: Counter } {
  return {
    leader: new Gauge({ name: 'seinode_reconciler_leader', help: '1 while this replica holds the leader Lease, else 0.', registers: [registry] }),
    leaseWrites: new Counter({
      name: 'seinode_reconciler_lease_writes_total',
      help: 'Leader-election Lease writes (create, take, renew, release); not counted in writes_total.',
      registers: [registry],
    }),
  };
}

/** Where a pod finds its own namespace (the projected service-account volume). */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
