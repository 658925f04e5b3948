/**
 * The vocabulary of the retry-policy lab: what one attempt's outcome looks like to a
 * policy, what a policy answers, and the policy itself. Pure data and functions: a policy
 * never sleeps, reads a clock or draws from Math.random (the random source is injected,
 * so a seed makes every wait reproducible). See docs/retry.md for the lab as a whole.
 */
import type { ErrorKind } from '../record/types.js';

/** What a caller learnt from one attempt: the parts of a request line a policy may read. */
export interface AttemptOutcome {
  /** HTTP status, or null when no answer arrived. */
  status: number | null;
  /** The transport's stable error code, or null for an HTTP answer. */
  errorKind: ErrorKind | null;
  /** Lower-case response header names, raw values (as recorded). */
  headers: Readonly<Record<string, string>>;
  /** Wall-clock time of the answer, ms since the epoch: what an HTTP-date `retry-after` is counted from. */
  answeredAtEpochMs: number;
}

/** Where a caller stands when a policy is asked about its latest failed attempt. */
export interface RetryState {
  /** Attempts sent so far, the failed one included (1 after the first attempt). */
  attempt: number;
  /** The wait chosen before the failed attempt, ms; null after the first attempt. */
  previousWaitMs: number | null;
}

/** A uniform random number in [0, 1). Injected so tests and `--seed` decide every jitter. */
export type RandomSource = () => number;

/** A policy's answer: wait this long and try again, or stop. */
export type RetryDecision = { retry: true; waitMs: number } | { retry: false; reason: 'not-retryable' | 'policy-limit' };

/** A parameter value as written after the colon: a number, or a duration kept in ms. */
export type ParamValue = number | string;

/** A retry policy with its parameters fixed: a pure function from an outcome to a decision. */
export interface RetryPolicy {
  /** The catalogue name (`exponential-jitter`), or a scenario file's own name for a user's policy. */
  readonly name: string;
  /** The catalogue policy it is built on (same as `name` except for a user's own policy). */
  readonly base: string;
  /** Parameters as run, durations written back in the syntax they are read in (`500ms`, `8s`). */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The policy's own attempt limit (the SDK replicas keep theirs); null: the caller's `--max-attempts`. */
  readonly maxAttempts: number | null;
  /** Decides what to do after a failed attempt (a refusal or a failure; never called on a success). */
  decide(outcome: AttemptOutcome, state: RetryState, random: RandomSource): RetryDecision;
}
