/**
 * The summary fields an expectation may compare, with the unit each one is in.
 *
 * Why a table checked by the compiler: the summary's shape is a TypeScript type and
 * vanishes at run time, yet `--expect` must reject unknown paths before a run starts.
 * `SummaryFieldPath` lists every comparable leaf of `Summary`; because `FIELD_KINDS`
 * is a `Record` over it, adding a field to the summary without adding it here fails
 * the type-check instead of silently making the field unusable.
 */
import type { GroupSummary, Summary } from '../analysis/summary-types.js';

/**
 * Every dotted path to a leaf of T that can be compared (lists are left out: there
 * is nothing to compare a list with a number or a word; so are maps with open keys,
 * such as `requests.failedBy`, whose keys are not known in advance).
 */
type LeafPaths<T> = {
  [K in keyof T & string]: NonNullable<T[K]> extends readonly unknown[]
    ? never
    : NonNullable<T[K]> extends object
      ? string extends keyof NonNullable<T[K]>
        ? never
        : `${K}.${LeafPaths<NonNullable<T[K]>>}`
      : K;
}[keyof T & string];

/** A field with a fixed path (everything but the per-target and per-region maps). */
export type StaticFieldPath = LeafPaths<Omit<Summary, 'byTarget' | 'byRegion' | 'gateway' | 'byShard'>> | 'gateway.detected' | 'gateway.kind';

/** A field inside one entry of `byTarget` or `byRegion`, e.g. `requests.ok`. */
export type GroupFieldPath = LeafPaths<Omit<GroupSummary, 'name'>>;

/**
 * A comparable field of the summary, e.g. `effective.requests.perSecond`, or one
 * inside a per-target or per-region entry, e.g. `byTarget.eastus.requests.ok`.
 */
export type SummaryFieldPath = StaticFieldPath | `byTarget.${string}.${GroupFieldPath}` | `byRegion.${string}.${GroupFieldPath}`;

/**
 * The unit a field is in, which decides what values may be written against it:
 * `ms` and `seconds` take durations (`2s`, `500ms`) or plain numbers in their own
 * unit; `ratio` takes fractions or percentages (`0.01`, `1%`); `count` and `number`
 * take plain numbers; `text` takes a word or a quoted string, and only == or !=.
 */
export type FieldKind = 'count' | 'number' | 'ms' | 'seconds' | 'ratio' | 'text';

export const FIELD_KINDS: Record<StaticFieldPath, FieldKind> = {
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
  'throttled.firstInArrivalOrder': 'count',
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
  'effective.requests.overdriveOfferedPerSecond': 'number',
  'effective.requests.overdriveAdmittedPerSecond': 'number',
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
  'schedule.crossShardSpreadMs': 'ms',
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
  'realtime.sessions.opened': 'count',
  'realtime.sessions.refused': 'count',
  'realtime.sessions.byClass.handshake-429': 'count',
  'realtime.sessions.byClass.handshake-other': 'count',
  'realtime.sessions.byClass.in-band': 'count',
  'realtime.sessions.byClass.response-failed': 'count',
  'realtime.sessions.byClass.try-again-later': 'count',
  'realtime.sessions.byClass.custom-4xxx': 'count',
  'realtime.sessions.byClass.policy': 'count',
  'realtime.sessions.byClass.internal': 'count',
  'realtime.sessions.byClass.session-expired': 'count',
  'realtime.sessions.byClass.silent-hang': 'count',
  'realtime.concurrency.cap': 'count',
  'realtime.concurrency.confidence': 'text',
  'realtime.openRate.burst': 'count',
  'realtime.openRate.perMinute': 'number',
  'realtime.openRate.windowSeconds': 'seconds',
  'realtime.openRate.shape': 'text',
  'realtime.openRate.confidence': 'text',
  'realtime.turns.perMinute': 'number',
  'realtime.turns.tokensPerMinute': 'number',
  'realtime.bucket.limit': 'count',
  'realtime.bucket.refillPerSecond': 'number',
  'realtime.bucket.reservedTokens': 'count',
  'gateway.detected': 'text',
  'gateway.kind': 'text',
};

const CONFIDENCES = ['high', 'medium', 'low', 'none'];

/** Text fields whose values come from a fixed list: a typo there is an input error, not a silent mismatch. */
const STATIC_FIELD_VALUES: Partial<Record<StaticFieldPath, readonly string[]>> = {
  'target.kind': ['azure', 'openai', 'simulator', 'http', 'realtime'],
  'effective.requests.shape': ['token-bucket', 'fixed-window', 'sliding-window', 'concurrency', 'none-observed', 'unknown'],
  'effective.requests.confidence': CONFIDENCES,
  'effective.tokens.confidence': CONFIDENCES,
  'realtime.concurrency.confidence': CONFIDENCES,
  'realtime.openRate.confidence': CONFIDENCES,
  'realtime.openRate.shape': ['token-bucket', 'fixed-window', 'sliding-window', 'concurrency', 'none-observed', 'unknown'],
  ended: ['completed', 'interrupted', 'budget', 'error', 'truncated'],
  'gateway.detected': ['true', 'false'],
  'gateway.kind': ['none', 'apim', 'other', 'unknown'],
};

/** Static fields that a per-target or per-region entry repeats. */
const GROUP_ROOTS = ['requests.', 'throttled.', 'effective.', 'headers.', 'latency.'];

/** `byTarget.NAME.rest` → ["byTarget", NAME, rest]; null for a static path. */
function splitGroupPath(path: string): [string, string, string] | null {
  const match = /^(byTarget|byRegion)\.([A-Za-z0-9_-]+)\.(.+)$/.exec(path);
  return match === null ? null : [match[1]!, match[2]!, match[3]!];
}

/** The static field a path stands for (`byTarget.a.requests.ok` → `requests.ok`). */
function staticPathOf(path: SummaryFieldPath): StaticFieldPath {
  return (splitGroupPath(path)?.[2] ?? path) as StaticFieldPath;
}

/** The unit a field is in. */
export function fieldKind(path: SummaryFieldPath): FieldKind {
  return FIELD_KINDS[staticPathOf(path)];
}

/** The values a text field may take, when they come from a fixed list. */
export function fieldValues(path: SummaryFieldPath): readonly string[] | undefined {
  return STATIC_FIELD_VALUES[staticPathOf(path)];
}

/** The fixed value lists by static path. */
export const FIELD_VALUES = STATIC_FIELD_VALUES;

/** Every comparable static field path, in the order of the summary. */
export const FIELD_PATHS = Object.keys(FIELD_KINDS) as StaticFieldPath[];

/** Whether a static path is one a per-target or per-region entry repeats. */
function isGroupField(path: string): boolean {
  return GROUP_ROOTS.some((root) => path.startsWith(root)) && Object.hasOwn(FIELD_KINDS, path);
}

/** Narrows a string to a known field path. */
export function isFieldPath(path: string): path is SummaryFieldPath {
  const group = splitGroupPath(path);
  if (group !== null) return isGroupField(group[2]);
  return Object.hasOwn(FIELD_KINDS, path);
}

/** The fields under a group such as `latency`, `effective.requests` or `byTarget.eastus`; empty when `path` is not a group. */
export function fieldsUnder(path: string): SummaryFieldPath[] {
  const entry = /^(byTarget|byRegion)\.([A-Za-z0-9_-]+)(?:\.(.+))?$/.exec(path);
  if (entry !== null) {
    const prefix = `${entry[1]}.${entry[2]}.`;
    const inner = entry[3];
    return FIELD_PATHS.filter((field) => isGroupField(field) && (inner === undefined || field.startsWith(`${inner}.`))).map((field) => `${prefix}${field}` as SummaryFieldPath);
  }
  return FIELD_PATHS.filter((field) => field.startsWith(`${path}.`));
}

/**
 * Reads a field of the summary by its path; undefined when an older summary lacks
 * it (or names no such target or region). A boolean reads as "true" or "false".
 */
export function readField(summary: Summary, path: SummaryFieldPath): unknown {
  let value: unknown = summary;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === 'boolean' ? String(value) : value;
}
