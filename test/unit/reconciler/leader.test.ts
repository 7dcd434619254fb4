import { describe, expect, it } from '@jest/globals';
import {
  LeaderElector,
  decideAcquire,
  nextRecord,
  releasedRecord,
  renewalLost,
  timingProblem,
  type ElectorClock,
  type LeaseRecord,
  type LeaseStore,
  type StoredLease,
} from '../../../src/reconciler/leader.js';
import { jsonLogger } from '../../../src/reconciler/log.js';

const LEASE = 15_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('decideAcquire', () => {
  const other = { holderIdentity: 'b_1', leaseDurationSeconds: 15, renewTime: new Date(T0 - 3_600_000) };
  it.each([
    ['no Lease: create it', undefined, T0, T0, 'create'],
    ['our own Lease: renew', { holderIdentity: 'a_1' }, T0, T0, 'renew'],
    ['a released Lease (no holder): take it at once', { holderIdentity: '', leaseDurationSeconds: 1 }, T0, T0, 'take'],
    ['another holder seen changing just now: held', other, T0, T0, 'held-by-other'],
    ['another holder, unchanged for just under a lease duration: held', other, T0, T0 + LEASE - 1, 'held-by-other'],
    ['another holder, unchanged for a whole lease duration: take it', other, T0, T0 + LEASE, 'take'],
  ] as const)('%s', (_what, lease, observedAtMs, nowMs, expected) => {
    expect(decideAcquire({ lease: lease as LeaseRecord | undefined, identity: 'a_1', observedAtMs, nowMs, leaseDurationMs: LEASE })).toBe(expected);
  });

  it('judges expiry by when this candidate saw the record change, not by the renewTime written in it (clock skew)', () => {
    // The holder's clock is an hour slow: its renewTime looks stale, but the record changed a moment ago.
    const skewed = { holderIdentity: 'b_1', renewTime: new Date(T0 - 3_600_000), leaseDurationSeconds: 15 };
    expect(decideAcquire({ lease: skewed, identity: 'a_1', observedAtMs: T0, nowMs: T0 + 1000, leaseDurationMs: LEASE })).toBe('held-by-other');
  });
});

describe('nextRecord / releasedRecord', () => {
  it('creates with 0 transitions, acquireTime = renewTime = now', () => {
    expect(nextRecord(undefined, 'a_1', T0, LEASE)).toEqual({
      holderIdentity: 'a_1', leaseDurationSeconds: 15, acquireTime: new Date(T0), renewTime: new Date(T0), leaseTransitions: 0,
    });
  });
  it('renews: keeps acquireTime and transitions, moves renewTime', () => {
    const held = nextRecord(undefined, 'a_1', T0, LEASE);
    expect(nextRecord(held, 'a_1', T0 + 2000, LEASE)).toEqual({ ...held, renewTime: new Date(T0 + 2000) });
  });
  it('takes over: one more transition, a new acquireTime', () => {
    const held = { ...nextRecord(undefined, 'b_1', T0, LEASE), leaseTransitions: 4 };
    expect(nextRecord(held, 'a_1', T0 + 20_000, LEASE)).toMatchObject({ holderIdentity: 'a_1', leaseTransitions: 5, acquireTime: new Date(T0 + 20_000) });
  });
  it('releases as client-go ReleaseOnCancel does: no holder, leaseDurationSeconds 1', () => {
    const held = nextRecord(undefined, 'a_1', T0, LEASE);
    expect(releasedRecord(held, T0 + 5000)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
  });
});

describe('timing', () => {
  it.each([
    [{ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }, undefined],
    [{ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }, '--renew-deadline must be shorter than --lease-duration'],
    [{ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 10_000 }, '--retry-period must be shorter than --renew-deadline'],
  ])('%j → %s', (timing, problem) => expect(timingProblem(timing)).toBe(problem));

  it('renewal is lost exactly at the renew deadline', () => {
    expect(renewalLost(T0, T0 + 9_999, 10_000)).toBe(false);
    expect(renewalLost(T0, T0 + 10_000, 10_000)).toBe(true);
  });
});

/** Virtual time: sleeps resolve only when the test advances the clock. */
class FakeClock implements ElectorClock {
  t = T0;
  private timers: { due: number; resolve: () => void }[] = [];
  now = () => this.t;
  random = () => 0.5;
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      const timer = {
        due: this.t + ms,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal.addEventListener('abort', onAbort);
    });
  }
  /** Runs every timer due within ms, in order, letting the code they wake run in between. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const next = this.timers.filter((x) => x.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.t = next.due;
      this.timers = this.timers.filter((x) => x !== next);
      next.resolve();
    }
    this.t = end;
    await flush();
  }
}
const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** One Lease in memory, with the API server's optimistic concurrency; `down` makes every call fail for one caller. */
class MemoryLease {
  lease?: StoredLease;
  private rv = 0;
  writes: string[] = [];
  storeFor(who: string, down: () => boolean = () => false): LeaseStore {
    const fail = () => {
      if (down()) throw new Error(`${who}: connection refused`);
    };
    return {
      get: async () => (fail(), this.lease),
      create: async (record) => {
        fail();
        if (this.lease) return 'conflict';
        this.lease = { record, resourceVersion: String(++this.rv) };
        this.writes.push(who);
        return 'created';
      },
      update: async (record, resourceVersion) => {
        fail();
        if (this.lease?.resourceVersion !== resourceVersion) return 'conflict';
        this.lease = { record, resourceVersion: String(++this.rv) };
        this.writes.push(who);
        return 'updated';
      },
    };
  }
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const quiet = jsonLogger('error', () => {});

function candidate(name: string, lease: MemoryLease, clock: FakeClock, down = () => false) {
  const events: string[] = [];
  const stop = new AbortController();
  const elector = new LeaderElector({
    store: lease.storeFor(name, down),
    identity: name,
    timing,
    log: quiet,
    clock,
    onStartedLeading: () => events.push(`started@${clock.t - T0}`),
    onStoppedLeading: () => events.push(`stopped@${clock.t - T0}`),
  });
  const ended = elector.run(stop.signal);
  return { elector, events, stop, ended };
}

describe('LeaderElector (virtual time, a Lease in memory)', () => {
  it('of two candidates exactly one leads, and the follower never writes the Lease while it is renewed', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate('a', lease, clock);
    const b = candidate('b', lease, clock);
    await clock.advance(60_000);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(a.events).toEqual(['started@0']);
    expect(b.events).toEqual([]);
    expect(new Set(lease.writes)).toEqual(new Set(['a']));
    expect(lease.writes.length).toBeGreaterThanOrEqual(30); // created, then renewed every 2 s
  });

  it('the leader stops at its renew deadline; the follower takes over one lease duration after it last saw a change', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    let aDown = false;
    const a = candidate('a', lease, clock, () => aDown);
    const b = candidate('b', lease, clock);
    await clock.advance(10_000);
    aDown = true; // a's last successful renew was at 10 s
    await clock.advance(9_000);
    expect(a.events).toEqual(['started@0']); // still within the deadline
    await clock.advance(2_000);
    expect(a.events).toEqual(['started@0', 'stopped@20000']); // first retry at or past 10 s + 10 s
    await expect(a.ended).resolves.toBe('lost');
    expect(b.events).toEqual([]);
    await clock.advance(15_000);
    // b saw the record change last at ≤ 10 s + one jittered retry (3.2 s); it takes over a lease duration after that.
    const started = Number(b.events[0]?.split('@')[1]);
    expect(started).toBeGreaterThanOrEqual(25_000);
    expect(started).toBeLessThanOrEqual(10_000 + 3_200 + 15_000 + 3_200);
    expect(lease.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a stopped leader releases the Lease and the follower takes it at its next retry, not a lease duration later', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate('a', lease, clock);
    const b = candidate('b', lease, clock);
    await clock.advance(10_000);
    a.stop.abort();
    await clock.advance(0);
    await expect(a.ended).resolves.toBe('released');
    expect(a.events).toEqual(['started@0']); // a release is not a loss
    expect(lease.lease?.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await clock.advance(3_200);
    expect(b.elector.isLeader()).toBe(true);
    expect(Number(b.events[0]?.split('@')[1])).toBeLessThanOrEqual(13_200);
  });

  it('on a stop, the work is stopped (beforeRelease) before the Lease is released', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const order: string[] = [];
    const stop = new AbortController();
    const elector = new LeaderElector({
      store: lease.storeFor('a'),
      identity: 'a',
      timing,
      log: quiet,
      clock,
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
      beforeRelease: async () => {
        order.push(`work stopped, holder ${lease.lease?.record.holderIdentity}`);
      },
    });
    const ended = elector.run(stop.signal);
    await clock.advance(5_000);
    stop.abort();
    await expect(ended).resolves.toBe('released');
    order.push(`released, holder '${lease.lease?.record.holderIdentity}'`);
    expect(order).toEqual(['work stopped, holder a', "released, holder ''"]);
  });

  it('a write with a stale resourceVersion is refused (409) and the next attempt re-reads', async () => {
    const lease = new MemoryLease();
    const store = lease.storeFor('x');
    expect(await store.create({ holderIdentity: 'x' })).toBe('created');
    const read = (await store.get())!;
    expect(await store.update({ holderIdentity: 'y' }, read.resourceVersion)).toBe('updated');
    expect(await store.update({ holderIdentity: 'z' }, read.resourceVersion)).toBe('conflict');
    // An elector that lost that race does not lead and does not write on a stale view.
    const clock = new FakeClock();
    const racer = new LeaderElector({
      store: {
        get: () => store.get(),
        create: () => store.create({}),
        update: async () => 'conflict',
      },
      identity: 'y', // the current holder: a renew that conflicts
      timing,
      log: quiet,
      clock,
      onStartedLeading: () => {
        throw new Error('must not lead');
      },
      onStoppedLeading: () => {},
    });
    const stop = new AbortController();
    const ended = racer.run(stop.signal);
    await clock.advance(20_000);
    expect(racer.isLeader()).toBe(false);
    stop.abort();
    await expect(ended).resolves.toBe('stopped-before-leading');
  });
});
