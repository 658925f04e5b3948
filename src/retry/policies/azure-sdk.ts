/**
 * `azure-sdk`: what Azure's `@azure/core-rest-pipeline` 1.24.0 does by default. Its
 * `defaultRetryPolicy` is `@typespec/ts-http-runtime` 0.3.6's retryPolicy with two
 * strategies, tried in order, and maxRetries 3:
 *
 *   throttlingRetryStrategy — only 429 and 503. Reads `retry-after-ms`,
 *     `x-ms-retry-after-ms` (ms) and `Retry-After` (seconds) with Number(), the first
 *     that is a number (0 included) wins; else `Retry-After` as an HTTP date,
 *     max(0, date − now). Waits exactly that: no cap, no jitter. No hint: skipped.
 *   exponentialRetryStrategy — 408 and ≥ 500 except 501 and 505 (and not a response the
 *     throttling strategy took), or a request that failed with ETIMEDOUT, ECONNRESET,
 *     ECONNREFUSED or ENOTFOUND. Wait (equal jitter): c = min(64 s, 1 s × 2^retryCount),
 *     c/2 + randomInteger(0, c/2), retryCount counting retries from 0.
 *
 * So a 429 without any retry header is NOT retried at all: the strategies both skip it.
 */
import { numberParam, type PolicyDefinition } from '../definition.js';
import type { AttemptOutcome, RandomSource } from '../types.js';

/** The package versions this replica copies (shown by `--help`). */
export const AZURE_SDK_VERSION = '@azure/core-rest-pipeline 1.24.0 (@typespec/ts-http-runtime 0.3.6)';

const RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 64_000;
const RETRY_AFTER_HEADERS = ['retry-after-ms', 'x-ms-retry-after-ms', 'retry-after'] as const;

/** The runtime's parseHeaderValueAsNumber: Number() of a non-empty value, undefined when NaN. */
function headerAsNumber(outcome: AttemptOutcome, name: string): number | undefined {
  const value = outcome.headers[name];
  if (!value) return undefined;
  const number = Number(value);
  return Number.isNaN(number) ? undefined : number;
}

/** throttlingRetryStrategy's getRetryAfterInMs: the hinted wait of a 429/503, or undefined. */
export function azureThrottlingWait(outcome: AttemptOutcome): number | undefined {
  if (outcome.status !== 429 && outcome.status !== 503) return undefined;
  for (const name of RETRY_AFTER_HEADERS) {
    const value = headerAsNumber(outcome, name);
    if (value === 0 || value) return value * (name === 'retry-after' ? 1000 : 1);
  }
  const retryAfter = outcome.headers['retry-after'];
  if (!retryAfter) return undefined;
  const difference = Date.parse(retryAfter) - outcome.answeredAtEpochMs;
  return Number.isFinite(difference) ? Math.max(0, difference) : undefined;
}

/** exponentialRetryStrategy's test: a status or a system error it handles. */
function isExponentialRetry(outcome: AttemptOutcome): boolean {
  if (outcome.status !== null) return (outcome.status >= 500 || outcome.status === 408) && outcome.status !== 501 && outcome.status !== 505;
  // ETIMEDOUT, ECONNRESET, ECONNREFUSED, ENOTFOUND in the recording's stable codes.
  return outcome.errorKind === 'timeout' || outcome.errorKind === 'reset' || outcome.errorKind === 'refused' || outcome.errorKind === 'dns';
}

/** The runtime's getRandomIntegerInclusive, on an injected draw. */
function randomIntegerInclusive(min: number, max: number, random: RandomSource): number {
  const low = Math.ceil(min);
  const high = Math.floor(max);
  return Math.floor(random() * (high - low + 1)) + low;
}

/** calculateRetryDelay: equal jitter over min(64 s, 1 s × 2^retryCount). */
export function azureExponentialWait(retryCount: number, random: RandomSource): number {
  const clamped = Math.min(MAX_RETRY_DELAY_MS, RETRY_DELAY_MS * 2 ** retryCount);
  return clamped / 2 + randomIntegerInclusive(0, clamped / 2, random);
}

/** The `azure-sdk` policy. */
export const azureSdkPolicy: PolicyDefinition = {
  name: 'azure-sdk',
  summary: `what ${AZURE_SDK_VERSION} does by default: 3 retries; 429/503 wait exactly retry-after-ms / x-ms-retry-after-ms / Retry-After, a 429 without them is not retried; 408/5xx/resets: equal jitter over min(64s, 1s×2^n)`,
  params: [{ name: 'retries', kind: 'count', defaultValue: '3', min: 0, help: 'maxRetries (the SDK default is 3)' }],
  create: (values, shown, name) => {
    const retries = numberParam(values, 'retries');
    return {
      name,
      base: 'azure-sdk',
      params: shown,
      maxAttempts: retries + 1,
      decide: (outcome, state, random) => {
        const throttled = azureThrottlingWait(outcome);
        const exponential = throttled === undefined && isExponentialRetry(outcome);
        if (throttled === undefined && !exponential) return { retry: false, reason: 'not-retryable' };
        if (state.attempt > retries) return { retry: false, reason: 'policy-limit' };
        // A negative hint reaches the runtime's delay(), which fires at once.
        return { retry: true, waitMs: throttled !== undefined ? Math.max(0, throttled) : azureExponentialWait(state.attempt - 1, random) };
      },
    };
  },
};
