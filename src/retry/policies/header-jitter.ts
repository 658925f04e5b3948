/**
 * `header-jitter`: the `header` wait plus a random share of it on top,
 * hint × (1 + U(0, spread)), so callers told the same instant arrive spread over the
 * window after it instead of all at once. Never earlier than the hint (an early retry
 * is a refusal for certain). Without a hint: exponential with full jitter.
 */
import { numberParam, type PolicyDefinition } from '../definition.js';
import { jitteredWait } from '../backoff.js';
import { largestHintedWait } from '../hints.js';
import { isRetryable } from '../retryable.js';
import { EXPONENTIAL_PARAMS, exponentialParamsOf } from './exponential-params.js';

/** The `header-jitter` policy. */
export const headerJitterPolicy: PolicyDefinition = {
  name: 'header-jitter',
  summary: 'the header wait × (1 + U(0, spread)); exponential with full jitter when no header',
  params: [{ name: 'spread', kind: 'number', defaultValue: '1', min: 0, help: 'largest extra share of the hinted wait' }, ...EXPONENTIAL_PARAMS],
  create: (values, shown, name) => {
    const params = exponentialParamsOf(values);
    const spread = numberParam(values, 'spread');
    return {
      name,
      base: 'header-jitter',
      params: shown,
      maxAttempts: null,
      decide: (outcome, state, random) => {
        if (!isRetryable(outcome)) return { retry: false, reason: 'not-retryable' };
        const hinted = largestHintedWait(outcome);
        if (hinted === null) return { retry: true, waitMs: jitteredWait('full', params, state.attempt, state.previousWaitMs, random) };
        return { retry: true, waitMs: hinted * (1 + random() * spread) };
      },
    };
  },
};
