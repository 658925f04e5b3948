/**
 * Which policy did best, by a rule stated in the summary, and why each other one lost.
 *
 * The rule, in order: the most callers done (giving up is the failure a user feels),
 * then the fewest refused attempts per done caller (each refusal is quota spent on
 * nothing and a push on everybody else's limit), then the lowest p95 wait. A tie on all
 * three keeps the order the policies ran in.
 */
import type { RetryPolicyFigures } from './types.js';

/** The rule, as `retry.rule` states it. */
export const RETRY_RULE = 'most callers done, then fewest refused attempts per done caller, then lowest p95 wait';

/** Refused attempts per done caller; infinite when none was done. */
export function refusedPerDone(figures: RetryPolicyFigures): number {
  return figures.callers.done === 0 ? Number.POSITIVE_INFINITY : figures.attempts.refused / figures.callers.done;
}

function compare(a: RetryPolicyFigures, b: RetryPolicyFigures): number {
  if (a.callers.done !== b.callers.done) return b.callers.done - a.callers.done;
  const refusedA = refusedPerDone(a);
  const refusedB = refusedPerDone(b);
  if (refusedA !== refusedB) return refusedA < refusedB ? -1 : 1;
  return (a.waitMs.p95 ?? Number.POSITIVE_INFINITY) - (b.waitMs.p95 ?? Number.POSITIVE_INFINITY);
}

/** The best policy by RETRY_RULE, or null when there is none. */
export function bestPolicy(policies: readonly RetryPolicyFigures[]): RetryPolicyFigures | null {
  let best: RetryPolicyFigures | null = null;
  for (const figures of policies) if (best === null || compare(figures, best) < 0) best = figures;
  return best;
}

function seconds(ms: number | null): string {
  return ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

function perDoneText(figures: RetryPolicyFigures): string {
  const value = refusedPerDone(figures);
  return Number.isFinite(value) ? value.toFixed(2) : 'no done caller';
}

/** Why `loser` ranks below `best`, in a few words: giving up, the herd, or waiting. */
export function whyLoses(loser: RetryPolicyFigures, best: RetryPolicyFigures): string {
  if (loser.callers.done < best.callers.done) {
    const herd = loser.herdPeak > best.herdPeak * 2 && loser.herdPeak >= 5 ? ` (its retries came as a herd of ${loser.herdPeak} in 100 ms)` : '';
    return `${loser.name}: ${loser.callers.gaveUp} of ${loser.callers.total} callers gave up${herd}`;
  }
  if (refusedPerDone(loser) > refusedPerDone(best)) {
    const herd = loser.herdPeak > best.herdPeak ? `a herd of ${loser.herdPeak} retries in 100 ms (against ${best.herdPeak}), ` : '';
    return `${loser.name}: ${herd}${perDoneText(loser)} refused attempts per done caller`;
  }
  return `${loser.name}: waited longer (p95 ${seconds(loser.waitMs.p95)} against ${seconds(best.waitMs.p95)})`;
}

/** The verdict: the best policy with its figures, then one reason per other policy. */
export function retryVerdict(policies: readonly RetryPolicyFigures[]): string {
  const best = bestPolicy(policies);
  if (best === null) return 'No retrying caller was recorded.';
  const refused = best.attempts.refused;
  const head =
    best.callers.gaveUp === 0
      ? `${best.name} is best: all ${best.callers.total} callers done with ${refused} refused attempt${refused === 1 ? '' : 's'} (${perDoneText(best)} per done caller), p95 wait ${seconds(best.waitMs.p95)}.`
      : `${best.name} is best, yet ${best.callers.gaveUp} of ${best.callers.total} callers gave up under it; ${best.callers.done} done with ${perDoneText(best)} refused attempts each.`;
  const others = policies.filter((figures) => figures !== best).map((figures) => whyLoses(figures, best));
  return others.length === 0 ? head : `${head} The others lose — ${others.join('; ')}.`;
}
