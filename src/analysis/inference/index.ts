/**
 * Inference of the effective limits (burst, sustained rate, recovery window, shape;
 * token burst, per-minute, window) from the experiments in a recording.
 *
 * Placeholder contract: the limit-discovery work replaces the body. The summary
 * calls this with every phase line and the request lines of the phases it kept.
 */
import type { PhaseLine, RequestLine } from '../../record/types.js';
import type { EffectiveRequests, EffectiveTokens } from '../summary-types.js';
import type { RefusalClass } from '../summary-types.js';

/** What inference needs: phases in order, their requests (sorted by seq), and each request's refusal class. */
export interface InferenceInput {
  phases: PhaseLine[];
  requests: RequestLine[];
  /** Refusal class per request seq (absent for admitted requests). */
  refusalClassOf(request: RequestLine): RefusalClass | null;
  advertised: { tpm: number | null; rpm: number | null };
}

export interface InferenceResult {
  requests: EffectiveRequests;
  tokens: EffectiveTokens;
  /** Plain sentences explaining the evidence, for the verdict. */
  notes: string[];
}

/** Infers effective limits from probe experiments; returns nulls with confidence "none" when there are none. */
export function inferEffectiveLimits(_input: InferenceInput): InferenceResult | null {
  return null;
}
