/**
 * How long a refusal's own headers ask a caller to wait. The `header` policies take the
 * LARGEST of every hint present, because each one names a limit that must recover
 * before the next attempt can pass: a `retry-after` of 1 s is no use while
 * `x-ratelimit-reset-tokens` says the token window needs 20 s more.
 *
 * Read here, not in src/analysis: the retrying caller runs inside the send loop, which
 * must not depend on the analysis (see docs/ARCHITECTURE.md); the grammar is small.
 */
import type { AttemptOutcome } from './types.js';

/** One hint found in a response: the header it came from and the wait it asks for, ms. */
export interface WaitHint {
  header: string;
  waitMs: number;
}

/** A plain number of milliseconds or seconds: digits with an optional fraction. */
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?)(ms|us|µs|ns|h|m|s)/y;
const GO_UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000_001 };

/**
 * A reset header's wait: Azure writes whole seconds (`10`), OpenAI a Go duration
 * (`6m0s`, `120ms`). Null when it is neither (or `-1`, "unknown").
 */
export function parseResetWait(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = text.trim();
  if (PLAIN_NUMBER.test(value)) return Number(value) * 1000;
  GO_DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = GO_DURATION_PART.exec(value)) !== null) {
    total += Number(match[1]) * (GO_UNIT_MS[match[2]!] ?? Number.NaN);
    consumed = GO_DURATION_PART.lastIndex;
  }
  return value !== '' && consumed === value.length && Number.isFinite(total) ? total : null;
}

/**
 * `retry-after` as seconds (`2`, `1.5`) or an HTTP date, counted from the answer's own
 * time; a date in the past asks for no wait. Null when it is neither.
 */
export function parseRetryAfter(text: string | undefined, answeredAtEpochMs: number): number | null {
  if (text === undefined) return null;
  const value = text.trim();
  if (PLAIN_NUMBER.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return null;
  const dateMs = Date.parse(value);
  return Number.isFinite(dateMs) ? Math.max(0, dateMs - answeredAtEpochMs) : null;
}

/** A millisecond header (`retry-after-ms: 1250`). */
function parseMilliseconds(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = text.trim();
  return PLAIN_NUMBER.test(value) ? Number(value) : null;
}

/**
 * Every wait the response asks for: `retry-after-ms` (and Azure's `x-ms-retry-after-ms`),
 * `retry-after`, `x-ratelimit-reset-requests`, `x-ratelimit-reset-tokens`.
 */
export function readWaitHints(outcome: AttemptOutcome): WaitHint[] {
  const headers = outcome.headers;
  const hints: WaitHint[] = [];
  const add = (header: string, waitMs: number | null): void => {
    if (waitMs !== null) hints.push({ header, waitMs });
  };
  add('retry-after-ms', parseMilliseconds(headers['retry-after-ms']));
  add('x-ms-retry-after-ms', parseMilliseconds(headers['x-ms-retry-after-ms']));
  add('retry-after', parseRetryAfter(headers['retry-after'], outcome.answeredAtEpochMs));
  add('x-ratelimit-reset-requests', parseResetWait(headers['x-ratelimit-reset-requests']));
  add('x-ratelimit-reset-tokens', parseResetWait(headers['x-ratelimit-reset-tokens']));
  return hints;
}

/** The largest wait any header asks for, ms; null when no header says anything. */
export function largestHintedWait(outcome: AttemptOutcome): number | null {
  const hints = readWaitHints(outcome);
  return hints.length === 0 ? null : Math.max(...hints.map((hint) => hint.waitMs));
}
