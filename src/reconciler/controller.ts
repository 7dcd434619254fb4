/**
 * The plumbing around decide(): informers that turn SeiNode, StatefulSet and PVC changes into keys, a work queue, and
 * a reconcile that reads fresh, decides, and acts. Level-triggered: every pass starts from what the API server says
 * now, plus two facts it cannot say later — who created each StatefulSet (taken from the watch's ADDED event, before
 * an apply can rewrite managedFields) and which impostors this process deleted (until the status shows them).
 */
import * as k8s from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, SEINODE_PLURAL } from '../contract.js';
import { decide, deletionsInWindow, type Decision } from './decide.js';
import type { Propagation } from './flags.js';
import { cacheShape, type CacheKind } from './cache-shape.js';
import { trackedInformer, witnessedCreation, type Informer, type InformerState } from './informers.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, KubeApi, type ReconcilerApi, timeoutOptions } from './kube.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { rfc3339 } from './conditions.js';
import { mergeOrigins, originOf } from './provenance.js';
import type { DeletionRecord, Origin, Policy, SeiNodeObject } from './types.js';
import { WorkQueue } from './workqueue.js';

export interface ControllerOptions {
  readonly kubeConfig: k8s.KubeConfig;
  /** Empty: all namespaces. */
  readonly namespaces: readonly string[];
  readonly policy: Policy;
  readonly propagation: Propagation;
  readonly resyncSeconds: number;
  readonly workers: number;
  readonly log: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => Date;
  /** The API the reconcile uses. @default a KubeApi on `kubeConfig` */
  readonly api?: ReconcilerApi;
  /** Per API call. @default 30 s */
  readonly requestTimeoutMs?: number;
  /** A reconcile running longer than this means the work loop is wedged (`/healthz` fails). @default 5 × requestTimeoutMs */
  readonly wedgedAfterMs?: number;
  /** Server-side watch timeout, randomised up to twice this. @default 300 */
  readonly watchTimeoutSeconds?: number;
}

export interface ReconcileOutcome {
  readonly key: string;
  /**
   * `gone`: the SeiNode no longer exists; `conflict`: a precondition or resourceVersion failed, look again;
   * `error`: an API call failed (only `--once` reports it; the running controller retries with backoff).
   */
  readonly action: Decision['action'] | 'gone' | 'conflict' | 'error';
  readonly statefulSet?: { name: string; uid: string };
  readonly summary: string;
  readonly requeueAfterSeconds?: number;
}

/** A health check's answer, for `/readyz` and `/healthz`. */
export interface Health {
  readonly ok: boolean;
  readonly detail: string;
}

export const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace}/${o.metadata?.name}`;
const namespaceOf = (key: string) => key.slice(0, key.indexOf('/'));

/** Test-only fault injection: die between an impostor delete and its Events, as a SIGKILL would. */
const CRASH_AFTER_DELETE = process.env.SEINODE_RECONCILER_FAULT === 'crash-after-delete';

export class Controller {
  readonly api: ReconcilerApi;
  readonly metrics: Metrics;
  /** controller-runtime's per-key backoff: 5 ms · 2^n, so a one-off conflict retries at once and a hot key backs off. */
  readonly queue = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 5 * 60_000 });
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly requestTimeoutMs: number;
  private readonly wedgedAfterMs: number;
  /**
   * Who created each StatefulSet UID in the watched namespaces, from its first sighting (see provenance.ts). Dropped
   * when the StatefulSet's delete is seen; a UID still here then was never seen deleted (the watch missed it) and is
   * dropped at the next relist of that informer.
   */
  readonly origins = new Map<string, Origin>();
  /** Impostor deletions this process made, per node key, until the node's status shows them; trimmed to the window. */
  readonly deletions = new Map<string, DeletionRecord[]>();
  /** Nodes whose impostor was refused for a PVC it owns, re-examined whenever a PVC in their namespace changes. */
  readonly refused = new Set<string>();
  /** Keys whose last write met a 409: their next reconcile reads fresh instead of trusting the caches. */
  private readonly freshNext = new Set<string>();
  /** Reconciles in flight: key → start (ms), for the wedge check. */
  private readonly inFlight = new Map<string, number>();
  private informers: Informer[] = [];
  private informerStates: InformerState[] = [];
  private seiNodeCaches: k8s.ObjectCache<k8s.KubernetesObject>[] = [];
  private statefulSetInformers: { informer: Informer; state: InformerState }[] = [];
  private resyncTimer?: NodeJS.Timeout;
  private workersDone: Promise<void>[] = [];
  private workersStarted = false;
  private stopped = false;

  constructor(private readonly options: ControllerOptions) {
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.metrics = options.metrics ?? new Metrics();
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.wedgedAfterMs = options.wedgedAfterMs ?? 5 * this.requestTimeoutMs;
    this.api =
      options.api ??
      new KubeApi(options.kubeConfig, (kind) => this.metrics.writes.inc({ kind }), this.requestTimeoutMs, (method) => this.metrics.requests.inc({ method }));
  }

  /** Reconciles one SeiNode by key, from fresh reads. Exposed for `--once` and tests. */
  async reconcile(key: string): Promise<ReconcileOutcome> {
    const [namespace, name] = key.split('/');
    const end = this.metrics.duration.startTimer();
    try {
      // With warm caches, decide on them: the steady state, every resync and every StatefulSet status update then
      // cost no API request, and a status change costs only its write (guarded by the cached resourceVersion: a
      // stale cache gets a 409, and the retry reads fresh). A delete — or a dry-run report of one — never acts on a
      // cache: it reads the SeiNode and the StatefulSet fresh and decides again first.
      const cached = this.freshNext.delete(key) ? undefined : this.fromCache(namespace, name);
      let node: SeiNodeObject | undefined;
      let sts: k8s.V1StatefulSet | undefined;
      if (cached) ({ node, sts } = cached);
      else {
        node = await this.api.getSeiNode(namespace, name);
        if (!node) return this.gone(key);
        sts = await this.api.getStatefulSet(namespace, name);
      }
      let decision = this.decideFor(key, node, sts, []);
      if (cached && !decision.statusChanged && !decision.delete) this.metrics.cacheHits.inc();

      if (decision.delete || decision.action === 'report') {
        // Audit the PVCs and decide again; dry-run too, so it reports what a real run would do. A delete reads the
        // SeiNode (expected fingerprint, ref) and the StatefulSet fresh first; a report from fresh reads acts on
        // nothing, so it spends no second read.
        if (decision.delete || cached) {
          node = await this.api.getSeiNode(namespace, name);
          if (!node) return this.gone(key);
          sts = await this.api.getStatefulSet(namespace, name);
        }
        const claims = sts?.metadata?.uid ? await this.api.claimsOwnedBy(namespace, sts.metadata.uid) : [];
        decision = this.decideFor(key, node, sts, claims);
      }
      if (decision.action === 'refuse') this.refused.add(key);
      else this.refused.delete(key);

      if (decision.statusChanged || decision.delete) {
        // A delete is recorded on the status BEFORE it is sent: a crash after the DELETE cannot forget it, so a crash
        // loop cannot reset the churn breaker. A conflict here means the node changed: look again, delete nothing.
        const result = await this.api.writeStatus(node, decision.status);
        if (result === 'conflict') {
          this.freshNext.add(key);
          this.metrics.reconciles.inc({ action: 'conflict' });
          return { key, action: 'conflict', summary: 'status changed meanwhile: looking again' };
        }
        if (result === 'gone') return this.gone(key);
      }

      if (decision.delete) {
        this.deletions.set(key, [...(this.deletions.get(key) ?? []), { uid: decision.delete.uid, time: rfc3339(this.now()) }]);
        const result = await this.api.deleteStatefulSet(namespace, decision.delete, this.options.propagation);
        if (result === 'conflict') {
          this.freshNext.add(key);
          this.log.info('impostor delete precondition failed; looking again', { key, uid: decision.delete.uid });
          this.metrics.reconciles.inc({ action: 'conflict' });
          return { key, action: 'conflict', summary: 'delete refused by its preconditions: looking again' };
        }
        if (result === 'deleted') {
          this.metrics.impostorsDeleted.inc();
          this.log.warn('deleted impostor StatefulSet', { key, uid: decision.delete.uid, propagation: this.options.propagation });
          if (CRASH_AFTER_DELETE) process.kill(process.pid, 'SIGKILL');
        }
      }
      for (const event of decision.events) await this.api.recordEvent(node, event);

      this.metrics.reconciles.inc({ action: decision.action });
      if (decision.statusChanged || decision.delete) this.log.info(decision.summary, { key, action: decision.action });
      else this.log.debug(decision.summary, { key, action: decision.action });
      return this.outcome(key, decision);
    } finally {
      end();
    }
  }

  private outcome(key: string, decision: Decision): ReconcileOutcome {
    return {
      key,
      action: decision.action,
      ...(decision.status.statefulSet ? { statefulSet: decision.status.statefulSet } : {}),
      summary: decision.summary,
      ...(decision.requeueAfterSeconds !== undefined ? { requeueAfterSeconds: decision.requeueAfterSeconds } : {}),
    };
  }

  /** The node and its StatefulSet from the informer caches, when every informer is synced and up; else undefined. */
  private fromCache(namespace: string, name: string): { node: SeiNodeObject; sts: k8s.V1StatefulSet | undefined } | undefined {
    if (this.informerStates.length === 0 || !this.informerStates.every((s) => s.listed && !s.down)) return undefined;
    const node = this.seiNodeCaches.map((c) => c.get(name, namespace)).find((o) => o !== undefined) as SeiNodeObject | undefined;
    if (!node) return undefined;
    const sts = this.statefulSetInformers.map(({ informer }) => informer.get(name, namespace)).find((o) => o !== undefined) as
      | k8s.V1StatefulSet
      | undefined;
    return { node, sts };
  }

  /** The node is gone: forget everything kept for it. */
  private gone(key: string): ReconcileOutcome {
    this.forgetNode(key);
    return { key, action: 'gone', summary: 'SeiNode is gone' };
  }

  private forgetNode(key: string): void {
    this.deletions.delete(key);
    this.refused.delete(key);
    this.freshNext.delete(key);
  }

  /**
   * The origin record of a StatefulSet: the status's (kept across restarts) merged with this process's sighting; a
   * UID seen for the first time is recorded now, as found (not witnessed).
   */
  originFor(node: SeiNodeObject, sts: k8s.V1StatefulSet | undefined): Origin | undefined {
    const uid = sts?.metadata?.uid;
    if (!sts || !uid) return undefined;
    if (!this.origins.has(uid)) this.origins.set(uid, originOf(sts, this.now(), false));
    const kept = node.status?.origin?.uid === uid ? node.status.origin : undefined;
    return mergeOrigins(kept, this.origins.get(uid));
  }

  /** Pure but for what the controller remembers: origins, this process's deletions, the fleet's deletions. */
  private decideFor(key: string, node: SeiNodeObject, sts: k8s.V1StatefulSet | undefined, claims: string[]): Decision {
    const now = this.now();
    const window = this.options.policy.breaker.windowSeconds;
    const mine = deletionsInWindow(this.deletions.get(key) ?? [], now, window);
    if (mine.length > 0) this.deletions.set(key, mine);
    else this.deletions.delete(key);
    const origin = this.originFor(node, sts);
    const input = {
      node,
      sts,
      ...(origin ? { origin } : {}),
      policy: this.options.policy,
      now,
      recentDeletions: [...(node.status?.impostorDeletions ?? []), ...mine],
      impostorOwnedClaims: claims,
    };
    // The fleet's count scans every cached SeiNode: only an impostor's decision (delete, report, breaker) reads it,
    // so the steady state — every node, every resync — does not pay that scan.
    const first = decide({ ...input, fleetDeletionsInWindow: 0 });
    if (first.action !== 'delete' && first.action !== 'report' && first.action !== 'breaker') return first;
    return decide({ ...input, fleetDeletionsInWindow: this.fleetDeletions(now, key, node) });
  }

  /**
   * Impostor deletions within the window across every watched node: what their statuses (the informer cache) record,
   * plus what this process deleted and the cache may not show yet, each UID once. `node` is the fresh read of `key`.
   */
  private fleetDeletions(now: Date, key: string, node: SeiNodeObject): number {
    const records: DeletionRecord[] = [...(node.status?.impostorDeletions ?? [])];
    for (const cache of this.seiNodeCaches)
      for (const o of cache.list()) if (keyOf(o) !== key) records.push(...((o as SeiNodeObject).status?.impostorDeletions ?? []));
    for (const mine of this.deletions.values()) records.push(...mine);
    return deletionsInWindow(records, now, this.options.policy.breaker.windowSeconds).length;
  }

  /** `--once`: every SeiNode in the watched namespaces, reconciled one after another. */
  async reconcileAll(): Promise<ReconcileOutcome[]> {
    const namespaces = this.options.namespaces.length > 0 ? this.options.namespaces : [undefined];
    const nodes = (await Promise.all(namespaces.map((ns) => this.api.listSeiNodes(ns)))).flat();
    const outcomes: ReconcileOutcome[] = [];
    // One node's failure is that node's row in the table; the others are still reconciled.
    const attempt = (key: string): Promise<ReconcileOutcome> =>
      this.reconcile(key).catch((e: unknown) => ({ key, action: 'error' as const, summary: e instanceof Error ? e.message : String(e) }));
    for (const key of nodes.map(keyOf).sort()) {
      let outcome = await attempt(key);
      // A conflict means "look again": once more, then report what was seen.
      if (outcome.action === 'conflict') outcome = await attempt(key);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Starts the informers and the workers; resolves once every informer has tried its first list. */
  async start(): Promise<void> {
    await this.startInformers();
    this.startWorkers();
  }

  /**
   * Starts the informers (SeiNodes, StatefulSets, PVCs per watched scope). Resolves once each has tried its first
   * list; one that failed is retried with backoff, and `ready()` says so until it has listed. A follower (leader
   * election) keeps these caches warm and acts on nothing until startWorkers().
   */
  async startInformers(): Promise<void> {
    const kc = this.options.kubeConfig;
    const opts = timeoutOptions(this.requestTimeoutMs, (method) => this.metrics.requests.inc({ method }));
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const scopes = this.options.namespaces.length > 0 ? this.options.namespaces : [undefined];
    const list = (p: Promise<unknown>) => p as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>;
    const track = (kind: CacheKind, name: string, path: string, fn: () => Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>) => {
      const t = trackedInformer(
        kc,
        name,
        path,
        fn,
        this.options.watchTimeoutSeconds,
        () => this.metrics.requests.inc({ method: 'WATCH' }),
        (o) => cacheShape(kind, o),
      );
      this.informers.push(t.informer);
      this.informerStates.push(t.state);
      return t;
    };

    for (const ns of scopes) {
      const where = ns ? `namespaces/${ns}/` : '';
      const seiNodes = track('SeiNode', `seinodes${ns ? ` in ${ns}` : ''}`, `/apis/${API_GROUP}/${API_VERSION}/${where}${SEINODE_PLURAL}`, () =>
        list(
          ns
            ? custom.listNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: SEINODE_PLURAL, namespace: ns }, opts)
            : custom.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: SEINODE_PLURAL }, opts),
        ),
      );
      const enqueueNode = (o: k8s.KubernetesObject) => this.queue.add(keyOf(o));
      seiNodes.informer.on('add', enqueueNode);
      seiNodes.informer.on('update', enqueueNode);
      seiNodes.informer.on('delete', (o) => this.forgetNode(keyOf(o)));
      this.seiNodeCaches.push(seiNodes.informer);

      const statefulSets = track('StatefulSet', `statefulsets${ns ? ` in ${ns}` : ''}`, `/apis/apps/v1/${where}statefulsets`, () =>
        list(ns ? apps.listNamespacedStatefulSet({ namespace: ns }, opts) : apps.listStatefulSetForAllNamespaces({}, opts)),
      );
      this.statefulSetInformers.push(statefulSets);
      // A StatefulSet matters only when a SeiNode has its name; the SeiNode's own add covers the start-up race.
      const enqueueSet = (o: k8s.KubernetesObject) => {
        if (this.hasSeiNode(o.metadata?.namespace, o.metadata?.name)) this.queue.add(keyOf(o));
      };
      statefulSets.informer.on('add', (o) => {
        this.sighted(o as k8s.V1StatefulSet, statefulSets.state);
        enqueueSet(o);
      });
      statefulSets.informer.on('update', (o) => {
        this.sighted(o as k8s.V1StatefulSet, statefulSets.state);
        enqueueSet(o);
      });
      statefulSets.informer.on('delete', (o) => {
        if (o.metadata?.uid) this.origins.delete(o.metadata.uid);
        enqueueSet(o);
      });

      // PVCs only trigger: an impostor refused for a claim it owns is looked at again when a claim changes.
      const claims = track('PersistentVolumeClaim', `persistentvolumeclaims${ns ? ` in ${ns}` : ''}`, `/api/v1/${where}persistentvolumeclaims`, () =>
        list(ns ? core.listNamespacedPersistentVolumeClaim({ namespace: ns }, opts) : core.listPersistentVolumeClaimForAllNamespaces({}, opts)),
      );
      const recheckRefused = (o: k8s.KubernetesObject) => {
        for (const key of this.refused) if (namespaceOf(key) === o.metadata?.namespace) this.queue.add(key);
      };
      claims.informer.on('add', recheckRefused);
      claims.informer.on('update', recheckRefused);
      claims.informer.on('delete', recheckRefused);
    }

    for (const informer of this.informers) this.restartOnError(informer);
    await Promise.all(this.informers.map((i) => i.start().catch(() => undefined)));
    this.log.info('informers started', {
      namespaces: this.options.namespaces.length > 0 ? this.options.namespaces : 'all',
      ready: this.ready().ok,
    });
  }

  /**
   * Starts the workers and the periodic resync (on becoming leader): every cached SeiNode is queued at once. From here
   * on the controller writes (status, Events, impostor deletes).
   */
  startWorkers(): void {
    if (this.workersStarted || this.stopped) return;
    this.workersStarted = true;
    this.resync();
    this.resyncTimer = setInterval(() => this.resync(), this.options.resyncSeconds * 1000);
    this.resyncTimer.unref();
    this.workersDone = Array.from({ length: this.options.workers }, () => this.work());
    this.log.info('reconciler started', {
      namespaces: this.options.namespaces.length > 0 ? this.options.namespaces : 'all',
      dryRun: this.options.policy.dryRun,
      allowedManagers: this.options.policy.allowedManagers,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.queue.shutDown();
    await Promise.all(this.informers.map((i) => i.stop()));
    await Promise.all(this.workersDone);
  }

  /**
   * First sight of a StatefulSet UID: an ADD from the watch (or a re-list's ADD of an object created while the
   * reconciler ran) is its creation, witnessed; anything else is found as it is now. A later sighting adds nothing:
   * creators are who owned the creation fields first.
   */
  private sighted(sts: k8s.V1StatefulSet, state: InformerState): void {
    const uid = sts.metadata?.uid;
    if (!uid) return;
    const witnessed = witnessedCreation(state, uid, sts.metadata?.creationTimestamp);
    const seen = this.origins.get(uid);
    const now = originOf(sts, this.now(), witnessed);
    // A reconcile may have recorded it (found, by a GET) just before the watch delivered its ADDED: upgrade that.
    if (!seen) this.origins.set(uid, now);
    else if (witnessed && !seen.witnessed) this.origins.set(uid, mergeOrigins(seen, now)!);
  }

  private hasSeiNode(namespace?: string, name?: string): boolean {
    return !!name && this.seiNodeCaches.some((c) => c.get(name, namespace) !== undefined);
  }

  private resync(): void {
    for (const cache of this.seiNodeCaches) for (const o of cache.list()) this.queue.add(keyOf(o));
    // Origins of StatefulSets no cache holds any more (deleted while a watch was down) are dropped.
    if (this.statefulSetInformers.every(({ state }) => state.listed && !state.down)) {
      const live = new Set<string>();
      for (const { informer } of this.statefulSetInformers) for (const o of informer.list()) if (o.metadata?.uid) live.add(o.metadata.uid);
      for (const uid of this.origins.keys()) if (!live.has(uid)) this.origins.delete(uid);
    }
  }

  /** `/readyz`: every informer has listed once and none is down. Leadership plays no part: a follower is ready too. */
  ready(): Health {
    const notListed = this.informerStates.filter((s) => !s.listed).map((s) => s.name);
    const down = this.informerStates.filter((s) => s.listed && s.down).map((s) => s.name);
    if (this.informerStates.length === 0) return { ok: false, detail: 'informers not started' };
    if (notListed.length > 0) return { ok: false, detail: `not listed yet: ${notListed.join(', ')}` };
    if (down.length > 0) return { ok: false, detail: `watch down: ${down.join(', ')}` };
    return { ok: true, detail: `${this.informerStates.length} informers synced` };
  }

  /** `/healthz`: fails when a reconcile has been running longer than any sequence of timed-out calls could take. */
  healthy(nowMs = Date.now()): Health {
    for (const [key, since] of this.inFlight)
      if (nowMs - since > this.wedgedAfterMs) return { ok: false, detail: `reconcile of ${key} running for ${Math.round((nowMs - since) / 1000)}s: work loop wedged` };
    return { ok: true, detail: `${this.inFlight.size} reconciles in flight` };
  }

  /**
   * A watch that fails for another reason than 410 (which the informer handles by re-listing) is restarted, with
   * backoff. client-node fires 'connect' before it lists, so a connect proves nothing: a watch counts as recovered
   * once a minute has passed since its last failure. A restart that itself fails (start() rejects without an
   * 'error' event, e.g. when credentials cannot be loaded) is retried the same way rather than left dead.
   */
  private restartOnError(informer: Informer): void {
    let failures = 0;
    let lastFailure = 0;
    const restart = (err: unknown) => {
      if (this.stopped) return;
      if (Date.now() - lastFailure > 60_000) failures = 0;
      lastFailure = Date.now();
      const delay = Math.min(30_000, 1000 * 2 ** failures++);
      this.metrics.watchErrors.inc();
      this.log.warn('watch failed; restarting', { error: err instanceof Error ? err.message : String(err), retryInMs: delay });
      setTimeout(() => {
        if (!this.stopped) informer.start().catch(restart);
      }, delay).unref();
    };
    informer.on('error', restart);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.inFlight.set(key, Date.now());
      try {
        const outcome = await this.reconcile(key);
        if (outcome.action === 'conflict') {
          // "Look again": at once the first time (5 ms), with backoff if it keeps happening.
          this.queue.addRateLimited(key);
        } else {
          this.queue.forget(key);
          if (outcome.requeueAfterSeconds !== undefined) this.queue.addAfter(key, outcome.requeueAfterSeconds * 1000);
        }
      } catch (e) {
        // Timed-out calls land here too: the key is retried with backoff, never left in `processing`.
        const delay = this.queue.addRateLimited(key);
        this.metrics.reconciles.inc({ action: 'error' });
        this.log.error('reconcile failed', { key, error: e instanceof Error ? e.message : String(e), retryInMs: delay });
      } finally {
        this.inFlight.delete(key);
        this.queue.done(key);
      }
    }
  }
}
