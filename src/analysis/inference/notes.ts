/**
 * The sentences the inference adds to the verdict: what kind of limiter it is,
 * how the figures compare with the advertised ones and with what the headers
 * claim, and what to do about it. Plain words, numbers a person can act on; no
 * jargon that needs the docs ("fixed window" is explained the first time).
 */
import type { DimensionAnalysis } from './dimension.js';
import type { LimitFigures } from './figures.js';

/** A number for a sentence: grouped thousands, at most `decimals` decimals, no trailing zeros. */
export function formatFigure(value: number, decimals = 1): string {
  const factor = 10 ** decimals;
  return (Math.round(value * factor) / factor).toLocaleString('en-US', { maximumFractionDigits: decimals });
}

/** Seconds for a sentence: "1 s", "2.5 s", "60 s", "250 ms". */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${formatFigure(seconds * 1000, 0)} ms`;
  return `${formatFigure(seconds, seconds < 10 ? 1 : 0)} s`;
}

function plural(count: number, one: string, many: string): string {
  return `${formatFigure(count, 0)} ${count === 1 ? one : many}`;
}

/** What the headers claimed about the request limit, read from the probe's answers. */
export interface HeaderClaims {
  /** The request limit the headers name (limit-requests, IETF limit, or first remaining + 1). */
  limit: number | null;
  /** The window the headers name or imply, seconds. */
  windowSeconds: number | null;
}

/** Advertised figures as the inference sees them. */
export interface AdvertisedFigures {
  tpm: number | null;
  rpm: number | null;
}

/** "a token bucket: bursts of 10, refilling at 5 per second (empty to full in 2 s)". */
export function describeRequestLimit(figures: LimitFigures, variantId: string, latencyMs: number): string {
  const { burst, perSecond, windowSeconds } = figures;
  switch (figures.shape) {
    case 'token-bucket':
      return `a token bucket: bursts of up to ${plural(burst, 'request', 'requests')}, refilling at ${formatFigure(perSecond, 2)} per second (empty to full in ${formatSeconds(windowSeconds)})`;
    case 'fixed-window':
      if (variantId === 'anchored-window-block') {
        return `a fixed window of ${plural(burst, 'request', 'requests')} that, once exceeded, blocks for ${formatSeconds(windowSeconds)}`;
      }
      return `a fixed window: ${plural(burst, 'request', 'requests')} per ${formatSeconds(burst / perSecond)}, all of it coming back at once when the window ${variantId === 'anchored-window' ? 'that started with the first request ends' : 'turns over'}`;
    case 'sliding-window':
      return variantId.startsWith('sliding-counter')
        ? `a sliding window (a weighted counter): ${plural(burst, 'request', 'requests')} per ${formatSeconds(windowSeconds)}, coming back gradually`
        : `a sliding window: ${plural(burst, 'request', 'requests')} in any ${formatSeconds(windowSeconds)}, each admitted request counting for ${formatSeconds(windowSeconds)}`;
    case 'concurrency':
      return `a concurrency cap: ${plural(burst, 'request', 'requests')} in flight at once (answers took about ${formatSeconds(latencyMs / 1000)}, so about ${formatFigure(perSecond)} per second)`;
    default:
      return `a limit of about ${plural(burst, 'request', 'requests')} at once and ${formatFigure(perSecond, 2)} per second`;
  }
}

/** Sentences about the request dimension. */
export function requestNotes(analysis: DimensionAnalysis, advertised: AdvertisedFigures, headers: HeaderClaims): string[] {
  const notes: string[] = [];
  const { figures, best } = analysis;
  if (figures === null || best === null) return notes;
  const { burst, perSecond, windowSeconds } = figures;
  if (!(burst > 0 && perSecond > 0)) {
    // Every request refused: figures fitted to zero admissions ("recovers in 1 ms", "spread them over ≥ NaN s") mean nothing.
    notes.push('Nothing was admitted: every request was refused, so no limit can be measured. Check the key, the deployment and the URL, and whether the quota is used up by other traffic; then probe again.');
    return notes;
  }

  if (analysis.shape === 'unknown') {
    const shapes = [...new Set(analysis.plausible.map((hypothesis) => hypothesis.variant.shape))].join(', ');
    notes.push(
      `The request limit admitted ${plural(burst, 'request', 'requests')} at once and about ${formatFigure(perSecond, 2)} per second, ` +
        `but the experiments could not tell which kind of limiter it is (${shapes} all fit); treat the figures as estimates.`,
    );
  } else {
    notes.push(`The request limit behaves like ${describeRequestLimit(figures, best.variant.id, analysis.latencyMs)}.`);
  }

  const unshown = analysis.rateNotShown ?? null;
  if (unshown !== null) {
    notes.push(
      `No experiment showed how fast it admits in the long run: the most it was seen to admit was ${formatFigure(perSecond, 2)} per second (over ${formatSeconds(unshown.spanSeconds)}), ` +
        'and explanations with far faster rates fit what was recorded too; that figure is what was seen, not a measured limit.',
    );
  }

  if (analysis.secondLimit !== null) {
    const second = analysis.secondLimit;
    const window = second.windowSeconds !== null ? `${plural(second.burst, 'request', 'requests')} per ${formatSeconds(second.windowSeconds)}` : `a bucket refilling at ${formatFigure(second.perSecond, 2)} per second`;
    notes.push(
      `A second, slower limit applies to sustained traffic: ${window} (${formatFigure(second.perSecond, 2)} requests/s). ` +
        'Bursts meet the first limit; steady traffic is held to this one.',
    );
  }

  if (best.variant.penalty && analysis.shape !== 'unknown') {
    notes.push(
      'Refused requests count against this limit too: retrying a refusal at once keeps it closed, and offering more than ' +
        `${formatFigure(perSecond, 2)} per second drives the admitted rate towards zero; after a refusal, wait ${formatSeconds(Math.max(windowSeconds, 1 / perSecond))} before trying again.`,
    );
  }

  // Against the advertised figures: RPM/60 per second, RPM/6 per 10 s.
  if (advertised.rpm !== null && advertised.rpm > 0) {
    const perSecondAdvertised = advertised.rpm / 60;
    const per10s = advertised.rpm / 6;
    const near = (value: number, target: number): boolean => Math.abs(value - target) <= Math.max(1, 0.1 * target);
    const rate = `${formatFigure(perSecond, 2)} requests/s sustained against the ${formatFigure(perSecondAdvertised, 2)} per second the advertised ${formatFigure(advertised.rpm, 0)} RPM implies`;
    let burstPart: string;
    if (near(burst, perSecondAdvertised) && !near(burst, per10s)) {
      burstPart = `the burst of ${formatFigure(burst, 0)} matches a 1-second cap of RPM/60, not the ${formatFigure(per10s, 0)} per 10 s a 10-second bucket would allow`;
    } else if (near(burst, per10s)) {
      burstPart = `the burst of ${formatFigure(burst, 0)} matches a 10-second bucket of RPM/6`;
    } else if (burst < perSecondAdvertised) {
      // Counts with counts: the burst against the requests the RPM allows in one second.
      burstPart = `the burst of ${plural(burst, 'request', 'requests')} at once is fewer than the ${formatFigure(perSecondAdvertised, 1)} requests the advertised RPM allows in one second (a reduced limit, or others sharing the quota)`;
    } else {
      burstPart = `the burst of ${plural(burst, 'request', 'requests')} at once matches neither the ${formatFigure(perSecondAdvertised, 1)} requests the advertised RPM allows in 1 s nor the ${formatFigure(per10s, 0)} it allows in 10 s`;
    }
    notes.push(`Compared with what is advertised: ${rate}; ${burstPart}.`);
  }

  // Against the headers: they can count a different window than the one that binds.
  if (headers.limit !== null && Math.abs(headers.limit - burst) > Math.max(1, 0.1 * burst)) {
    const window = headers.windowSeconds !== null ? ` per ${formatSeconds(headers.windowSeconds)}` : '';
    const reaches = headers.limit > burst ? `a burst never reaches it: the limit of ${formatFigure(burst, 0)} at once binds first` : `the limit measured is larger`;
    notes.push(`The rate-limit headers count a budget of ${formatFigure(headers.limit, 0)}${window}; ${reaches}, so do not pace by the headers.`);
  }

  // What to do.
  if (analysis.shape === 'concurrency') {
    notes.push(`Keep at most ${plural(burst, 'request', 'requests')} in flight.`);
  } else {
    const spread = Math.max(windowSeconds, burst / perSecond);
    notes.push(`Pace at ≤ ${formatFigure(0.9 * perSecond, perSecond < 1 ? 2 : 1)} requests/s; keep bursts to ${formatFigure(burst, 0)} or spread them over ≥ ${formatSeconds(spread)}.`);
  }
  return notes;
}

/**
 * Sentences about the token dimension. `burst` is the summary's
 * effective.tokens.burst, so the sentence and the summary give one figure.
 */
export function tokenNotes(analysis: DimensionAnalysis, advertised: AdvertisedFigures, burst: number): string[] {
  const { figures } = analysis;
  if (figures === null) return [];
  const perMinute = figures.perSecond * 60;
  const shape =
    figures.shape === 'token-bucket'
      ? 'a token bucket that refills continuously'
      : figures.shape === 'fixed-window'
        ? 'a fixed window that comes back all at once'
        : figures.shape === 'sliding-window'
          ? 'a sliding window (each request counts for the whole window)'
          : 'a limit whose kind the experiments could not tell';
  const notes = [
    `The token limit admitted about ${formatFigure(burst, 0)} estimated tokens from idle and ${formatFigure(perMinute, 0)} per minute, ` +
      `recovering in ${formatSeconds(figures.windowSeconds)}: ${shape}.`,
  ];
  if (advertised.tpm !== null && advertised.tpm > 0) {
    const ratio = perMinute / advertised.tpm;
    notes.push(
      Math.abs(ratio - 1) <= 0.1
        ? `That matches the advertised ${formatFigure(advertised.tpm, 0)} TPM.`
        : `That is ${formatFigure(ratio * 100, 0)} % of the advertised ${formatFigure(advertised.tpm, 0)} TPM.`,
    );
  }
  notes.push('Each request is charged its prompt plus max_tokens when it arrives, whatever the answer\'s real length: keep max_tokens near the real answer length.');
  return notes;
}

/** What the probe had and used: says whether its budget or its experiments ended it. */
export interface ProbeSpent {
  requests: number;
  seconds: number;
  /** The budget from the recording's run line; null when it does not say. */
  budgetRequests: number | null;
  budgetSeconds: number | null;
  /**
   * The end line's reason: `budget` when the budget (or what was left of it) could not pay
   * for the next experiment, `completed` when the probe's experiments agreed; null when
   * the recording has no end line.
   */
  ended?: 'completed' | 'interrupted' | 'budget' | 'error' | null;
}

/**
 * Sentences when the evidence is thin, saying truthfully why: the budget (requests or
 * time) ran out, or what was left of it could not pay for another experiment, or the
 * probe's experiments ended with budget left.
 */
export function confidenceNote(analysis: DimensionAnalysis, what: string, spent: ProbeSpent | null = null): string | null {
  if (analysis.confidence !== 'low' || analysis.figures === null) return null;
  if (spent === null || (spent.budgetRequests === null && spent.budgetSeconds === null)) {
    return `The ${what} figures rest on thin evidence (the experiments did not agree on them); treat them as estimates.`;
  }
  const requestsSpent = spent.budgetRequests !== null && spent.requests >= spent.budgetRequests - 5;
  const timeSpent = spent.budgetSeconds !== null && spent.seconds >= 0.95 * spent.budgetSeconds;
  if (requestsSpent || timeSpent) {
    const which = requestsSpent ? `the request budget ran out (${formatFigure(spent.requests, 0)} of ${formatFigure(spent.budgetRequests!, 0)} requests)` : `the time budget ran out (${formatSeconds(spent.seconds)} of ${formatSeconds(spent.budgetSeconds!)})`;
    return `The ${what} figures rest on thin evidence: ${which} before the experiments agreed; rerun with a larger ${requestsSpent ? '--budget-requests' : '--budget-time'} to firm them up.`;
  }
  const used = [spent.budgetRequests !== null ? `${formatFigure(spent.requests, 0)} of ${formatFigure(spent.budgetRequests, 0)} requests` : null, spent.budgetSeconds !== null ? `${formatSeconds(spent.seconds)} of ${formatSeconds(spent.budgetSeconds)}` : null]
    .filter((part) => part !== null)
    .join(', ');
  if (spent.ended === 'budget') {
    // Not all spent, but too little left for the experiment that would settle what is open.
    const requestShare = spent.budgetRequests === null ? 1 : spent.requests / spent.budgetRequests;
    const timeShare = spent.budgetSeconds === null ? 1 : spent.seconds / spent.budgetSeconds;
    const flag = spent.budgetRequests !== null && (spent.budgetSeconds === null || requestShare >= timeShare) ? '--budget-requests' : '--budget-time';
    return `The ${what} figures rest on thin evidence: what was left of the budget (${used} used) could not pay for another experiment before the experiments agreed; rerun with a larger ${flag} to firm them up.`;
  }
  return `The ${what} figures rest on thin evidence: the probe's experiments ended with budget left (${used} used) and the explanations that fit still disagree; treat them as estimates.`;
}

/** Plural helper for other modules' sentences. */
export { plural as pluralise };
