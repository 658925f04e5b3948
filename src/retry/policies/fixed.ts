/** `fixed`: the same wait before every retry (`fixed:delay=1s`). */
import { numberParam, type PolicyDefinition } from '../definition.js';
import { isRetryable } from '../retryable.js';

/** The `fixed` policy. */
export const fixedPolicy: PolicyDefinition = {
  name: 'fixed',
  summary: 'the same wait before every retry',
  params: [{ name: 'delay', kind: 'duration', defaultValue: '1s', help: 'wait before each retry' }],
  create: (values, shown, name) => {
    const delayMs = numberParam(values, 'delay');
    return {
      name,
      base: 'fixed',
      params: shown,
      maxAttempts: null,
      decide: (outcome) => (isRetryable(outcome) ? { retry: true, waitMs: delayMs } : { retry: false, reason: 'not-retryable' }),
    };
  },
};
