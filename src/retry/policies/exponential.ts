/**
 * `exponential`: plain exponential backoff without jitter, min(cap, base × factor^(n−1)).
 * Every caller refused at the same instant retries at the same instant again: the herd
 * only moves later, it never spreads.
 */
import type { PolicyDefinition } from '../definition.js';
import { exponentialWait } from '../backoff.js';
import { isRetryable } from '../retryable.js';
import { EXPONENTIAL_PARAMS, exponentialParamsOf } from './exponential-params.js';

/** The `exponential` policy. */
export const exponentialPolicy: PolicyDefinition = {
  name: 'exponential',
  summary: 'min(cap, base × factor^(n−1)), no jitter',
  params: EXPONENTIAL_PARAMS,
  create: (values, shown, name) => {
    const params = exponentialParamsOf(values);
    return {
      name,
      base: 'exponential',
      params: shown,
      maxAttempts: null,
      decide: (outcome, state) => (isRetryable(outcome) ? { retry: true, waitMs: exponentialWait(params, state.attempt) } : { retry: false, reason: 'not-retryable' }),
    };
  },
};
