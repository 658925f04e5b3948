/**
 * A realistic result for the README screenshot and the browser test: the seed
 * deployment of the seed story (50 per 10 s in the headers, 5 per 1 s enforced, 50,000
 * tokens per 60 s, here at 100 a request) probed with a burst of 10, a pause, then 4/s and
 * 6/s for 30 s each. The limiter is simulated here, deterministically, so slices,
 * headers and counts agree with one another; the effective figures and the verdict
 * are what the analysis should conclude, written as inputs for the renderers.
 */
import type { AnalysisResult, TimelineSlice } from '../../src/analysis/result-types.js';
import { baseSummary, emptySlice } from './fixtures.js';

/** A short prompt and max_tokens 50: the limiter's estimate per request. */
const TOKENS_PER_REQUEST = 100;

interface SimulatedRequest {
  seq: number;
  sentMs: number;
  doneMs: number;
  admitted: boolean;
  remainingRequests: number;
  remainingTokens: number;
  latencyMs: number;
}

/** A small linear congruential generator: the same "random" latencies on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function plannedTimes(): { phase: string; atMs: number }[] {
  const times: { phase: string; atMs: number }[] = [];
  for (let index = 0; index < 10; index += 1) times.push({ phase: 'burst-10', atMs: 0 });
  for (let index = 0; index < 120; index += 1) times.push({ phase: 'steady-4/s', atMs: 12_000 + index * 250 });
  for (let index = 0; index < 180; index += 1) times.push({ phase: 'steady-6/s', atMs: 42_000 + index * (1000 / 6) });
  return times;
}

function simulate(): SimulatedRequest[] {
  const random = seededRandom(20_250_212);
  const admittedAt: number[] = [];
  const requests: SimulatedRequest[] = [];
  plannedTimes().forEach(({ atMs }, index) => {
    const sentMs = atMs + random() * 2;
    const inLast = (windowMs: number) => admittedAt.filter((time) => time > sentMs - windowMs).length;
    const admitted = inLast(1000) < 5 && inLast(10_000) < 50;
    if (admitted) admittedAt.push(sentMs);
    const latencyMs = admitted ? 170 + random() * 140 + (random() < 0.05 ? 250 : 0) : 8 + random() * 10;
    requests.push({
      seq: index + 1,
      sentMs,
      doneMs: sentMs + latencyMs,
      admitted,
      remainingRequests: 50 - inLast(10_000),
      remainingTokens: 50_000 - TOKENS_PER_REQUEST * inLast(60_000),
      latencyMs,
    });
  });
  return requests;
}

function percentile(sorted: number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** The probe run, as an analysis result. */
export function probeRunResult(): AnalysisResult {
  const requests = simulate();
  const sliceMs = 250;
  const endMs = Math.max(...requests.map((request) => request.doneMs));
  const slices: TimelineSlice[] = [];
  for (let startMs = 0; startMs < endMs; startMs += sliceMs) {
    const done = requests.filter((request) => request.doneMs >= startMs && request.doneMs < startMs + sliceMs);
    const admitted = done.filter((request) => request.admitted);
    const latencies = admitted.map((request) => request.latencyMs).sort((left, right) => left - right);
    slices.push(emptySlice(startMs, {
      sent: requests.filter((request) => request.sentMs >= startMs && request.sentMs < startMs + sliceMs).length,
      admitted: admitted.length,
      refused: done.length - admitted.length,
      remainingRequests: done.length === 0 ? null : Math.min(...done.map((request) => request.remainingRequests)),
      remainingTokens: done.length === 0 ? null : Math.min(...done.map((request) => request.remainingTokens)),
      latencyP50Ms: percentile(latencies, 0.5),
      latencyMaxMs: latencies.at(-1) ?? null,
    }));
  }
  const admitted = requests.filter((request) => request.admitted);
  const refused = requests.filter((request) => !request.admitted);
  const firstRefused = refused.sort((left, right) => left.doneMs - right.doneMs)[0]!;
  const latencies = admitted.map((request) => request.latencyMs).sort((left, right) => left - right);
  return {
    summary: baseSummary({
      command: 'probe',
      requests: { sent: requests.length, ok: admitted.length, throttled: refused.length, failed: 0, dropped: 0 },
      throttled: {
        ratio: refused.length / requests.length,
        firstSeq: Math.min(...refused.map((request) => request.seq)),
        byClass: { requests: refused.length, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 },
        retryAfterMs: { min: 1000, p50: 1000, max: 1000 },
        whileHeadersShowedCapacity: refused.filter((request) => request.remainingRequests > 0).length,
      },
      effective: {
        requests: { burst: 5, perSecond: 5, windowSeconds: 1, shape: 'sliding-window', confidence: 'high' },
        tokens: { burst: null, perMinute: null, windowSeconds: null, confidence: 'none' },
      },
      latency: {
        p50: percentile(latencies, 0.5),
        p95: percentile(latencies, 0.95),
        p99: percentile(latencies, 0.99),
        max: latencies.at(-1) ?? null,
      },
      tokens: { estimatedCharged: admitted.length * TOKENS_PER_REQUEST, billed: admitted.length * 21 },
      headers: { ...baseSummary().headers, firstRemainingTokens: 50_000 - TOKENS_PER_REQUEST },
      verdict:
        "Effective cap: 5 requests per 1 s (a sliding 1-second window); the headers' 50 per 10 s is not reachable in a burst. " +
        '4/s ran clean for 30 s; 6/s lost about a quarter of its requests to 429s. Pace at ≤ 4.5 requests per second or spread bursts over ≥ 1 s.',
      recording: 'aoai-probe-runs/2025-02-12T18-52-18-probe.ndjson',
      durationSeconds: Math.round(endMs) / 1000,
    }),
    timeline: {
      sliceMs,
      slices,
      firstRefusalMs: firstRefused.doneMs,
      phases: [{ name: 'burst-10', startMs: 0 }, { name: 'steady-4/s', startMs: 12_000 }, { name: 'steady-6/s', startMs: 42_000 }],
      refusalsByClass: { requests: refused.length },
      latencyPoints: admitted.map((request) => ({ atMs: request.doneMs, latencyMs: request.latencyMs, status: 200 })),
    },
    byTarget: [{ target: 'default', region: 'swedencentral', sent: requests.length, ok: admitted.length, throttled: refused.length, failed: 0, firstThrottledSeq: Math.min(...refused.map((request) => request.seq)) }],
    warnings: [],
  };
}
