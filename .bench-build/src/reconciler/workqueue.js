export const realClock = {
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h),
};
export class WorkQueue {
    queue = [];
    queued = new Set();
    processing = new Set();
    dirty = new Set();
    failures = new Map();
    delayed = new Map();
    waiters = [];
    baseDelayMs;
    maxDelayMs;
    clock;
    shuttingDown = false;
    constructor(options = {}) {
        this.baseDelayMs = options.baseDelayMs ?? 500;
        this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
        this.clock = options.clock ?? realClock;
    }
    add(key) {
        if (this.shuttingDown)
            return;
        if (this.processing.has(key)) {
            this.dirty.add(key);
            return;
        }
        if (this.queued.has(key))
            return;
        this.queued.add(key);
        const waiter = this.waiters.shift();
        if (waiter) {
            this.queued.delete(key);
            this.processing.add(key);
            waiter(key);
        }
        else
            this.queue.push(key);
    }
    /** Adds `key` after `ms`; an earlier pending due time wins. */
    addAfter(key, ms) {
        if (this.shuttingDown)
            return;
        if (ms <= 0)
            return this.add(key);
        const due = this.clock.now() + ms;
        const pending = this.delayed.get(key);
        if (pending && pending.due <= due)
            return;
        if (pending)
            this.clock.clearTimeout(pending.handle);
        const handle = this.clock.setTimeout(() => {
            this.delayed.delete(key);
            this.add(key);
        }, ms);
        this.delayed.set(key, { due, handle });
    }
    /** Re-adds a key that failed, after its next backoff delay; returns that delay. */
    addRateLimited(key) {
        const n = this.failures.get(key) ?? 0;
        this.failures.set(key, n + 1);
        const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n);
        this.addAfter(key, delay);
        return delay;
    }
    /** Clears a key's failure count (after a successful reconcile). */
    forget(key) {
        this.failures.delete(key);
    }
    failuresOf(key) {
        return this.failures.get(key) ?? 0;
    }
    /** The next key to process, waiting for one; undefined once the queue shuts down. */
    get() {
        if (this.shuttingDown)
            return Promise.resolve(undefined);
        const key = this.queue.shift();
        if (key !== undefined) {
            this.queued.delete(key);
            this.processing.add(key);
            return Promise.resolve(key);
        }
        return new Promise((resolve) => this.waiters.push(resolve));
    }
    /** Marks a key processed; if it was added meanwhile, it is queued again. */
    done(key) {
        this.processing.delete(key);
        if (this.dirty.delete(key))
            this.add(key);
    }
    get length() {
        return this.queue.length;
    }
    shutDown() {
        this.shuttingDown = true;
        for (const { handle } of this.delayed.values())
            this.clock.clearTimeout(handle);
        this.delayed.clear();
        this.waiters.splice(0).forEach((w) => w(undefined));
    }
}
