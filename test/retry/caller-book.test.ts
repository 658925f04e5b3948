/**
 * The caller model on hand-fed times: when each attempt falls due, and when a caller
 * is done or gives up (its attempts, its policy's own limit, --give-up-after).
 */
import { describe, expect, it } from 'vitest';
import { CallerBook } from '../../src/retry/caller-book.js';
import { parsePolicy } from '../../src/retry/parse-policy.js';
import { scriptedRandom } from '../../src/retry/random.js';
import type { AttemptOutcome } from '../../src/retry/types.js';

const refused: AttemptOutcome = { status: 429, errorKind: null, headers: {}, answeredAtEpochMs: 0 };
const admitted: AttemptOutcome = { status: 200, errorKind: null, headers: {}, answeredAtEpochMs: 0 };

/** Drives one caller that is always refused, each answer `latencyMs` after its send; returns the send times. */
function alwaysRefused(book: CallerBook, latencyMs: number): number[] {
  book.arrive(0, 0);
  const sends: number[] = [];
  for (;;) {
    const due = book.peek();
    if (due === null) break;
    book.take(due.atMs);
    sends.push(due.atMs);
    book.settle(0, refused, due.atMs + latencyMs);
  }
  return sends;
}

describe('CallerBook', () => {
  it('retries after each answer plus the policy wait, up to max attempts', () => {
    const book = new CallerBook(parsePolicy('exponential'), { maxAttempts: 4, giveUpAfterMs: 60_000 }, scriptedRandom([0]));
    expect(alwaysRefused(book, 10)).toEqual([0, 510, 1520, 3530]);
    expect(book.counts()).toEqual({ done: 0, gaveUp: 1, waiting: 0 });
    expect(book.finished).toBe(true);
  });

  it('gives up when the next attempt would leave after give-up-after', () => {
    const book = new CallerBook(parsePolicy('fixed:delay=1s'), { maxAttempts: 100, giveUpAfterMs: 2500 }, scriptedRandom([0]));
    // 0, 1000, 2000 (a fourth at 3000 would be later than 2.5 s after the first).
    expect(alwaysRefused(book, 0)).toEqual([0, 1000, 2000]);
  });

  it('keeps an SDK replica to its own retries whatever --max-attempts says', () => {
    const book = new CallerBook(parsePolicy('openai-sdk'), { maxAttempts: 6, giveUpAfterMs: 60_000 }, scriptedRandom([0]));
    expect(alwaysRefused(book, 0)).toEqual([0, 500, 1500]);
  });

  it('is done at the first admitted answer and orders due attempts by time', () => {
    const book = new CallerBook(parsePolicy('fixed:delay=100ms'), { maxAttempts: 6, giveUpAfterMs: 60_000 }, scriptedRandom([0]));
    book.arrive(0, 0);
    book.arrive(1, 50);
    expect(book.take(0)).toMatchObject({ caller: 0, attempt: 1 });
    expect(book.take(50)).toMatchObject({ caller: 1, attempt: 1 });
    expect(book.settle(1, refused, 60)).toBe('retry');
    expect(book.settle(0, admitted, 70)).toBe('done');
    expect(book.peek()).toEqual({ caller: 1, attempt: 2, atMs: 160, waitedMs: 100 });
    book.take(160);
    expect(book.settle(1, admitted, 170)).toBe('done');
    // A stray outcome for a caller not in flight changes nothing.
    expect(book.settle(1, refused, 180)).toBeNull();
    expect(book.counts()).toEqual({ done: 2, gaveUp: 0, waiting: 0 });
  });

  it('gives up a request the in-flight ceiling never sent', () => {
    const book = new CallerBook(parsePolicy('immediate'), { maxAttempts: 6, giveUpAfterMs: 60_000 }, scriptedRandom([0]));
    book.arrive(0, 0);
    book.take(0);
    expect(book.settle(0, null, 0)).toBe('gave-up');
  });
});
