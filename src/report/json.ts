/**
 * The summary JSON (docs/summary.md) as text: keys in the contract's order whatever order
 * the analysis built the object in, 2-space indent. CI scripts diff and grep this
 * output, so the same summary always prints byte for byte the same.
 */
import type { Summary } from '../analysis/summary-types.js';

/**
 * The key order of each object in the summary. The mapped type makes the compiler
 * insist on every key of Summary, so a field added to the contract cannot be
 * forgotten here; the literal's own order is the printed order.
 */
type KeyOrder<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends readonly unknown[] ? true : NonNullable<T[K]> extends object ? KeyOrder<NonNullable<T[K]>> : true;
};

const REFUSAL_CLASS_ORDER = { requests: true, tokens: true, capacity: true, never: true, quota: true, gateway: true, unknown: true } as const;

const GROUP_KEY_ORDER = {
  name: true,
  requests: { sent: true, ok: true, throttled: true, failed: true, dropped: true, failedBy: {} },
  throttled: {
    ratio: true,
    firstSeq: true,
    firstInArrivalOrder: true,
    byClass: REFUSAL_CLASS_ORDER,
    retryAfterMs: { min: true, p50: true, max: true },
    whileHeadersShowedCapacity: true,
  },
  effective: {
    requests: { burst: true, perSecond: true, windowSeconds: true, shape: true, confidence: true, kneePerSecond: true, overdriveOfferedPerSecond: true, overdriveAdmittedPerSecond: true },
    tokens: { burst: true, perMinute: true, windowSeconds: true, confidence: true },
  },
  headers: {
    requestsWindowSeconds: true,
    limitRequests: true,
    limitTokens: true,
    firstRemainingRequests: true,
    firstRemainingTokens: true,
    families: true,
  },
  latency: {
    p50: true,
    p95: true,
    p99: true,
    max: true,
    firstToken: { p50: true, p95: true, p99: true },
    firstByte: { p50: true, p95: true, p99: true },
    betweenTokens: { p50: true, p95: true, p99: true },
  },
} as const;

/** In a map (byTarget, byRegion), `*` gives the order inside every entry; the entries themselves print alphabetically. */
const SUMMARY_KEY_ORDER: KeyOrder<Summary> = {
  schema: true,
  command: true,
  target: { url: true, kind: true },
  advertised: { tpm: true, rpm: true, requestsPer10s: true, requestsPer1s: true, source: true },
  requests: { sent: true, ok: true, throttled: true, failed: true, dropped: true, failedBy: {} },
  callers: { total: true, done: true, gaveUp: true },
  // The same groups, in the same order, as every byTarget / byRegion entry.
  throttled: GROUP_KEY_ORDER.throttled,
  effective: GROUP_KEY_ORDER.effective,
  headers: GROUP_KEY_ORDER.headers,
  latency: GROUP_KEY_ORDER.latency,
  latencyByPhase: true,
  schedule: { sendSpreadMs: true, lagP99Ms: true, crossShardSpreadMs: true },
  tokens: { estimatedCharged: true, billed: true, estimatedSent: true, outputPerSecond: { p50: true, total: true } },
  retry: { policies: true, best: true, rule: true, verdict: true, arrival: true, maxAttempts: true, giveUpAfterSeconds: true },
  verdict: true,
  recording: true,
  ended: true,
  durationSeconds: true,
  realtime: {
    sessions: {
      opened: true,
      refused: true,
      byClass: {
        'handshake-429': true,
        'handshake-other': true,
        'in-band': true,
        'response-failed': true,
        'try-again-later': true,
        'custom-4xxx': true,
        policy: true,
        internal: true,
        'session-expired': true,
        'silent-hang': true,
      },
    },
    concurrency: { cap: true, confidence: true },
    openRate: { burst: true, perMinute: true, windowSeconds: true, shape: true, confidence: true },
    turns: { perMinute: true, tokensPerMinute: true },
    bucket: { limit: true, refillPerSecond: true, reservedTokens: true },
  },
  byTarget: { '*': GROUP_KEY_ORDER },
  byRegion: { '*': GROUP_KEY_ORDER },
  byShard: { '*': { index: true, count: true, host: true, label: true, offsetMs: true, offsetErrorMs: true, startedAfterMs: true, ...GROUP_KEY_ORDER } },
  gateway: { detected: true, kind: true, signs: true, failovers: true, strippedHeaders: true },
};

type OrderSpec = true | { [key: string]: OrderSpec };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Copies `value` with its keys in `spec` order; keys the spec does not know (added
 * by a newer analysis) follow in alphabetical order, so the output stays stable.
 */
function ordered(value: unknown, spec: OrderSpec | undefined): unknown {
  if (!isPlainObject(value)) return value;
  const known = spec === undefined || spec === true ? [] : Object.keys(spec).filter((key) => key in value);
  const extra = Object.keys(value).filter((key) => !known.includes(key)).sort();
  const copy: Record<string, unknown> = {};
  for (const key of [...known, ...extra]) {
    const childSpec = spec === undefined || spec === true ? undefined : (spec[key] ?? spec['*']);
    copy[key] = ordered(value[key], childSpec);
  }
  return copy;
}

/** The summary as stable, indented JSON text (no trailing newline). */
export function renderSummaryJson(summary: Summary): string {
  return JSON.stringify(ordered(summary, SUMMARY_KEY_ORDER as unknown as OrderSpec), null, 2);
}
