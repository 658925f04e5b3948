/**
 * A limit dimension (calls or tokens) seen as a sequence of samples: each request's
 * arrival, its weight in that dimension, what really happened to it, and whether
 * it says anything about this dimension's limit.
 *
 * Why a request can count without being scored: a request refused for tokens still
 * arrived at the call-rate limiter, and a limiter that counts refusals (a
 * "penalty" limiter) counted it; but its refusal says nothing about the call rate,
 * so it must neither confirm nor contradict a call-rate hypothesis.
 */
import type { Observation } from './observations.js';
import type { ReplayColumns } from './models/replay-model.js';

/** Which limit a fit is about. */
export type Dimension = 'requests' | 'tokens';

/** One request as a limiter model replays it. */
export interface Sample {
  /** Arrival at the limiter, ms from run start. */
  atMs: number;
  /** When the server let go of it (concurrency caps), ms. */
  releaseMs: number;
  /** Units charged when admitted: 1 for calls, the estimated charge for tokens. */
  weight: number;
  /** What really happened (the replay follows it: "teacher forcing"). */
  admitted: boolean;
  /** 1 admitted, 0 refused by this dimension, -1 not evidence for this dimension. */
  label: 1 | 0 | -1;
}

/** The samples of one dimension, in arrival order. */
export function samplesFor(observations: readonly Observation[], dimension: Dimension): Sample[] {
  const samples: Sample[] = [];
  for (const observation of observations) {
    const weight = dimension === 'requests' ? 1 : observation.tokens;
    const base = { atMs: observation.arrivalMs, releaseMs: observation.releaseMs, weight };
    switch (observation.outcome) {
      case 'admitted':
        samples.push({ ...base, admitted: true, label: 1 });
        break;
      case 'refused':
        samples.push({ ...base, admitted: false, label: dimension === 'requests' ? 0 : -1 });
        break;
      case 'refused-tokens':
        samples.push({ ...base, admitted: false, label: dimension === 'tokens' ? 0 : -1 });
        break;
      default:
        // Failures, capacity shortages, quota and "never" refusals: nothing to learn
        // about the limit, and whether they counted is unknowable.
        break;
    }
  }
  return samples;
}

/** The samples as the columns a replay reads (models/replay-model.ts says why columns). */
export function columnsOf(samples: readonly Sample[]): ReplayColumns {
  const columns = {
    length: samples.length,
    atMs: new Float64Array(samples.length),
    weight: new Float64Array(samples.length),
    admitted: new Uint8Array(samples.length),
    releaseMs: new Float64Array(samples.length),
  };
  for (let index = 0; index < samples.length; index++) {
    const sample = samples[index]!;
    columns.atMs[index] = sample.atMs;
    columns.weight[index] = sample.weight;
    columns.admitted[index] = sample.admitted ? 1 : 0;
    columns.releaseMs[index] = sample.releaseMs;
  }
  return columns;
}
