/**
 * `header`: waits what the refusal's headers ask for — the largest of `retry-after-ms`,
 * `retry-after` (seconds or HTTP date), `x-ratelimit-reset-requests|tokens` — and falls
 * back to plain exponential backoff when there is none. Every caller refused in the same
 * window is told the same instant, so without jitter they all come back together.
 */
import type { PolicyDefinition } from '../definition.js';
import { exponentialWait } from '../backoff.js';
import { largestHintedWait } from '../hints.js';
import { isRetryable } from '../retryable.js';
import { EXPONENTIAL_PARAMS, exponentialParamsOf } from './exponential-params.js';

/** The `header` policy. */
export const headerPolicy: PolicyDefinition = {
  name: 'header',
  summary: 'the largest wait the headers ask for (retry-after-ms, retry-after, x-ratelimit-reset-*); exponential when none',
  params: EXPONENTIAL_PARAMS,
  create: (values, shown, name) => {
    const params = exponentialParamsOf(values);
    return {
      name,
      base: 'header',
      params: shown,
      maxAttempts: null,
      decide: (outcome, state) => {
        if (!isRetryable(outcome)) return { retry: false, reason: 'not-retryable' };
        return { retry: true, waitMs: largestHintedWait(outcome) ?? exponentialWait(params, state.attempt) };
      },
    };
  },
};
