/** `none`: never retries. The baseline: what a caller without any retry loop gets. */
import type { PolicyDefinition } from '../definition.js';

/** The `none` policy. */
export const nonePolicy: PolicyDefinition = {
  name: 'none',
  summary: 'never retry (the baseline)',
  params: [],
  create: (_values, shown, name) => ({
    name,
    base: 'none',
    params: shown,
    maxAttempts: 1,
    decide: () => ({ retry: false, reason: 'policy-limit' }),
  }),
};
