/**
 * The three limiter kinds that are neither one plain window nor one plain bucket, on a
 * fake clock: a window every refusal restarts, a bucket that drops its fractional
 * refill on every admission, and limits in AND. Exact sequences first, then
 * properties over random settings (fast-check) checked against the definition of
 * each kind written out independently in the test.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AllOfLimiter,
  RestartingWindowLimiter,
  SlidingLogLimiter,
  WholeTokenBucketLimiter,
  createLimiter,
  parseLimiterSpec,
  tryAdmit,
  type Limiter,
} from '../../src/sim/index.js';

function admitted(limiter: Limiter, times: readonly number[]): boolean[] {
  return times.map((time) => tryAdmit(limiter, time, 1).admitted);
}

describe('restarting window', () => {
  it('admits the limit, then stays shut while the client keeps knocking, and opens after one quiet window', () => {
    const limiter = new RestartingWindowLimiter({ limit: 3, windowMs: 1000 });
    // 3 admitted at 0; refused at 100 (block until 1100); refused at 1000 (block until 2000);
    // refused at 1900 (block until 2900); quiet until 2900: admitted.
    expect(admitted(limiter, [0, 0, 0, 100, 1000, 1900, 2900, 2900, 2900, 2900])).toEqual([true, true, true, false, false, false, true, true, true, false]);
  });

  it('a separate block length: quiet for the block, not the window', () => {
    const limiter = new RestartingWindowLimiter({ limit: 2, windowMs: 1000, blockMs: 4000 });
    expect(admitted(limiter, [0, 0, 0, 3999, 7998, 11998])).toEqual([true, true, false, false, false, true]);
    // Not exceeded: the window simply ends.
    const plain = new RestartingWindowLimiter({ limit: 2, windowMs: 1000, blockMs: 4000 });
    expect(admitted(plain, [0, 500, 1000, 1000])).toEqual([true, true, true, true]);
  });

  it('retry-after is the whole block (a refusal restarts it)', () => {
    const limiter = new RestartingWindowLimiter({ limit: 1, windowMs: 1000, blockMs: 3000 });
    tryAdmit(limiter, 0, 1);
    expect(tryAdmit(limiter, 10, 1).retryAfterMs).toBe(3000);
    expect(limiter.check(1010, 1).retryAfterMs).toBe(2000);
  });

  it('matches its definition for random settings and arrivals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 50, max: 5000 }), fc.integer({ min: 50, max: 5000 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 80 }), (limit, windowMs, blockMs, gaps) => {
        const limiter = new RestartingWindowLimiter({ limit, windowMs, blockMs });
        let now = 0;
        let windowStart = Number.NEGATIVE_INFINITY;
        let count = 0;
        let lastRefusal = Number.NEGATIVE_INFINITY;
        for (const gap of gaps) {
          now += gap;
          let expected: boolean;
          if (now - lastRefusal < blockMs) expected = false;
          else {
            if (now - windowStart >= windowMs) {
              windowStart = now;
              count = 0;
            }
            expected = count < limit;
          }
          if (expected) count++;
          else {
            lastRefusal = now;
            windowStart = Number.NEGATIVE_INFINITY;
          }
          expect(tryAdmit(limiter, now, 1).admitted).toBe(expected);
        }
      }),
      { seed: 1601, numRuns: 200 },
    );
  });
});

describe('whole-token bucket', () => {
  it('paced at its rate it admits everything; a little faster it admits far less than its rate', () => {
    const atRate = new WholeTokenBucketLimiter({ capacity: 1, ratePerSecond: 5 });
    const paced = Array.from({ length: 50 }, (_, index) => index * 200);
    expect(admitted(atRate, paced).every(Boolean)).toBe(true);
    const overdriven = new WholeTokenBucketLimiter({ capacity: 1, ratePerSecond: 5 });
    const fast = Array.from({ length: 60 }, (_, index) => (index * 1000) / 6);
    const count = admitted(overdriven, fast).filter(Boolean).length;
    // Every second request: 30 of 60 in 10 s, 3/s against a refill of 5/s.
    expect(count).toBe(30);
  });

  it('a refusal keeps the fraction; an admission drops it', () => {
    const limiter = new WholeTokenBucketLimiter({ capacity: 2, ratePerSecond: 1 });
    // 2 at 0; refused at 900 (0.9 earned); admitted at 1000 (1 earned, clock restarts);
    // refused at 1999 (0.999); admitted at 2000.
    expect(admitted(limiter, [0, 0, 900, 1000, 1999, 2000])).toEqual([true, true, false, true, false, true]);
    // From empty, full again after capacity / rate.
    expect(limiter.check(4000, 0).remaining).toBe(2);
    expect(limiter.check(3999, 0).remaining).toBe(1);
  });

  it('matches its definition for random settings and arrivals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 100 }), (capacity, rate, gaps) => {
        const limiter = new WholeTokenBucketLimiter({ capacity, ratePerSecond: rate });
        let now = 0;
        let tokens = capacity;
        let last: number | null = null;
        for (const gap of gaps) {
          now += gap;
          // Integer arithmetic: whole tokens earned since the last admission.
          const available = last === null ? tokens : Math.min(capacity, tokens + Math.floor(((now - last) * rate) / 1000));
          const expected = available >= 1;
          if (expected) {
            tokens = available - 1;
            last = now;
          }
          expect(tryAdmit(limiter, now, 1).admitted).toBe(expected);
        }
      }),
      { seed: 1602, numRuns: 200 },
    );
  });
});

describe('limits in AND', () => {
  it('a 1-s and a 10-s cap: bursts meet the first, sustained traffic the second, and a refusal charges neither', () => {
    const both = new AllOfLimiter([new SlidingLogLimiter({ limit: 5, windowMs: 1000 }), new SlidingLogLimiter({ limit: 30, windowMs: 10_000 })]);
    expect(admitted(both, [0, 0, 0, 0, 0, 0])).toEqual([true, true, true, true, true, false]);
    // 5 per second from t=1 s: 25 more fit the 10-s cap by 5 s, then nothing until 10 s.
    const times = Array.from({ length: 45 }, (_, index) => 1000 + index * 200);
    const results = admitted(both, times);
    expect(results.filter(Boolean).length).toBe(25);
    expect(results.slice(0, 25).every(Boolean)).toBe(true);
    expect(tryAdmit(both, 10_000, 1).admitted).toBe(true);
  });

  it('matches the conjunction of its parts checked separately, for random settings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 200, max: 2000 }),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 100 }),
        (limit, windowMs, factor, gaps) => {
          const both = new AllOfLimiter([new SlidingLogLimiter({ limit, windowMs }), new SlidingLogLimiter({ limit: limit * factor - 1, windowMs: windowMs * factor })]);
          // The definition: a request counts in each log only when both admit it.
          const logs: number[][] = [[], []];
          const limits = [limit, limit * factor - 1];
          const windows = [windowMs, windowMs * factor];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const fits = logs.map((log, index) => log.filter((time) => time > now - windows[index]!).length < limits[index]!);
            const expected = fits.every(Boolean);
            if (expected) for (const log of logs) log.push(now);
            expect(tryAdmit(both, now, 1).admitted).toBe(expected);
          }
        },
      ),
      { seed: 1603, numRuns: 200 },
    );
  });
});

describe('specs', () => {
  it('parses the new kinds and joins limiters with +', () => {
    expect(parseLimiterSpec('restarting-window:limit=5,window=4s,block=2s')).toEqual({ kind: 'restarting-window', limit: 5, windowMs: 4000, blockMs: 2000 });
    expect(parseLimiterSpec('whole-token-bucket:capacity=5,rate=5/s,headers=none')).toEqual({ kind: 'whole-token-bucket', capacity: 5, ratePerSecond: 5, headers: 'none' });
    const spec = parseLimiterSpec('sliding-log:limit=5,window=1s,headers=x-ratelimit+sliding-log:limit=30,window=10s');
    expect(spec).toEqual({
      kind: 'all-of',
      parts: [
        { kind: 'sliding-log', limit: 5, windowMs: 1000, headers: 'x-ratelimit' },
        { kind: 'sliding-log', limit: 30, windowMs: 10_000 },
      ],
      headers: 'x-ratelimit',
    });
    expect(createLimiter(spec).kind).toBe('all-of');
  });

  it('reports every problem of every part at once', () => {
    expect(() => parseLimiterSpec('restarting-window:limit=5+sliding-log:window=1s')).toThrow(/"window" is required[\s\S]*"limit" is required/);
    expect(() => parseLimiterSpec('whole-token-bucket:capacity=5,rate=5/s,penalty=true')).toThrow(/unknown key "penalty"/);
    expect(() => parseLimiterSpec('concurrency:limit=2+sliding-log:limit=1,window=1s')).toThrow(/concurrency cap cannot be joined/);
  });
});
