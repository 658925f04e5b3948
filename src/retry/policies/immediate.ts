/** `immediate`: retries at once. What a naive loop does; it makes the herd worst. */
import type { PolicyDefinition } from '../definition.js';
import { isRetryable } from '../retryable.js';

/** The `immediate` policy. */
export const immediatePolicy: PolicyDefinition = {
  name: 'immediate',
  summary: 'retry at once, no wait',
  params: [],
  create: (_values, shown, name) => ({
    name,
    base: 'immediate',
    params: shown,
    maxAttempts: null,
    decide: (outcome) => (isRetryable(outcome) ? { retry: true, waitMs: 0 } : { retry: false, reason: 'not-retryable' }),
  }),
};
