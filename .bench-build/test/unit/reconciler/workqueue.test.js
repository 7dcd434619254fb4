import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../../src/reconciler/workqueue.js';
/** A clock that only moves when told to. */
function fakeClock() {
    let now = 0;
    const timers = [];
    let nextId = 0;
    const clock = {
        now: () => now,
        setTimeout: (fn, ms) => {
            const t = { at: now + ms, fn, id: nextId++ };
            timers.push(t);
            return t.id;
        },
        clearTimeout: (id) => {
            const i = timers.findIndex((t) => t.id === id);
            if (i >= 0)
                timers.splice(i, 1);
        },
        advance(ms) {
            now += ms;
            for (const t of [...timers].sort((a, b) => a.at - b.at))
                if (t.at <= now) {
                    timers.splice(timers.indexOf(t), 1);
                    t.fn();
                }
        },
        pending: () => timers.length,
    };
    return clock;
}
describe('WorkQueue', () => {
    it('queues a key once however often it is added', async () => {
        const q = new WorkQueue();
        q.add('ns/a');
        q.add('ns/a');
        q.add('ns/b');
        expect(q.length).toBe(2);
        expect(await q.get()).toBe('ns/a');
        expect(await q.get()).toBe('ns/b');
    });
    it('never hands out a key that is being processed; a re-add during processing comes back after done()', async () => {
        const q = new WorkQueue();
        q.add('ns/a');
        const key = await q.get();
        q.add('ns/a');
        expect(q.length).toBe(0);
        q.done(key);
        expect(q.length).toBe(1);
        expect(await q.get()).toBe('ns/a');
    });
    it('wakes a waiting worker', async () => {
        const q = new WorkQueue();
        const got = q.get();
        q.add('ns/a');
        expect(await got).toBe('ns/a');
    });
    it('backs off exponentially per key, capped, and forget() resets it', () => {
        const clock = fakeClock();
        const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000, clock });
        expect([1, 2, 3, 4, 5, 6].map(() => q.addRateLimited('ns/a'))).toEqual([100, 200, 400, 800, 1000, 1000]);
        expect(q.addRateLimited('ns/b')).toBe(100);
        q.forget('ns/a');
        expect(q.addRateLimited('ns/a')).toBe(100);
    });
    it('adds a delayed key when it is due, keeping the earliest due time', () => {
        const clock = fakeClock();
        const q = new WorkQueue({ clock });
        q.addAfter('ns/a', 1000);
        q.addAfter('ns/a', 5000);
        q.addAfter('ns/a', 300);
        expect(clock.pending()).toBe(1);
        clock.advance(299);
        expect(q.length).toBe(0);
        clock.advance(1);
        expect(q.length).toBe(1);
    });
    it('shutDown releases waiting workers and drops pending timers', async () => {
        const clock = fakeClock();
        const q = new WorkQueue({ clock });
        q.addAfter('ns/a', 1000);
        const waiting = q.get();
        q.shutDown();
        expect(await waiting).toBeUndefined();
        expect(clock.pending()).toBe(0);
    });
});
