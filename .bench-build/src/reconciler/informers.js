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
    minTimeoutSeconds;
    onWatching;
    countWatch;
    constructor(config, minTimeoutSeconds = 300, 
    /** Told `true` once a watch request is answered (200), `false` when one fails. */
    onWatching = () => { }, countWatch = () => { }) {
        super(config);
        this.minTimeoutSeconds = minTimeoutSeconds;
        this.onWatching = onWatching;
        this.countWatch = countWatch;
    }
    async watch(path, queryParams, callback, done) {
        const timeoutSeconds = Math.round(this.minTimeoutSeconds * (1 + Math.random()));
        this.countWatch();
        let timer;
        let ended = false;
        let expired = false;
        const controller = await super.watch(path, { ...queryParams, timeoutSeconds, allowWatchBookmarks: true }, callback, (err) => {
            ended = true;
            if (timer)
                clearTimeout(timer);
            // Our own abort of an expired watch is a normal end: re-watch, do not report an error.
            if (err && !expired)
                this.onWatching(false);
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
/**
 * An informer on `path` whose list goes through `list` (a client-node call), recording in the returned state whether
 * it has listed and which UIDs the last list returned.
 */
export function trackedInformer(kc, name, path, list, watchTimeoutSeconds, countWatch = () => { }) {
    const state = { name, listed: false, down: false, fromList: new Set() };
    const listed = async () => {
        try {
            const result = await list();
            state.fromList.clear();
            for (const o of result.items)
                if (o.metadata?.uid)
                    state.fromList.add(o.metadata.uid);
            state.listed = true;
            state.down = false;
            return result;
        }
        catch (e) {
            state.down = true;
            throw e;
        }
    };
    const watch = new TimedWatch(kc, watchTimeoutSeconds, (up) => (state.down = !up), countWatch);
    const informer = new k8s.ListWatch(path, watch, listed, false);
    informer.on('error', () => (state.down = true));
    return { informer, state };
}
