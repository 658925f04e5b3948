/**
 * The caller model's rule for "worth trying again", shared by every policy except the
 * SDK replicas (which keep their own rules): a refusal (429, 503 — the `capacity` class
 * arrives as one of these) or a failure that a later attempt may not meet (a timeout,
 * a reset connection, a 408 or a 5xx gateway error). A 400 or a 401 will fail again
 * however long one waits, so retrying it only costs quota.
 */
import type { AttemptOutcome } from './types.js';

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** A refusal by a limiter: what the lab counts as `refused`. */
export function isRefusalStatus(status: number | null): boolean {
  return status === 429 || status === 503;
}

/** Whether an attempt succeeded: a 2xx answer. */
export function isSuccess(outcome: Pick<AttemptOutcome, 'status' | 'errorKind'>): boolean {
  return outcome.errorKind === null && outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
}

/** Whether the caller model would try this outcome again (before asking its policy how long to wait). */
export function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.status !== null && RETRYABLE_STATUSES.has(outcome.status)) return true;
  return outcome.status === null && (outcome.errorKind === 'timeout' || outcome.errorKind === 'reset');
}
