/**
 * `openai-sdk`: what the official `openai` package for Node does by default, copied from
 * version 6.49.0 (`client.js`: `shouldRetry`, `retryRequest`,
 * `calculateDefaultRetryTimeoutMillis`; maxRetries 2).
 *
 * Which outcomes it retries:
 *   - an `x-should-retry: true|false` header decides on its own;
 *   - otherwise 408, 409, 429 and every status ≥ 500;
 *   - a request that got no answer at all (connection failed, timed out).
 * How long it waits (read in this order, exactly as the SDK does):
 *   1. `retry-after-ms`, read with parseFloat, when it is a number;
 *   2. only when that gave nothing or 0: `retry-after`, parseFloat × 1000, or when not a
 *      number an HTTP date minus now (a past date: no wait);
 *   3. when neither header gave a value: min(0.5 s × 2^n, 8 s) × (1 − U(0, 0.25)), n the
 *      retries already made. The jitter only ever shortens the wait.
 * Any hinted value is honoured as is: in this version there is no 60-s ceiling, so a
 * `retry-after: 86400` sleeps a day (the caller's --give-up-after ends that instead).
 */
import { numberParam, type PolicyDefinition } from '../definition.js';
import type { AttemptOutcome } from '../types.js';

/** The package version this replica copies (shown by `--help`). */
export const OPENAI_SDK_VERSION = '6.49.0';

const INITIAL_RETRY_DELAY_SECONDS = 0.5;
const MAX_RETRY_DELAY_SECONDS = 8;

/** The SDK's `shouldRetry`, plus its retry of answers that never came. */
export function openaiShouldRetry(outcome: AttemptOutcome): boolean {
  if (outcome.status === null) return outcome.errorKind !== 'aborted';
  const header = outcome.headers['x-should-retry'];
  if (header === 'true') return true;
  if (header === 'false') return false;
  const status = outcome.status;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The SDK's hinted wait, or undefined when it would compute its default. Mirrors its
 * truthiness tests: a `retry-after-ms` of 0 lets `retry-after` speak, and stays 0 if that is absent.
 */
export function openaiHintedWait(outcome: AttemptOutcome): number | undefined {
  let timeoutMillis: number | undefined;
  const retryAfterMillis = outcome.headers['retry-after-ms'];
  if (retryAfterMillis) {
    const parsed = parseFloat(retryAfterMillis);
    if (!Number.isNaN(parsed)) timeoutMillis = parsed;
  }
  const retryAfter = outcome.headers['retry-after'];
  if (retryAfter && !timeoutMillis) {
    const seconds = parseFloat(retryAfter);
    timeoutMillis = Number.isNaN(seconds) ? Date.parse(retryAfter) - outcome.answeredAtEpochMs : seconds * 1000;
  }
  return timeoutMillis;
}

/** The SDK's default wait before retry n+1 (n retries made so far), for a draw `random`. */
export function openaiDefaultWait(retriesMade: number, random: number): number {
  const sleepSeconds = Math.min(INITIAL_RETRY_DELAY_SECONDS * 2 ** retriesMade, MAX_RETRY_DELAY_SECONDS);
  return sleepSeconds * (1 - random * 0.25) * 1000;
}

/** The `openai-sdk` policy. */
export const openaiSdkPolicy: PolicyDefinition = {
  name: 'openai-sdk',
  summary: `what openai ${OPENAI_SDK_VERSION} (Node) does by default: 2 retries; retry-after-ms, then retry-after (seconds or date), uncapped; else min(0.5s×2^n, 8s) minus up to 25%`,
  params: [{ name: 'retries', kind: 'count', defaultValue: '2', min: 0, help: 'maxRetries (the SDK default is 2)' }],
  create: (values, shown, name) => {
    const retries = numberParam(values, 'retries');
    return {
      name,
      base: 'openai-sdk',
      params: shown,
      maxAttempts: retries + 1,
      decide: (outcome, state, random) => {
        if (!openaiShouldRetry(outcome)) return { retry: false, reason: 'not-retryable' };
        if (state.attempt > retries) return { retry: false, reason: 'policy-limit' };
        const hinted = openaiHintedWait(outcome);
        // A negative or unparseable value reaches setTimeout, which fires at once.
        const waitMs = hinted === undefined ? openaiDefaultWait(state.attempt - 1, random()) : Number.isFinite(hinted) ? Math.max(0, hinted) : 0;
        return { retry: true, waitMs };
      },
    };
  },
};
