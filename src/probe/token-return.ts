/**
 * When the token stage's return stream should start: when the token burst's own
 * tokens can first come back, not merely when the first recovery ping is admitted.
 *
 * Why: the request stage charges tokens too (a few per request, sent before the token
 * burst). Under a sliding window those older charges expire first, so a recovery ping
 * can be admitted well before the burst's tokens return (on the default simulator at
 * `--max-tokens 1000`: a ping admitted at 68 s, the burst's tokens back at 77 s). A
 * return stream started at the ping meets only refusals and reads as a slow bucket.
 *
 * The figure is derived from what the stage measured. If the first admitted ping could
 * have been paid for by charges sent before the burst, a sliding window of length W
 * freed, by the ping at R, the earliest pre-burst charges up to R − W; those must add up
 * to the ping's charge less the room that was left (under the smallest charge refused
 * since the burst's first refusal). The latest such moment T bounds the window, W ≤ R − T,
 * so the burst's first tokens are back by its first admission + (R − T). A fixed window
 * or a bucket that recovered at R is only waited on a little longer, which does not
 * change what the return stream shows of it (everything back at once, or a trickle).
 */
import type { Observation } from '../analysis/inference/index.js';

/** What the token stage measured, for placing the return stream. */
export interface ReturnTimeInputs {
  /** The probe's observations so far (request stage and token stage). */
  observations: readonly Observation[];
  /** Arrival of the token burst's first request, ms. */
  burstStartMs: number;
  /** Arrival of the burst's first token refusal, ms. */
  firstRefusalMs: number;
  /** Arrival of the first admitted recovery ping, ms. */
  recoveredMs: number;
  /** The estimated charge of that ping. */
  pingTokens: number;
}

/** The earliest time the burst's own tokens can be back; `recoveredMs` when the ping could not have been paid by older charges. */
export function burstReturnTime(inputs: ReturnTimeInputs): number {
  const { observations, burstStartMs, firstRefusalMs, recoveredMs, pingTokens } = inputs;
  const refusedSince = observations.filter((observation) => observation.outcome === 'refused-tokens' && observation.arrivalMs >= firstRefusalMs && observation.arrivalMs < recoveredMs);
  const roomLeft = refusedSince.length === 0 ? 0 : Math.min(...refusedSince.map((observation) => observation.tokens));
  const needed = Math.max(0, pingTokens - roomLeft);
  const older = observations
    .filter((observation) => observation.outcome === 'admitted' && observation.arrivalMs < burstStartMs && observation.tokens > 0)
    .sort((a, b) => a.arrivalMs - b.arrivalMs);
  let freed = 0;
  for (const observation of older) {
    freed += observation.tokens;
    // Freed up to and including this one: the window can be at most R − its arrival.
    if (freed >= needed) return Math.max(recoveredMs, burstStartMs + (recoveredMs - observation.arrivalMs));
  }
  return recoveredMs;
}
