/**
 * The summary fields an expectation may compare, with the unit each one is in.
 *
 * Why a table checked by the compiler: the summary's shape is a TypeScript type and
 * vanishes at run time, yet `--expect` must reject unknown paths before a run starts.
 * `SummaryFieldPath` lists every comparable leaf of `Summary`; because `FIELD_KINDS`
 * is a `Record` over it, adding a field to the summary without adding it here fails
 * the type-check instead of silently making the field unusable.
 */
import type { Summary } from '../analysis/summary-types.js';

/**
 * Every dotted path to a leaf of T that can be compared (lists are left out: there
 * is nothing to compare a list with a number or a word).
 */
type LeafPaths<T> = {
  [K in keyof T & string]: NonNullable<T[K]> extends readonly unknown[]
    ? never
    : NonNullable<T[K]> extends object
      ? `${K}.${LeafPaths<NonNullable<T[K]>>}`
      : K;
}[keyof T & string];

/** A comparable field of the summary, e.g. `effective.requests.perSecond`. */
export type SummaryFieldPath = LeafPaths<Summary>;

/**
 * The unit a field is in, which decides what values may be written against it:
 * `ms` and `seconds` take durations (`2s`, `500ms`) or plain numbers in their own
 * unit; `ratio` takes fractions or percentages (`0.01`, `1%`); `count` and `number`
 * take plain numbers; `text` takes a word or a quoted string, and only == or !=.
 */
export type FieldKind = 'count' | 'number' | 'ms' | 'seconds' | 'ratio' | 'text';

export const FIELD_KINDS: Record<SummaryFieldPath, FieldKind> = {
  schema: 'text',
  command: 'text',
  'target.url': 'text',
  'target.kind': 'text',
  'advertised.tpm': 'number',
  'advertised.rpm': 'number',
  'advertised.requestsPer10s': 'number',
  'advertised.requestsPer1s': 'number',
  'advertised.source': 'text',
  'requests.sent': 'count',
  'requests.ok': 'count',
  'requests.throttled': 'count',
  'requests.failed': 'count',
  'requests.dropped': 'count',
  'callers.total': 'count',
  'callers.done': 'count',
  'callers.gaveUp': 'count',
  'throttled.ratio': 'ratio',
  'throttled.firstSeq': 'count',
  'throttled.byClass.requests': 'count',
  'throttled.byClass.tokens': 'count',
  'throttled.byClass.capacity': 'count',
  'throttled.byClass.never': 'count',
  'throttled.byClass.quota': 'count',
  'throttled.byClass.gateway': 'count',
  'throttled.byClass.unknown': 'count',
  'throttled.retryAfterMs.min': 'ms',
  'throttled.retryAfterMs.p50': 'ms',
  'throttled.retryAfterMs.max': 'ms',
  'throttled.whileHeadersShowedCapacity': 'count',
  'effective.requests.burst': 'count',
  'effective.requests.perSecond': 'number',
  'effective.requests.windowSeconds': 'seconds',
  'effective.requests.shape': 'text',
  'effective.requests.confidence': 'text',
  'effective.requests.kneePerSecond': 'number',
  'effective.tokens.burst': 'count',
  'effective.tokens.perMinute': 'number',
  'effective.tokens.windowSeconds': 'seconds',
  'effective.tokens.confidence': 'text',
  'headers.requestsWindowSeconds': 'seconds',
  'headers.limitRequests': 'count',
  'headers.limitTokens': 'count',
  'headers.firstRemainingRequests': 'count',
  'headers.firstRemainingTokens': 'count',
  'latency.p50': 'ms',
  'latency.p95': 'ms',
  'latency.p99': 'ms',
  'tokens.outputPerSecond.p50': 'number',
  'tokens.outputPerSecond.total': 'number',
  'latency.max': 'ms',
  'latency.firstToken.p50': 'ms',
  'latency.firstToken.p95': 'ms',
  'latency.firstToken.p99': 'ms',
  'latency.firstByte.p50': 'ms',
  'latency.firstByte.p95': 'ms',
  'latency.firstByte.p99': 'ms',
  'latency.betweenTokens.p50': 'ms',
  'latency.betweenTokens.p95': 'ms',
  'latency.betweenTokens.p99': 'ms',
  'schedule.sendSpreadMs': 'ms',
  'schedule.lagP99Ms': 'ms',
  'tokens.estimatedCharged': 'count',
  'tokens.billed': 'count',
  'tokens.estimatedSent': 'count',
  'retry.best': 'text',
  'retry.rule': 'text',
  'retry.verdict': 'text',
  'retry.arrival': 'text',
  'retry.maxAttempts': 'count',
  'retry.giveUpAfterSeconds': 'seconds',
  verdict: 'text',
  recording: 'text',
  ended: 'text',
  durationSeconds: 'seconds',
};

const CONFIDENCES = ['high', 'medium', 'low', 'none'];

/** Text fields whose values come from a fixed list: a typo there is an input error, not a silent mismatch. */
export const FIELD_VALUES: Partial<Record<SummaryFieldPath, readonly string[]>> = {
  'target.kind': ['azure', 'openai', 'simulator', 'http'],
  'effective.requests.shape': ['token-bucket', 'fixed-window', 'sliding-window', 'concurrency', 'none-observed', 'unknown'],
  'effective.requests.confidence': CONFIDENCES,
  'effective.tokens.confidence': CONFIDENCES,
  ended: ['completed', 'interrupted', 'budget', 'error', 'truncated'],
};

/** Every comparable field path, in the order of the summary. */
export const FIELD_PATHS = Object.keys(FIELD_KINDS) as SummaryFieldPath[];

/** Narrows a string to a known field path. */
export function isFieldPath(path: string): path is SummaryFieldPath {
  return Object.hasOwn(FIELD_KINDS, path);
}

/** The fields under a group such as `latency` or `effective.requests`; empty when `path` is not a group. */
export function fieldsUnder(path: string): SummaryFieldPath[] {
  return FIELD_PATHS.filter((field) => field.startsWith(`${path}.`));
}

/** Reads a field of the summary by its path; undefined when an older summary lacks it. */
export function readField(summary: Summary, path: SummaryFieldPath): unknown {
  let value: unknown = summary;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
