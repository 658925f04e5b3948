/**
 * Each policy's delay sequence, exactly: given a refusal's headers, the attempt number and
 * scripted random draws, the wait is a known number. No clock runs; an HTTP-date hint is
 * counted from the outcome's own answer time.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/retry/parse-policy.js';
import { scriptedRandom, seededRandom } from '../../src/retry/random.js';
import type { AttemptOutcome, RandomSource, RetryPolicy } from '../../src/retry/types.js';

const ANSWERED_AT = Date.parse('2026-01-01T00:00:00.000Z');

function refusal(headers: Record<string, string> = {}, status = 429): AttemptOutcome {
  return { status, errorKind: null, headers, answeredAtEpochMs: ANSWERED_AT };
}

/** The waits a caller would take for `attempts` failed attempts all answered by `outcome`. */
function waits(policy: RetryPolicy, outcome: AttemptOutcome, attempts: number, random: RandomSource = scriptedRandom([0.5])): Array<number | string> {
  const result: Array<number | string> = [];
  let previousWaitMs: number | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const decision = policy.decide(outcome, { attempt, previousWaitMs }, random);
    if (!decision.retry) {
      result.push(decision.reason);
      break;
    }
    result.push(decision.waitMs);
    previousWaitMs = decision.waitMs;
  }
  return result;
}

describe('textbook policies', () => {
  it('none never retries; immediate retries at once', () => {
    expect(waits(parsePolicy('none'), refusal(), 3)).toEqual(['policy-limit']);
    expect(waits(parsePolicy('immediate'), refusal(), 3)).toEqual([0, 0, 0]);
  });

  it('fixed waits its delay every time', () => {
    expect(waits(parsePolicy('fixed'), refusal(), 3)).toEqual([1000, 1000, 1000]);
    expect(waits(parsePolicy('fixed:delay=250ms'), refusal(), 2)).toEqual([250, 250]);
  });

  it('exponential doubles from base up to its cap, ignoring headers', () => {
    expect(waits(parsePolicy('exponential'), refusal({ 'retry-after': '30' }), 7)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(waits(parsePolicy('exponential:base=1s,factor=3,cap=5s'), refusal(), 4)).toEqual([1000, 3000, 5000, 5000]);
  });

  it('exponential-jitter: full, equal and decorrelated on scripted draws', () => {
    const draws = (): RandomSource => scriptedRandom([0.25, 0.5, 0.75, 1 - 2 ** -20]);
    expect(waits(parsePolicy('exponential-jitter'), refusal(), 3, draws())).toEqual([125, 500, 1500]);
    expect(waits(parsePolicy('exponential-jitter:jitter=equal'), refusal(), 3, draws())).toEqual([250 + 62.5, 500 + 250, 1000 + 750]);
    // decorrelated: min(cap, U(base, previous × 3)), previous starting at base.
    expect(waits(parsePolicy('exponential-jitter:jitter=decorrelated,base=1s,cap=4s'), refusal(), 3, draws())).toEqual([1000 + 0.25 * 2000, 1000 + 0.5 * 3500, 4000]);
  });

  it('does not retry what will fail again (a 400) but does retry resets and 5xx', () => {
    expect(waits(parsePolicy('exponential'), refusal({}, 400), 3)).toEqual(['not-retryable']);
    expect(waits(parsePolicy('immediate'), { status: null, errorKind: 'reset', headers: {}, answeredAtEpochMs: ANSWERED_AT }, 1)).toEqual([0]);
    expect(waits(parsePolicy('fixed'), refusal({}, 502), 1)).toEqual([1000]);
  });
});

describe('header policies', () => {
  const header = parsePolicy('header');

  it('takes the largest of retry-after-ms, retry-after and the reset headers', () => {
    expect(waits(header, refusal({ 'retry-after-ms': '1250' }), 1)).toEqual([1250]);
    expect(waits(header, refusal({ 'retry-after': '2', 'retry-after-ms': '1250' }), 1)).toEqual([2000]);
    expect(waits(header, refusal({ 'retry-after': '1', 'x-ratelimit-reset-tokens': '20' }), 1)).toEqual([20_000]);
    expect(waits(header, refusal({ 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-reset-tokens': '120ms' }), 1)).toEqual([360_000]);
    expect(waits(header, refusal({ 'x-ms-retry-after-ms': '900' }), 1)).toEqual([900]);
  });

  it('reads retry-after as an HTTP date counted from the answer, a past date as no wait', () => {
    expect(waits(header, refusal({ 'retry-after': new Date(ANSWERED_AT + 7000).toUTCString() }), 1)).toEqual([7000]);
    expect(waits(header, refusal({ 'retry-after': new Date(ANSWERED_AT - 7000).toUTCString() }), 1)).toEqual([0]);
  });

  it('falls back to exponential when no header speaks (or says -1)', () => {
    expect(waits(header, refusal({ 'x-ratelimit-reset-requests': '-1' }), 3)).toEqual([500, 1000, 2000]);
  });

  it('header-jitter adds up to spread × the hint, never less than the hint', () => {
    const headerJitter = parsePolicy('header-jitter');
    expect(waits(headerJitter, refusal({ 'retry-after-ms': '1000' }), 2, scriptedRandom([0, 0.5]))).toEqual([1000, 1500]);
    expect(waits(parsePolicy('header-jitter:spread=0.2'), refusal({ 'retry-after': '10' }), 1, scriptedRandom([0.5]))).toEqual([11_000]);
    // No hint: exponential with full jitter.
    expect(waits(headerJitter, refusal(), 2, scriptedRandom([0.5]))).toEqual([250, 500]);
  });
});

describe('openai-sdk replica (openai 6.49.0)', () => {
  const sdk = parsePolicy('openai-sdk');

  it('without hints: min(0.5 s × 2^n, 8 s) × (1 − U(0, 0.25)), two retries', () => {
    expect(waits(sdk, refusal(), 3, scriptedRandom([0, 1 - 2 ** -20]))).toEqual([500, 1000 * (1 - (1 - 2 ** -20) * 0.25), 'policy-limit']);
    expect(waits(parsePolicy('openai-sdk:retries=6'), refusal(), 6, scriptedRandom([0]))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('retry-after-ms first, then retry-after seconds or date, honoured uncapped', () => {
    expect(waits(sdk, refusal({ 'retry-after-ms': '1250.5', 'retry-after': '9' }), 1)).toEqual([1250.5]);
    expect(waits(sdk, refusal({ 'retry-after': '86400' }), 1)).toEqual([86_400_000]);
    expect(waits(sdk, refusal({ 'retry-after': new Date(ANSWERED_AT + 3000).toUTCString() }), 1)).toEqual([3000]);
    // A 0 ms hint lets retry-after speak; alone it stays 0 (no default backoff).
    expect(waits(sdk, refusal({ 'retry-after-ms': '0', 'retry-after': '2' }), 1)).toEqual([2000]);
    expect(waits(sdk, refusal({ 'retry-after-ms': '0' }), 1)).toEqual([0]);
    // The reset headers are not read by the SDK.
    expect(waits(sdk, refusal({ 'x-ratelimit-reset-tokens': '20' }), 1, scriptedRandom([0]))).toEqual([500]);
  });

  it('retries 408, 409, 429, ≥500 and lost connections; x-should-retry overrides', () => {
    for (const status of [408, 409, 429, 500, 503]) expect(waits(sdk, refusal({}, status), 1, scriptedRandom([0]))).toEqual([500]);
    expect(waits(sdk, refusal({}, 400), 1)).toEqual(['not-retryable']);
    expect(waits(sdk, refusal({ 'x-should-retry': 'false' }), 1)).toEqual(['not-retryable']);
    expect(waits(sdk, refusal({ 'x-should-retry': 'true' }, 400), 1, scriptedRandom([0]))).toEqual([500]);
    expect(waits(sdk, { status: null, errorKind: 'refused', headers: {}, answeredAtEpochMs: ANSWERED_AT }, 1, scriptedRandom([0]))).toEqual([500]);
  });
});

describe('azure-sdk replica (core-rest-pipeline 1.24.0)', () => {
  const sdk = parsePolicy('azure-sdk');

  it('429/503 with a hint: exactly that wait, three retries', () => {
    expect(waits(sdk, refusal({ 'retry-after-ms': '1500', 'retry-after': '9' }), 4)).toEqual([1500, 1500, 1500, 'policy-limit']);
    expect(waits(sdk, refusal({ 'x-ms-retry-after-ms': '700' }, 503), 1)).toEqual([700]);
    expect(waits(sdk, refusal({ 'retry-after': '3' }), 1)).toEqual([3000]);
    expect(waits(sdk, refusal({ 'retry-after-ms': '0' }), 1)).toEqual([0]);
    expect(waits(sdk, refusal({ 'retry-after': new Date(ANSWERED_AT + 4000).toUTCString() }), 1)).toEqual([4000]);
  });

  it('a 429 without a hint is not retried at all', () => {
    expect(waits(sdk, refusal(), 1)).toEqual(['not-retryable']);
    expect(waits(sdk, refusal({ 'x-ratelimit-reset-requests': '10' }), 1)).toEqual(['not-retryable']);
  });

  it('5xx and resets: equal jitter over min(64 s, 1 s × 2^n)', () => {
    // randomInteger(0, c/2) = floor(draw × (c/2 + 1)).
    expect(waits(sdk, refusal({}, 500), 4, scriptedRandom([0, 0.5, 1 - 2 ** -20]))).toEqual([500, 1000 + 500, 2000 + 2000, 'policy-limit']);
    expect(waits(sdk, refusal({}, 503), 1, scriptedRandom([0]))).toEqual([500]);
    expect(waits(sdk, refusal({}, 501), 1)).toEqual(['not-retryable']);
    expect(waits(sdk, { status: null, errorKind: 'timeout', headers: {}, answeredAtEpochMs: ANSWERED_AT }, 1, scriptedRandom([0]))).toEqual([500]);
  });
});

describe('seeded random source', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const first = seededRandom(7);
    const again = seededRandom(7);
    const other = seededRandom(8);
    const a = Array.from({ length: 5 }, first);
    expect(Array.from({ length: 5 }, again)).toEqual(a);
    expect(Array.from({ length: 5 }, other)).not.toEqual(a);
    for (const value of a) expect(value >= 0 && value < 1).toBe(true);
  });
});
