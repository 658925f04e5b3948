/**
 * The steady-state rate of a throttled phase (`effective.requests.perSecond`) read off
 * the exact admissions of limiters of known rate, offered more than they admit: a
 * window limiter's cycle (its allowance at each window's start, then refusals) must
 * not bias the figure by the run's edges, nor a bucket's refusals between admissions.
 */
import { describe, expect, it } from 'vitest';
import { PhaseStats } from '../../src/analysis/phase-rates.js';

/** A limiter's decision for a request arriving at `atMs`: true when admitted. */
type Limiter = (atMs: number) => boolean;

function fixedWindow(limit: number, windowMs: number): Limiter {
  const counts = new Map<number, number>();
  return (atMs) => {
    const window = Math.floor(atMs / windowMs);
    const used = counts.get(window) ?? 0;
    if (used >= limit) return false;
    counts.set(window, used + 1);
    return true;
  };
}

function slidingLog(limit: number, windowMs: number): Limiter {
  const admitted: number[] = [];
  return (atMs) => {
    while (admitted.length > 0 && admitted[0]! <= atMs - windowMs) admitted.shift();
    if (admitted.length >= limit) return false;
    admitted.push(atMs);
    return true;
  };
}

function tokenBucket(capacity: number, perSecond: number): Limiter {
  let tokens = capacity;
  let lastMs = 0;
  return (atMs) => {
    tokens = Math.min(capacity, tokens + ((atMs - lastMs) * perSecond) / 1000);
    lastMs = atMs;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** A steady phase offered `offeredPerSecond` for `seconds`, every request decided by `limiter`. */
function steadyAgainst(limiter: Limiter, offeredPerSecond: number, seconds: number, startMs = 0): PhaseStats {
  const stats = new PhaseStats('steady', 'steady');
  const count = Math.round(offeredPerSecond * seconds);
  for (let index = 0; index < count; index++) {
    const atMs = startMs + (index * 1000) / offeredPerSecond;
    stats.add(atMs, limiter(atMs) ? 'admitted' : 'refused', 'requests');
  }
  return stats;
}

describe('the throttled rate of a steady phase', () => {
  // Before the stretch ran between like points of the cycle, a 5-per-second fixed window offered 8/s for 5 s read 4.54/s
  // (9 % low) and 6/s 4.28/s (14 %). 7 %: one admission more or less over the shortest stretches (a 2-s window run for
  // 5 s holds two cycles; a bucket offered 6/s first refuses after 5 s) is 4–6 %.
  it.each([
    ['fixed window 5 per 1 s', () => fixedWindow(5, 1000), 5],
    ['fixed window 10 per 2 s', () => fixedWindow(10, 2000), 5],
    ['sliding log 5 per 1 s', () => slidingLog(5, 1000), 5],
    ['token bucket 5 at 5/s', () => tokenBucket(5, 5), 5],
  ] as const)('%s, offered above it, reads its rate within 7 %% on short and long runs', (_name, makeLimiter, truth) => {
    // Offered 6/s, a bucket of 5 at 5/s first refuses after about 5 s: the 5-s runs start at 8/s.
    for (const offered of [6, 8, 20]) {
      for (const seconds of offered === 6 ? [10, 30] : [5, 10, 30]) {
        for (const startMs of [0, 370]) {
          const rate = steadyAgainst(makeLimiter(), offered, seconds, startMs).throttledRate();
          expect(rate, `offered ${offered}/s for ${seconds} s from ${startMs} ms`).not.toBeNull();
          expect(Math.abs(rate! - truth) / truth, `offered ${offered}/s for ${seconds} s from ${startMs} ms: ${rate}`).toBeLessThanOrEqual(0.07);
        }
      }
    }
  });

  it('is null when nothing was refused for the request rate', () => {
    expect(steadyAgainst(() => true, 8, 10).throttledRate()).toBeNull();
  });
});
