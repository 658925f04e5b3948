/**
 * Every limiter model on a fake clock: for a given arrival sequence, exactly
 * which requests are admitted and what the limiter reports after each
 * (remaining, reset, retry-after).
 */
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyLimiter,
  FixedWindowLimiter,
  GcraLimiter,
  LeakyBucketLimiter,
  SlidingCounterLimiter,
  SlidingLogLimiter,
  TokenBucketLimiter,
  admitAll,
  tryAdmit,
  type Limiter,
} from '../../src/sim/index.js';
import { TimedCostQueue } from '../../src/sim/limiters/timed-cost-queue.js';

type Step = [timeMs: number, cost?: number];
type Seen = [admitted: boolean, remaining: number, retryAfterMs: number];

/** Feeds arrivals to a limiter and returns [admitted, remaining, retryAfterMs] for each. */
function run(limiter: Limiter, steps: Step[]): Seen[] {
  return steps.map(([time, cost]) => {
    const decision = tryAdmit(limiter, time, cost ?? 1);
    return [decision.admitted, decision.remaining, Math.round(decision.retryAfterMs * 1000) / 1000];
  });
}

describe('token bucket', () => {
  it('admits a burst of capacity, then one per refill interval; retry-after is the time to one token', () => {
    const limiter = new TokenBucketLimiter({ capacity: 3, ratePerSecond: 1 });
    expect(run(limiter, [[0], [0], [0], [0], [500], [1000], [1000], [3500]])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 1000],
      [false, 0, 500],
      [true, 0, 0],
      [false, 0, 1000],
      [true, 1, 0], // 2.5 tokens refilled by 3500, one taken
    ]);
  });

  it('reports the time until full as resetMs', () => {
    const limiter = new TokenBucketLimiter({ capacity: 10, ratePerSecond: 5 });
    expect(tryAdmit(limiter, 0, 1).resetMs).toBe(200);
    expect(tryAdmit(limiter, 0, 4).resetMs).toBe(1000);
    expect(limiter.check(100, 0).remaining).toBe(5);
  });

  it('refuses a cost above the capacity forever', () => {
    const limiter = new TokenBucketLimiter({ capacity: 3, ratePerSecond: 1 });
    expect(tryAdmit(limiter, 0, 4).retryAfterMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('in penalty mode a refused request empties the bucket, so knocking faster than the refill rate keeps it shut', () => {
    const plain = new TokenBucketLimiter({ capacity: 2, ratePerSecond: 1 });
    const penalised = new TokenBucketLimiter({ capacity: 2, ratePerSecond: 1, penalty: true });
    const steps: Step[] = [[0], [0], [600], [1200], [1800], [2400], [3400]];
    expect(run(plain, steps)).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 400],
      [true, 0, 0], // 1.2 tokens at 1200
      [false, 0, 200], // 0.8 tokens at 1800
      [true, 0, 0],
      [true, 0, 0],
    ]);
    expect(run(penalised, steps)).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 1000], // the 0.6 token is taken: a full second from empty
      [false, 0, 1000],
      [false, 0, 1000],
      [false, 0, 1000],
      [true, 0, 0], // one quiet second later
    ]);
  });
});

describe('fixed window', () => {
  it('counts per aligned window and lets 2 × limit through around a boundary', () => {
    const limiter = new FixedWindowLimiter({ limit: 2, windowMs: 1000 });
    expect(run(limiter, [[0], [100], [200], [999], [1000], [1900], [1950], [2000], [2001]])).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 800],
      [false, 0, 1],
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 50],
      [true, 1, 0], // 2 at 1900 and 2 at 2000-2001: four within 101 ms
      [true, 0, 0],
    ]);
  });

  it('reports the time to the boundary as resetMs', () => {
    const limiter = new FixedWindowLimiter({ limit: 5, windowMs: 10_000 });
    expect(tryAdmit(limiter, 2500).resetMs).toBe(7500);
  });
});

describe('sliding log', () => {
  it('admits at most limit in any window; a charge stops counting exactly one window after it was taken', () => {
    const limiter = new SlidingLogLimiter({ limit: 3, windowMs: 1000 });
    expect(run(limiter, [[0], [100], [200], [300], [999], [1000], [1050], [1100]])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 700],
      [false, 0, 1],
      [true, 0, 0],
      [false, 0, 50],
      [true, 0, 0],
    ]);
  });

  it('weighs charges (token windows): retry-after is when enough of the oldest charges have expired', () => {
    const limiter = new SlidingLogLimiter({ limit: 10, windowMs: 60_000 });
    expect(run(limiter, [[0, 4], [100, 4], [200, 4], [200, 2], [300, 11]])).toEqual([
      [true, 6, 0],
      [true, 2, 0],
      [false, 2, 59_800], // needs 2 more: the charge of t=0 expires at 60 000
      [true, 0, 0],
      [false, 0, Number.POSITIVE_INFINITY], // larger than the whole window
    ]);
    expect(limiter.check(60_000, 0).remaining).toBe(4);
    expect(limiter.check(60_200, 0).remaining).toBe(10);
  });

  it('reports the time until the newest charge expires as resetMs', () => {
    const limiter = new SlidingLogLimiter({ limit: 5, windowMs: 10_000 });
    tryAdmit(limiter, 0);
    expect(tryAdmit(limiter, 3000).resetMs).toBe(10_000);
    expect(limiter.check(4000, 0).resetMs).toBe(9000);
  });

  it('in penalty mode refused requests are logged too, keeping the window full while they keep coming', () => {
    const plain = new SlidingLogLimiter({ limit: 2, windowMs: 1000 });
    const penalised = new SlidingLogLimiter({ limit: 2, windowMs: 1000, penalty: true });
    const steps: Step[] = [[0], [0], [500], [900], [1000], [1500], [1900], [2900]];
    expect(run(plain, steps)).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 500],
      [false, 0, 100],
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 100],
      [true, 1, 0],
    ]);
    expect(run(penalised, steps)).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 500],
      [false, 0, 600],
      [false, 0, 900], // log 500, 900, 1000: two must expire
      [false, 0, 500], // log 900, 1000, 1500
      [false, 0, 600], // log 1000, 1500, 1900
      [true, 1, 0], // one window after the last knock: two slots, one taken
    ]);
  });
});

describe('sliding-window counter', () => {
  it('estimates previous × (1 − elapsed) + current and solves the retry time in the same or the next window', () => {
    const limiter = new SlidingCounterLimiter({ limit: 10, windowMs: 1000 });
    const burst = run(limiter, Array.from({ length: 10 }, (): Step => [500]));
    expect(burst.map(([admitted]) => admitted)).toEqual(Array(10).fill(true));
    expect(run(limiter, [[600], [1100], [1150], [1200], [1200]])).toEqual([
      [false, 0, 500], // next window, once the weight of 10 falls to 9: t = 1100
      [true, 0, 0], // 10 × 0.9 + 0 + 1 = 10
      [false, 0, 50], // 10 × 0.85 + 1 + 1 > 10; fits at 1200 (10 × 0.8 + 1 + 1 = 10)
      [true, 0, 0],
      [false, 0, 100],
    ]);
    expect(limiter.estimate(1500)).toBeCloseTo(7, 9);
  });

  it('in penalty mode refused requests weigh on the next window', () => {
    const plain = new SlidingCounterLimiter({ limit: 2, windowMs: 1000 });
    const penalised = new SlidingCounterLimiter({ limit: 2, windowMs: 1000, penalty: true });
    const steps: Step[] = [[0], [0], [100], [200], [300], [1500]];
    expect(run(plain, steps).map(([admitted]) => admitted)).toEqual([true, true, false, false, false, true]);
    // 5 counted in window 0: at 1500 the estimate is 5 × 0.5 = 2.5 > 1 left.
    expect(run(penalised, steps).map(([admitted]) => admitted)).toEqual([true, true, false, false, false, false]);
  });
});

describe('GCRA', () => {
  it('admits burst at once, then one per emission interval', () => {
    const limiter = new GcraLimiter({ ratePerSecond: 10, burst: 3 });
    expect(run(limiter, [[0], [0], [0], [0], [100], [150], [200], [1000]])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 100],
      [true, 0, 0],
      [false, 0, 50],
      [true, 0, 0],
      [true, 2, 0], // idle long enough to be full again
    ]);
  });

  it('reports the time until the theoretical arrival time as resetMs', () => {
    const limiter = new GcraLimiter({ ratePerSecond: 10, burst: 3 });
    tryAdmit(limiter, 0);
    tryAdmit(limiter, 0);
    expect(tryAdmit(limiter, 0).resetMs).toBe(300);
  });

  it('in penalty mode a refused request pushes the next admission back', () => {
    const plain = new GcraLimiter({ ratePerSecond: 10, burst: 2 });
    const penalised = new GcraLimiter({ ratePerSecond: 10, burst: 2, penalty: true });
    const steps: Step[] = [[0], [0], [50], [100], [150]];
    expect(run(plain, steps)).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 50],
      [true, 0, 0],
      [false, 0, 50],
    ]);
    expect(run(penalised, steps)).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 100], // TAT moved to 250: allowed again at 150
      [false, 0, 100],
      [false, 0, 100],
    ]);
  });
});

describe('concurrency cap', () => {
  it('admits up to limit in flight and one more per release', () => {
    const limiter = new ConcurrencyLimiter({ limit: 2, retryAfterMs: 250 });
    expect(run(limiter, [[0], [0], [0]])).toEqual([
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 250],
    ]);
    limiter.release(10, 1);
    expect(limiter.active).toBe(1);
    expect(run(limiter, [[10], [10]])).toEqual([
      [true, 0, 0],
      [false, 0, 250],
    ]);
  });
});

describe('leaky bucket (PTU utilization)', () => {
  it('admits while below 100 % before adding, lets one request go over, and says when it is below 100 % again', () => {
    const limiter = new LeakyBucketLimiter({ capacity: 1000, drainPerSecond: 100 });
    expect(run(limiter, [[0, 600], [0, 600], [0, 1], [2000, 1], [2001, 1]])).toEqual([
      [true, 400, 0],
      [true, 0, 0], // 120 %: a short burst just over 100 %
      [false, 0, 2001],
      [false, 0, 1],
      [true, 0, 0], // 999.9 before adding
    ]);
    expect(limiter.utilization(2001)).toBeCloseTo(1.0009, 9);
    limiter.adjust(2001, -500);
    expect(limiter.utilization(2001)).toBeCloseTo(0.5009, 9);
    expect(limiter.utilization(12_000)).toBe(0);
  });
});

describe('admitAll (several limiters at once)', () => {
  it('charges nothing when any limiter refuses, and waits for the slowest', () => {
    const requests = new SlidingLogLimiter({ limit: 10, windowMs: 10_000 });
    const perSecond = new SlidingLogLimiter({ limit: 1, windowMs: 1000 });
    const tokens = new SlidingLogLimiter({ limit: 100, windowMs: 60_000 });
    const limiters = [requests, perSecond, tokens];
    expect(admitAll(limiters, [1, 1, 60], 0).admitted).toBe(true);
    const refused = admitAll(limiters, [1, 1, 60], 0);
    expect(refused.admitted).toBe(false);
    expect(refused.refusedBy).toEqual([1, 2]);
    expect(refused.retryAfterMs).toBe(60_000);
    expect(refused.decisions.map((decision) => decision.remaining)).toEqual([9, 0, 40]);
    // Nothing charged by the refusal: a small request fits once the 1-s window has passed.
    expect(admitAll(limiters, [1, 1, 40], 1000).decisions.map((decision) => decision.remaining)).toEqual([8, 0, 0]);
  });
});

describe('TimedCostQueue', () => {
  it('keeps totals and finds expiry times across compactions', () => {
    const queue = new TimedCostQueue();
    for (let index = 0; index < 5000; index++) queue.push(index, 2);
    queue.expireUpTo(2999);
    expect(queue.size).toBe(2000);
    expect(queue.total).toBe(4000);
    expect(queue.timeWhenFreed(1)).toBe(3000);
    expect(queue.timeWhenFreed(3)).toBe(3001);
    expect(queue.timeWhenFreed(4000)).toBe(4999);
    expect(queue.timeWhenFreed(4001)).toBeUndefined();
    queue.expireUpTo(10_000);
    expect(queue.size).toBe(0);
    expect(queue.total).toBe(0);
    expect(queue.newestTime).toBeUndefined();
  });
});
