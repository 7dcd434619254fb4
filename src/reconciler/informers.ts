/**
 * Informers (client-node's ListWatch) with the timeouts client-node leaves out, and the facts the controller needs
 * about them: has each listed once, is its watch up, did an ADD come from a list or from the watch.
 */
import * as k8s from '@kubernetes/client-node';

/**
 * A Watch that asks the server to end the watch after `timeoutSeconds` (randomised between 5 and 10 minutes, as
 * client-go's reflector does, so many watches do not reconnect in step) and aborts it itself shortly after, in case
 * the server or a proxy went silent without closing the connection. The informer then re-watches from its last
 * resourceVersion. Bookmarks keep that resourceVersion fresh on a quiet watch, so the re-watch rarely needs a re-list.
 */
export class TimedWatch extends k8s.Watch {
  constructor(
    config: k8s.KubeConfig,
    private readonly minTimeoutSeconds = 300,
    /** Told `true` once a watch request is answered (200), `false` when one fails. */
    private readonly onWatching: (up: boolean) => void = () => {},
    private readonly countWatch: () => void = () => {},
    /** Applied to every event's object before the informer sees it (what its cache keeps). */
    private readonly shape: (o: any) => any = (o) => o,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    const timeoutSeconds = Math.round(this.minTimeoutSeconds * (1 + Math.random()));
    this.countWatch();
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    let expired = false;
    const shaped = (phase: string, apiObj: any, watchObj?: any) =>
      callback(phase, phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED' ? this.shape(apiObj) : apiObj, watchObj);
    const controller = await super.watch(path, { ...queryParams, timeoutSeconds, allowWatchBookmarks: true }, shaped, (err) => {
      ended = true;
      if (timer) clearTimeout(timer);
      // Our own abort of an expired watch is a normal end: re-watch, do not report an error.
      if (err && !expired) this.onWatching(false);
      done(expired ? null : err);
    });
    if (!ended) {
      this.onWatching(true);
      timer = setTimeout(() => {
        expired = true;
        controller.abort();
      }, (timeoutSeconds + 30) * 1000);
      timer.unref();
    }
    return controller;
  }
}

export type Informer = k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>;

/** What a tracked informer reports besides its events. */
export interface InformerState {
  readonly name: string;
  /** The first list succeeded. */
  listed: boolean;
  /** The last list or watch failed and has not been restarted successfully since. */
  down: boolean;
  /** UIDs delivered by the most recent list: their ADD events report objects found, not objects created. */
  readonly fromList: Set<string>;
  /** When the first list succeeded (ms, local clock). */
  firstListedAt?: number;
}

/** How far the API server's clock may be ahead of ours when comparing a creationTimestamp with `firstListedAt`. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * Whether an ADD reports an object created while this informer was watching: an event from the watch after the first
 * list — or one from a re-list (after a watch outage) of an object created more than a minute after that first list,
 * i.e. while the reconciler was running (the outage lost the event, not the moment). Anything else was found.
 */
export function witnessedCreation(state: InformerState, uid: string, creationTimestamp: Date | string | undefined): boolean {
  if (!state.listed) return false;
  if (!state.fromList.has(uid)) return true;
  const created = creationTimestamp === undefined ? NaN : new Date(creationTimestamp).getTime();
  return state.firstListedAt !== undefined && created > state.firstListedAt + CLOCK_SKEW_MS;
}

/**
 * An informer on `path` whose list goes through `list` (a client-node call), recording in the returned state whether
 * it has listed and which UIDs the last list returned.
 */
export function trackedInformer(
  kc: k8s.KubeConfig,
  name: string,
  path: string,
  list: () => Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>,
  watchTimeoutSeconds?: number,
  countWatch: () => void = () => {},
  shape: (o: k8s.KubernetesObject) => k8s.KubernetesObject = (o) => o,
): { informer: Informer; state: InformerState } {
  const state: InformerState = { name, listed: false, down: false, fromList: new Set() };
  const listed = async () => {
    try {
      const result = await list();
      state.fromList.clear();
      for (const o of result.items) if (o.metadata?.uid) state.fromList.add(o.metadata.uid);
      state.listed = true;
      state.firstListedAt ??= Date.now();
      state.down = false;
      return { ...result, items: result.items.map(shape) };
    } catch (e) {
      state.down = true;
      throw e;
    }
  };
  const watch = new TimedWatch(kc, watchTimeoutSeconds, (up) => (state.down = !up), countWatch, shape);
  const informer = new k8s.ListWatch<k8s.KubernetesObject>(path, watch, listed, false);
  informer.on('error', () => (state.down = true));
  return { informer, state };
}
