/**
 * The caller model, as pure bookkeeping: each caller needs one admitted answer. It sends;
 * on a failed attempt its policy decides whether and how long to wait; it gives up when
 * the policy says stop, when it has made its attempts (`maxAttempts`, or the policy's own
 * limit for the SDK replicas), or when the next attempt would leave after `giveUpAfterMs`
 * counted from its first attempt (it would be given up by then anyway).
 *
 * No clock, no socket: the source that drives the loop (src/run/retry-source.ts) hands in
 * the times and outcomes, and takes the attempts that fall due.
 */
import { isSuccess } from './retryable.js';
import type { AttemptOutcome, RandomSource, RetryPolicy } from './types.js';

/** The limits every caller of a run shares. */
export interface CallerLimits {
  /** Attempts at most, the first included (policies with their own limit keep theirs). */
  maxAttempts: number;
  /** A caller stops once its next attempt would leave this long after its first, ms. */
  giveUpAfterMs: number;
}

/** The defaults of the product contract: 6 attempts, 60 s. */
export const DEFAULT_CALLER_LIMITS: CallerLimits = { maxAttempts: 6, giveUpAfterMs: 60_000 };

/** One attempt due to be sent. */
export interface DueAttempt {
  caller: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** Clock time it is due, ms. */
  atMs: number;
  /** The wait the policy chose before it, ms (0 for the first attempt). */
  waitedMs: number;
}

/** What became of a caller after an outcome. */
export type Settlement = 'done' | 'retry' | 'gave-up';

interface CallerState {
  firstAtMs: number | null;
  attempts: number;
  previousWaitMs: number | null;
  state: 'queued' | 'in-flight' | 'done' | 'gave-up';
}

/** The callers of one policy. */
export class CallerBook {
  private readonly callers = new Map<number, CallerState>();
  /** Due attempts, latest first (so the earliest pops from the end). */
  private readonly queue: DueAttempt[] = [];
  private settled = 0;
  private readonly attemptLimit: number;

  constructor(
    readonly policy: RetryPolicy,
    private readonly limits: CallerLimits,
    private readonly random: RandomSource,
  ) {
    this.attemptLimit = policy.maxAttempts ?? limits.maxAttempts;
  }

  /** A new caller whose first attempt is due at `atMs`. */
  arrive(caller: number, atMs: number): void {
    this.callers.set(caller, { firstAtMs: null, attempts: 0, previousWaitMs: null, state: 'queued' });
    this.enqueue({ caller, attempt: 1, atMs, waitedMs: 0 });
  }

  private enqueue(due: DueAttempt): void {
    // Binary search for the slot keeping the queue sorted latest-first; equal times keep arrival order.
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.queue[middle]!.atMs > due.atMs) low = middle + 1;
      else high = middle;
    }
    this.queue.splice(low, 0, due);
  }

  /** The earliest due attempt without taking it, or null. */
  peek(): DueAttempt | null {
    return this.queue[this.queue.length - 1] ?? null;
  }

  /** Takes the earliest due attempt (the caller is then in flight). */
  take(sentAtMs: number): DueAttempt | null {
    const due = this.queue.pop() ?? null;
    if (due === null) return null;
    const caller = this.callers.get(due.caller)!;
    caller.attempts = due.attempt;
    caller.state = 'in-flight';
    if (caller.firstAtMs === null) caller.firstAtMs = sentAtMs;
    return due;
  }

  /**
   * The outcome of a caller's attempt, answered at `nowMs`: done, a retry queued, or
   * given up. An outcome for a caller not in flight (a stray line) changes nothing.
   */
  settle(caller: number, outcome: AttemptOutcome | null, nowMs: number): Settlement | null {
    const state = this.callers.get(caller);
    if (state === undefined || state.state !== 'in-flight') return null;
    if (outcome !== null && isSuccess(outcome)) return this.finish(state, 'done');
    // A request that was never sent (the in-flight ceiling) has no outcome to retry on.
    if (outcome === null || state.attempts >= this.attemptLimit) return this.finish(state, 'gave-up');
    const decision = this.policy.decide(outcome, { attempt: state.attempts, previousWaitMs: state.previousWaitMs }, this.random);
    if (!decision.retry) return this.finish(state, 'gave-up');
    const atMs = nowMs + decision.waitMs;
    if (atMs - (state.firstAtMs ?? nowMs) > this.limits.giveUpAfterMs) return this.finish(state, 'gave-up');
    state.previousWaitMs = decision.waitMs;
    state.state = 'queued';
    this.enqueue({ caller, attempt: state.attempts + 1, atMs, waitedMs: decision.waitMs });
    return 'retry';
  }

  private finish(state: CallerState, end: 'done' | 'gave-up'): Settlement {
    state.state = end;
    this.settled++;
    return end;
  }

  /** Callers that arrived so far. */
  get size(): number {
    return this.callers.size;
  }

  /** Whether every caller that arrived is done or has given up. */
  get finished(): boolean {
    return this.settled === this.callers.size;
  }

  /** Callers done and given up so far (for progress and tests). */
  counts(): { done: number; gaveUp: number; waiting: number } {
    let done = 0;
    let gaveUp = 0;
    for (const caller of this.callers.values()) {
      if (caller.state === 'done') done++;
      else if (caller.state === 'gave-up') gaveUp++;
    }
    return { done, gaveUp, waiting: this.callers.size - done - gaveUp };
  }
}
