/**
 * The plumbing around decide(): informers that turn SeiNode and StatefulSet changes into keys, a work queue, and a
 * reconcile that reads fresh, decides, and acts. Level-triggered: every pass starts from what the API server says now.
 */
import * as k8s from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, SEINODE_PLURAL } from '../contract.js';
import { decide, type Decision } from './decide.js';
import type { Propagation } from './flags.js';
import { KubeApi } from './kube.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import type { Policy, SeiNodeObject } from './types.js';
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

export const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/** Test-only fault injection: die between an impostor delete and the status write, as a SIGKILL would. */
const CRASH_AFTER_DELETE = process.env.SEINODE_RECONCILER_FAULT === 'crash-after-delete';

export class Controller {
  readonly api: KubeApi;
  readonly metrics: Metrics;
  /** controller-runtime's per-key backoff: 5 ms · 2^n, so a one-off conflict retries at once and a hot key backs off. */
  private readonly queue = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 5 * 60_000 });
  private readonly log: Logger;
  private readonly now: () => Date;
  /** Impostor deletions per node key, for the churn breaker (in memory: a restart closes the breaker). */
  private readonly deletions = new Map<string, Date[]>();
  /** When each node's current pending StatefulSet was first seen (in memory: a restart restarts the grace). */
  private readonly pending = new Map<string, { uid: string; since: Date }>();
  private informers: (k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>)[] = [];
  private seiNodeCaches: k8s.ObjectCache<k8s.KubernetesObject>[] = [];
  private resyncTimer?: NodeJS.Timeout;
  private workersDone: Promise<void>[] = [];
  private stopped = false;

  constructor(private readonly options: ControllerOptions) {
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.metrics = options.metrics ?? new Metrics();
    this.api = new KubeApi(options.kubeConfig, (kind) => this.metrics.writes.inc({ kind }));
  }

  /** Reconciles one SeiNode by key, from fresh reads. Exposed for `--once` and tests. */
  async reconcile(key: string): Promise<ReconcileOutcome> {
    const [namespace, name] = key.split('/');
    const end = this.metrics.duration.startTimer();
    try {
      const gone = (): ReconcileOutcome => {
        this.deletions.delete(key);
        this.pending.delete(key);
        return { key, action: 'gone', summary: 'SeiNode is gone' };
      };
      let node = await this.api.getSeiNode(namespace, name);
      if (!node) return gone();
      let sts = await this.api.getStatefulSet(namespace, name);
      let decision = this.decideFor(key, node, sts, []);

      if (decision.delete || decision.action === 'report') {
        // Audit the PVCs and decide again; dry-run too, so it reports what a real run would do. A delete never acts
        // on a stale view: it reads the SeiNode (expected fingerprint, ref) and the StatefulSet again first. A
        // report acts on nothing, so it spends no second read.
        if (decision.delete) {
          node = await this.api.getSeiNode(namespace, name);
          if (!node) return gone();
          sts = await this.api.getStatefulSet(namespace, name);
        }
        const claims = sts?.metadata?.uid ? await this.api.claimsOwnedBy(namespace, sts.metadata.uid) : [];
        decision = this.decideFor(key, node, sts, claims);
      }
      this.notePending(key, sts, decision);

      if (decision.delete) {
        const result = await this.api.deleteStatefulSet(namespace, decision.delete, this.options.propagation);
        if (result !== 'deleted') {
          this.log.info('impostor delete precondition failed; looking again', { key, result, uid: decision.delete.uid });
          this.metrics.reconciles.inc({ action: 'conflict' });
          return { key, action: 'conflict', summary: `delete ${result}: looking again` };
        }
        this.deletions.set(key, [...(this.deletions.get(key) ?? []), this.now()]);
        this.metrics.impostorsDeleted.inc();
        this.log.warn('deleted impostor StatefulSet', { key, uid: decision.delete.uid, propagation: this.options.propagation });
        if (CRASH_AFTER_DELETE) process.kill(process.pid, 'SIGKILL');
        for (const event of decision.events) await this.api.recordEvent(node, event);
      }

      if (decision.statusChanged) {
        const result = await this.api.writeStatus(node, decision.status);
        if (result === 'conflict') {
          this.metrics.reconciles.inc({ action: 'conflict' });
          return { key, action: 'conflict', summary: 'status changed meanwhile: looking again' };
        }
        if (result === 'gone') return { key, action: 'gone', summary: 'SeiNode is gone' };
      }
      if (!decision.delete) for (const event of decision.events) await this.api.recordEvent(node, event);

      this.metrics.reconciles.inc({ action: decision.action });
      if (decision.statusChanged || decision.delete) this.log.info(decision.summary, { key, action: decision.action });
      else this.log.debug(decision.summary, { key, action: decision.action });
      return {
        key,
        action: decision.action,
        ...(decision.status.statefulSet ? { statefulSet: decision.status.statefulSet } : {}),
        summary: decision.summary,
        ...(decision.requeueAfterSeconds !== undefined ? { requeueAfterSeconds: decision.requeueAfterSeconds } : {}),
      };
    } finally {
      end();
    }
  }

  /** Pure but for reading what the controller remembers: the deletions (breaker) and the pending clock (grace). */
  private decideFor(key: string, node: SeiNodeObject, sts: k8s.V1StatefulSet | undefined, claims: string[]): Decision {
    const seen = this.pending.get(key);
    const pendingSince = seen && seen.uid === sts?.metadata?.uid ? seen.since : undefined;
    return decide({
      node,
      sts,
      policy: this.options.policy,
      now: this.now(),
      recentDeletions: this.deletions.get(key) ?? [],
      ...(pendingSince ? { pendingSince } : {}),
      impostorOwnedClaims: claims,
    });
  }

  /**
   * The grace clock of a pending StatefulSet starts when its UID is first seen pending and runs for as long as that
   * UID holds the name — also past the grace, while it is an impostor (reported, refused, held back by the breaker):
   * restarting the clock there would flip the node between pending and impostor every grace period.
   */
  private notePending(key: string, sts: k8s.V1StatefulSet | undefined, decision: Decision): void {
    const uid = sts?.metadata?.uid;
    const seen = this.pending.get(key);
    if (!uid || (seen && seen.uid !== uid) || decision.action === 'adopt' || decision.action === 'in-sync') this.pending.delete(key);
    if (decision.action === 'pending' && uid && this.pending.get(key)?.uid !== uid) this.pending.set(key, { uid, since: this.now() });
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

  /** Starts the informers and workers; resolves once the initial lists are in. */
  async start(): Promise<void> {
    await this.startInformers();
    this.startWorkers();
  }

  /**
   * Starts the informers only: a follower (leader election) keeps its caches warm and its queue filled but acts on
   * nothing until startWorkers(). Resolves once the initial lists are in.
   */
  async startInformers(): Promise<void> {
    const kc = this.options.kubeConfig;
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const scopes = this.options.namespaces.length > 0 ? this.options.namespaces : [undefined];

    for (const ns of scopes) {
      const seiPath = ns ? `/apis/${API_GROUP}/${API_VERSION}/namespaces/${ns}/${SEINODE_PLURAL}` : `/apis/${API_GROUP}/${API_VERSION}/${SEINODE_PLURAL}`;
      const seiNodes = k8s.makeInformer<k8s.KubernetesObject>(kc, seiPath, () =>
        (ns
          ? custom.listNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: SEINODE_PLURAL, namespace: ns })
          : custom.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: SEINODE_PLURAL })) as Promise<
          k8s.KubernetesListObject<k8s.KubernetesObject>
        >,
      );
      const enqueueNode = (o: k8s.KubernetesObject) => this.queue.add(keyOf(o));
      seiNodes.on('add', enqueueNode);
      seiNodes.on('update', enqueueNode);
      this.seiNodeCaches.push(seiNodes);

      const statefulSets = k8s.makeInformer<k8s.KubernetesObject>(
        kc,
        ns ? `/apis/apps/v1/namespaces/${ns}/statefulsets` : '/apis/apps/v1/statefulsets',
        () =>
          (ns ? apps.listNamespacedStatefulSet({ namespace: ns }) : apps.listStatefulSetForAllNamespaces()) as Promise<
            k8s.KubernetesListObject<k8s.KubernetesObject>
          >,
      );
      // A StatefulSet matters only when a SeiNode has its name; the SeiNode's own add covers the start-up race.
      const enqueueSet = (o: k8s.KubernetesObject) => {
        if (this.hasSeiNode(o.metadata?.namespace, o.metadata?.name)) this.queue.add(keyOf(o));
      };
      statefulSets.on('add', enqueueSet);
      statefulSets.on('update', enqueueSet);
      statefulSets.on('delete', enqueueSet);
      this.informers.push(seiNodes, statefulSets);
    }

    for (const informer of this.informers) this.restartOnError(informer);
    await Promise.all(this.informers.map((i) => i.start()));
  }

  /** Starts the workers and the resync (on becoming leader): every cached SeiNode is queued at once. */
  startWorkers(): void {
    if (this.stopped || this.workersDone.length > 0) return;
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

  private hasSeiNode(namespace?: string, name?: string): boolean {
    return !!name && this.seiNodeCaches.some((c) => c.get(name, namespace) !== undefined);
  }

  private resync(): void {
    for (const cache of this.seiNodeCaches) for (const o of cache.list()) this.queue.add(keyOf(o));
  }

  /**
   * A watch that fails for another reason than 410 (which the informer handles by re-listing) is restarted, with
   * backoff. client-node fires 'connect' before it lists, so a connect proves nothing: a watch counts as recovered
   * once a minute has passed since its last failure. A restart that itself fails (start() rejects without an
   * 'error' event, e.g. when credentials cannot be loaded) is retried the same way rather than left dead.
   */
  private restartOnError(informer: k8s.Informer<k8s.KubernetesObject>): void {
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
        const delay = this.queue.addRateLimited(key);
        this.metrics.reconciles.inc({ action: 'error' });
        this.log.error('reconcile failed', { key, error: e instanceof Error ? e.message : String(e), retryInMs: delay });
      } finally {
        this.queue.done(key);
      }
    }
  }
}
