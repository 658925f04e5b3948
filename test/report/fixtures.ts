/**
 * Hand-made analysis results for renderer tests, built before the analysis exists:
 * the seed story, a run with no refusal, and a long steady run with
 * many slices. The figures are inputs to renderers, not expected outputs.
 */
import type { AnalysisResult, TimelineSlice } from '../../src/analysis/result-types.js';
import type { Summary } from '../../src/analysis/summary-types.js';

/** A slice with every count at zero and no headers; override what the case needs. */
export function emptySlice(startMs: number, overrides: Partial<TimelineSlice> = {}): TimelineSlice {
  return {
    startMs,
    sent: 0,
    admitted: 0,
    refused: 0,
    failed: 0,
    dropped: 0,
    remainingRequests: null,
    remainingTokens: null,
    latencyP50Ms: null,
    latencyMaxMs: null,
    ...overrides,
  };
}

/** A summary with Azure's seed figures; every case starts from it. */
export function baseSummary(overrides: Partial<Summary> = {}): Summary {
  return {
    schema: 'aoai-probe/summary@1',
    command: 'burst',
    target: { url: 'http://127.0.0.1:43117/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21', kind: 'simulator' },
    advertised: { tpm: 50_000, rpm: 300, requestsPer10s: 50, requestsPer1s: 5, source: 'simulator' },
    requests: { sent: 10, ok: 5, throttled: 5, failed: 0, dropped: 0 },
    throttled: {
      ratio: 0.5,
      firstSeq: 6,
      byClass: { requests: 5, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 },
      retryAfterMs: { min: 1000, p50: 1000, max: 1000 },
      whileHeadersShowedCapacity: 5,
    },
    effective: {
      requests: { burst: 5, perSecond: 5, windowSeconds: 1, shape: 'sliding-window', confidence: 'medium' },
      tokens: { burst: null, perMinute: null, windowSeconds: null, confidence: 'none' },
    },
    headers: {
      requestsWindowSeconds: 10,
      limitRequests: 50,
      limitTokens: 50_000,
      firstRemainingRequests: 49,
      firstRemainingTokens: 49_352,
      families: ['azure', 'retry-after'],
    },
    latency: { p50: 212.4, p95: 301.9, p99: 310.2, max: 311.7 },
    schedule: { sendSpreadMs: 0.8, lagP99Ms: 1.3 },
    tokens: { estimatedCharged: 6480, billed: 145 },
    verdict:
      'Effective cap: 5 requests per 1 s; the headers\' 50 per 10 s is not reachable in a burst. ' +
      'Pace at ≤ 4.5 requests per second or spread bursts over ≥ 1 s.',
    recording: 'aoai-probe-runs/2025-02-12T18-52-18-burst.ndjson',
    ended: 'completed',
    durationSeconds: 1.42,
    ...overrides,
  };
}

/** The seed story: a burst of 10 at once, 5 admitted with headers 49..45, then 5 refused by the 1 s cap. */
export function seedStoryResult(): AnalysisResult {
  const slices: TimelineSlice[] = [
    emptySlice(0, { sent: 10, admitted: 0, refused: 5, remainingRequests: null, remainingTokens: null }),
    emptySlice(100, {}),
    emptySlice(200, { admitted: 5, remainingRequests: 45, remainingTokens: 46_760, latencyP50Ms: 212.4, latencyMaxMs: 311.7 }),
  ];
  for (let index = 3; index < 14; index += 1) slices.push(emptySlice(index * 100));
  return {
    summary: baseSummary(),
    timeline: {
      sliceMs: 100,
      slices,
      firstRefusalMs: 40,
      phases: [{ name: 'burst-1', startMs: 0 }],
      refusalsByClass: { requests: 5 },
      latencyPoints: [205, 208, 212, 260, 311].map((latencyMs, index) => ({ atMs: latencyMs + 1 + index * 0.2, latencyMs, status: 200 })),
    },
    byTarget: [{ target: 'default', region: 'swedencentral', sent: 10, ok: 5, throttled: 5, failed: 0, firstThrottledSeq: 6 }],
    warnings: [],
  };
}

/** Twenty requests paced at 2/s against a generous limit: nothing refused. */
export function noRefusalResult(): AnalysisResult {
  const slices: TimelineSlice[] = [];
  for (let second = 0; second < 10; second += 1) {
    slices.push(emptySlice(second * 1000, {
      sent: 2,
      admitted: 2,
      remainingRequests: 49 - second,
      remainingTokens: 49_352 - second * 1296,
      latencyP50Ms: 180 + second,
      latencyMaxMs: 220 + second,
    }));
  }
  return {
    summary: baseSummary({
      command: 'steady',
      requests: { sent: 20, ok: 20, throttled: 0, failed: 0, dropped: 0 },
      throttled: {
        ratio: 0,
        firstSeq: null,
        byClass: { requests: 0, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 },
        retryAfterMs: { min: null, p50: null, max: null },
        whileHeadersShowedCapacity: 0,
      },
      effective: {
        requests: { burst: null, perSecond: null, windowSeconds: null, shape: 'none-observed', confidence: 'none' },
        tokens: { burst: null, perMinute: null, windowSeconds: null, confidence: 'none' },
      },
      verdict: 'No refusal at 2 requests per second for 10 s; the limit is higher than what was offered.',
      durationSeconds: 10.2,
    }),
    timeline: {
      sliceMs: 1000,
      slices,
      firstRefusalMs: null,
      phases: [{ name: 'steady', startMs: 0 }],
      refusalsByClass: {},
      latencyPoints: slices.flatMap((slice) => [
        { atMs: slice.startMs + 10, latencyMs: slice.latencyP50Ms ?? 0, status: 200 },
        { atMs: slice.startMs + 510, latencyMs: slice.latencyMaxMs ?? 0, status: 200 },
      ]),
    },
    byTarget: [{ target: 'default', region: null, sent: 20, ok: 20, throttled: 0, failed: 0, firstThrottledSeq: null }],
    warnings: [],
  };
}

/**
 * A 60 s steady run at 8/s against 5/s (a 1 s sub-cap) with a 10 s window in the
 * headers: 600 slices of 100 ms, refusals from 2 s on, remaining-requests sawing
 * down and back, token headers falling. Deterministic (no randomness).
 */
export function steadyManySlicesResult(): AnalysisResult {
  const slices: TimelineSlice[] = [];
  const latencyPoints: { atMs: number; latencyMs: number; status: number | null }[] = [];
  let admittedTotal = 0;
  let refusedTotal = 0;
  let firstRefusalMs: number | null = null;
  for (let index = 0; index < 600; index += 1) {
    const startMs = index * 100;
    const sent = index % 5 === 4 ? 0 : 1 + (index % 2);
    const second = Math.floor(startMs / 1000);
    const inSecond = (index % 10);
    const admitted = second < 2 ? sent : inSecond < 4 ? Math.min(sent, 1) : 0;
    const refused = sent - admitted;
    if (refused > 0 && firstRefusalMs === null) firstRefusalMs = startMs + 30;
    admittedTotal += admitted;
    refusedTotal += refused;
    const latency = admitted > 0 ? 180 + ((index * 37) % 90) : null;
    if (admitted > 0) latencyPoints.push({ atMs: startMs + 20, latencyMs: latency ?? 0, status: 200 });
    slices.push(emptySlice(startMs, {
      sent,
      admitted,
      refused,
      remainingRequests: sent > 0 ? Math.max(0, 49 - ((index * 3) % 50)) : null,
      remainingTokens: sent > 0 ? Math.max(0, 49_352 - ((index * 648) % 50_000)) : null,
      latencyP50Ms: latency,
      latencyMaxMs: latency === null ? null : latency + 40,
    }));
  }
  const sentTotal = admittedTotal + refusedTotal;
  return {
    summary: baseSummary({
      command: 'steady',
      requests: { sent: sentTotal, ok: admittedTotal, throttled: refusedTotal, failed: 0, dropped: 0 },
      throttled: {
        ratio: refusedTotal / sentTotal,
        firstSeq: 31,
        byClass: { requests: refusedTotal - 12, tokens: 12, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 },
        retryAfterMs: { min: 1000, p50: 1000, max: 6000 },
        whileHeadersShowedCapacity: refusedTotal - 20,
      },
      effective: {
        requests: { burst: 5, perSecond: 4.1, windowSeconds: 1, shape: 'sliding-window', confidence: 'high' },
        tokens: { burst: 38_880, perMinute: 48_600, windowSeconds: 60, confidence: 'low' },
      },
      verdict:
        'Effective cap: about 4.1 requests per second (a 1 s sub-cap), below the advertised 5 per 1 s. ' +
        'Offering 8/s drove 48 % of requests into 429s. Pace at ≤ 4 requests per second.',
      durationSeconds: 60.3,
      recording: 'aoai-probe-runs/2025-02-12T19-02-44-steady.ndjson',
    }),
    timeline: {
      sliceMs: 100,
      slices,
      firstRefusalMs,
      phases: [{ name: 'steady', startMs: 0 }],
      refusalsByClass: { requests: refusedTotal - 12, tokens: 12 },
      latencyPoints,
    },
    byTarget: [{ target: 'default', region: 'eastus', sent: sentTotal, ok: admittedTotal, throttled: refusedTotal, failed: 0, firstThrottledSeq: 31 }],
    warnings: [],
  };
}
