/**
 * `exponential-jitter`: exponential backoff with full, equal or decorrelated jitter
 * (the three of the AWS analysis; formulas in ../backoff.ts). Full jitter by default:
 * in that analysis it did the least work for the same completion time.
 */
import { choiceParam, type PolicyDefinition } from '../definition.js';
import { JITTER_KINDS, jitteredWait, type JitterKind } from '../backoff.js';
import { isRetryable } from '../retryable.js';
import { EXPONENTIAL_PARAMS, exponentialParamsOf } from './exponential-params.js';

/** The `exponential-jitter` policy. */
export const exponentialJitterPolicy: PolicyDefinition = {
  name: 'exponential-jitter',
  summary: 'exponential with jitter: full U(0,expo), equal expo/2+U(0,expo/2), decorrelated min(cap,U(base,prev×3))',
  params: [{ name: 'jitter', kind: 'choice', defaultValue: 'full', choices: JITTER_KINDS, help: 'full, equal or decorrelated' }, ...EXPONENTIAL_PARAMS],
  create: (values, shown, name) => {
    const params = exponentialParamsOf(values);
    const jitter = choiceParam<JitterKind>(values, 'jitter');
    return {
      name,
      base: 'exponential-jitter',
      params: shown,
      maxAttempts: null,
      decide: (outcome, state, random) =>
        isRetryable(outcome) ? { retry: true, waitMs: jitteredWait(jitter, params, state.attempt, state.previousWaitMs, random) } : { retry: false, reason: 'not-retryable' },
    };
  },
};
