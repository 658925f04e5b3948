/**
 * Inference of the effective limits (burst, sustained rate, recovery window,
 * shape; token burst, per-minute, window) from the experiments in a recording.
 *
 * The summary calls this with every phase line and the request lines of the
 * burst and probe phases. Only the probe's own phases are used: everything the
 * probe concluded while it ran is re-derived here from the recording alone, by
 * the same fit (fit.ts) over the same lines, so `aoai-probe report` on a probe's
 * recording gives the probe's figures.
 *
 * How (docs/probe.md has the long version): every request becomes an
 * observation (arrival, answer, admitted or refused and by which limit); each
 * limiter kind in the catalogue (variants.ts) is replayed over them with its
 * parameters searched until it explains the most admissions and refusals; the
 * kinds that explain them about as well as the best are "plausible". Their shared
 * shape is the shape (or `unknown` when they disagree), the best one's figures are
 * the figures, and how far the plausible ones spread sets the confidence.
 */
import type { PhaseLine, RequestLine } from '../../record/types.js';
import type { Confidence, EffectiveRequests, EffectiveTokens } from '../summary-types.js';
import type { RefusalClass } from '../summary-types.js';
import { parseRateLimitHeaders } from '../headers.js';
import { analyseDimension, type DimensionAnalysis } from './dimension.js';
import { toObservations } from './observations.js';
import { confidenceNote, requestNotes, tokenNotes, type HeaderClaims, type ProbeSpent } from './notes.js';
import { measureOverdrive } from './overdrive.js';

/**
 * What an experimenter (the probe) may use between experiments: the same fit and the
 * same predictions the final figures come from, so its choices and the recording's
 * analysis agree. Everything else in this folder is internal to the inference.
 */
export { analyseDimension, relativeSpread, median, type DimensionAnalysis } from './dimension.js';
export { outcomeOf, toObservations, type Observation, type Outcome } from './observations.js';
export { samplesFor } from './samples.js';
export { admitsAt, earliestAdmission, earliestFullRecovery, predictOutcomes, replayedModel } from './predict.js';
export { figuresOf } from './figures.js';
export { geometricGrid } from './fit.js';

/** What inference needs: phases in order, their requests (sorted by seq), and each request's refusal class. */
export interface InferenceInput {
  phases: PhaseLine[];
  requests: RequestLine[];
  /** Refusal class per request seq (absent for admitted requests). */
  refusalClassOf(request: RequestLine): RefusalClass | null;
  advertised: { tpm: number | null; rpm: number | null };
  /** The probe's budget, from the run line (null when it does not say): whether the budget or the plan ended it. */
  budget?: { requests: number | null; seconds: number | null } | null;
  /** The end line's reason (null without one): whether the budget or agreement ended the probe. */
  endReason?: ProbeSpent['ended'];
}

/** The inferred limits, with the analyses behind them for callers that want the detail. */
export interface InferenceResult {
  requests: EffectiveRequests;
  tokens: EffectiveTokens;
  /** Plain sentences explaining the evidence, for the verdict. */
  notes: string[];
  /** The analysis of the calls dimension (null when the recording has no probe requests). */
  requestAnalysis?: DimensionAnalysis | null;
  /** The analysis of the token dimension (null when the probe did not measure tokens). */
  tokenAnalysis?: DimensionAnalysis | null;
}

/** The purpose a probe phase gives its token experiments (src/probe writes it). */
export const TOKEN_PURPOSE = 'tokens';

function rounded(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

const NO_TOKENS: EffectiveTokens = { burst: null, perMinute: null, windowSeconds: null, confidence: 'none' };

/** What the answers' headers claim about the request limit (hypotheses only; never reported as measured). */
export function headerClaims(requests: readonly RequestLine[], advertisedRpm: number | null): HeaderClaims {
  let limit: number | null = null;
  let windowSeconds: number | null = null;
  for (const request of requests) {
    const view = parseRateLimitHeaders(request.headers);
    const claimed = view.limitRequests ?? (view.remainingRequests === null ? null : view.remainingRequests + 1);
    if (claimed !== null) limit = Math.max(limit ?? 0, claimed);
    windowSeconds ??= view.policyWindowSeconds;
  }
  if (limit !== null && windowSeconds === null && advertisedRpm !== null && advertisedRpm > 0) {
    // Which share of the advertised RPM the headers' limit is tells the window they count.
    for (const [share, seconds] of [[6, 10], [60, 1], [1, 60]] as const) {
      if (Math.abs(limit - advertisedRpm / share) <= Math.max(1, 0.05 * (advertisedRpm / share))) {
        windowSeconds = seconds;
        break;
      }
    }
  }
  return { limit, windowSeconds };
}

/** The token figure from a fitted capacity range: the middle when the range is narrow, else what was admitted. */
function tokenBurst(analysis: DimensionAnalysis): number | null {
  const best = analysis.best;
  if (best === null || !Number.isFinite(best.capacity)) return null;
  const { capacity: low, capacityHigh: high } = best;
  if (Number.isFinite(high) && high - low <= 0.05 * low) return Math.round((low + high) / 2);
  return Math.round(low);
}

/** Infers effective limits from probe experiments; null when the recording has no probe phase. */
export function inferEffectiveLimits(input: InferenceInput): InferenceResult | null {
  const probePhases = input.phases.filter((phase) => phase.kind === 'probe');
  if (probePhases.length === 0) return null;
  const probeNames = new Set(probePhases.map((phase) => phase.name));
  const requests = input.requests.filter((request) => probeNames.has(request.phase));
  const observations = toObservations(probePhases, requests, (request) => input.refusalClassOf(request));
  if (observations.length === 0) {
    return { requests: { burst: null, perSecond: null, windowSeconds: null, shape: 'unknown', confidence: 'none' }, tokens: NO_TOKENS, notes: [], requestAnalysis: null, tokenAnalysis: null };
  }

  const notes: string[] = [];
  const firstSent = Math.min(...requests.map((request) => request.sentMs));
  const lastDone = Math.max(...requests.map((request) => request.doneMs ?? request.sentMs));
  const spent: ProbeSpent | null =
    input.budget === undefined || input.budget === null
      ? null
      : { requests: requests.length, seconds: Math.max(0, (lastDone - firstSent) / 1000), budgetRequests: input.budget.requests, budgetSeconds: input.budget.seconds, ended: input.endReason ?? null };
  const requestAnalysis = analyseDimension(observations, 'requests');
  let effectiveRequests: EffectiveRequests;
  if (requestAnalysis.figures === null) {
    const admitted = observations.filter((observation) => observation.outcome === 'admitted').length;
    effectiveRequests = { burst: null, perSecond: null, windowSeconds: null, shape: 'none-observed', confidence: admitted > 0 ? 'low' : 'none' };
    if (admitted > 0) notes.push(`No request was refused for its rate in ${admitted} admitted ${admitted === 1 ? 'request' : 'requests'}: no request limit was reached within the probe's budget.`);
  } else {
    const figures = requestAnalysis.figures;
    effectiveRequests = {
      burst: figures.burst,
      perSecond: rounded(figures.perSecond, 3),
      windowSeconds: rounded(figures.windowSeconds, 3),
      shape: requestAnalysis.shape,
      confidence: requestAnalysis.confidence,
    };
    const overdrive = measureOverdrive(probePhases, observations, figures.perSecond);
    if (overdrive !== null) {
      effectiveRequests.overdriveOfferedPerSecond = rounded(overdrive.offeredPerSecond, 2);
      effectiveRequests.overdriveAdmittedPerSecond = rounded(overdrive.admittedPerSecond, 2);
    }
    notes.push(...requestNotes(requestAnalysis, input.advertised, headerClaims(requests, input.advertised.rpm)));
    const thin = confidenceNote(requestAnalysis, 'request', spent);
    if (thin !== null) notes.push(thin);
  }

  let effectiveTokens = NO_TOKENS;
  let tokenAnalysis: DimensionAnalysis | null = null;
  if (probePhases.some((phase) => phase.params['purpose'] === TOKEN_PURPOSE)) {
    tokenAnalysis = analyseDimension(observations, 'tokens');
    const figures = tokenAnalysis.figures;
    if (figures === null) {
      const admittedTokens = observations.filter((observation) => observation.outcome === 'admitted').reduce((sum, observation) => sum + observation.tokens, 0);
      effectiveTokens = { burst: null, perMinute: null, windowSeconds: null, confidence: 'low' as Confidence };
      notes.push(`No request was refused for tokens (${Math.round(admittedTokens).toLocaleString('en-US')} estimated tokens admitted): no token limit was reached within the probe's budget.`);
    } else {
      effectiveTokens = {
        burst: tokenBurst(tokenAnalysis),
        perMinute: Math.round(figures.perSecond * 60),
        windowSeconds: rounded(figures.windowSeconds, 3),
        confidence: tokenAnalysis.confidence,
      };
      notes.push(...tokenNotes(tokenAnalysis, input.advertised, effectiveTokens.burst ?? figures.burst));
      const thin = confidenceNote(tokenAnalysis, 'token', spent);
      if (thin !== null) notes.push(thin);
    }
  }
  return { requests: effectiveRequests, tokens: effectiveTokens, notes, requestAnalysis, tokenAnalysis };
}
