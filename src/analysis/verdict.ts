/**
 * The verdict: plain sentences a person who has never seen a rate limiter can act
 * on. Each sentence is a small function of the summary (and of a little evidence the
 * summary does not carry, such as what the headers showed at the first refusal);
 * it returns null when it has nothing to say, and `buildVerdict` joins the rest.
 */
import type { Summary } from './summary-types.js';
import { failureCause, failureEntries, failureLabel, type RedirectEvidence } from './failures.js';
import { azureArithmeticApplies } from './advertised.js';

/** The summary as the verdict sees it (everything but the verdict itself). */
export type VerdictSummary = Omit<Summary, 'verdict'>;

/** The burst instant the burst figure came from. */
export interface BurstEvidence {
  sent: number;
  admitted: number;
  refused: number;
  /** True when, in seq order, every admitted request came before the first refused one. */
  refusalsFollowAdmitted: boolean;
  /** Lowest remaining-requests among the instant's admitted answers. */
  remainingRequestsShown: number | null;
  /** False when the limiter was not idle before the burst (the figure is a lower bound). */
  fromIdle: boolean;
}

/** Evidence for the sentences that the summary fields do not carry. */
export interface VerdictEvidence {
  burst: BurstEvidence | null;
  /** What the headers showed when the lowest-seq refusal happened. */
  firstRefusal: { remainingRequests: number | null; remainingTokens: number | null } | null;
  /** How the advertised figures were derived, when not from flags. */
  advertisedNote: string | null;
  /** Sentences from limit inference (probe experiments). */
  inferenceNotes: string[];
  /** The first redirect answer and where it pointed (its Location header), when a request failed on one. */
  redirect?: RedirectEvidence | null;
}

/** A number for a sentence: grouped thousands, at most `decimals` decimals, no trailing zeros. */
export function formatNumber(value: number, decimals = 1): string {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  return rounded.toLocaleString('en-US', { maximumFractionDigits: decimals });
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st… */
export function ordinal(value: number): string {
  const lastTwo = value % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${value}th`;
  switch (value % 10) {
    case 1:
      return `${value}st`;
    case 2:
      return `${value}nd`;
    case 3:
      return `${value}rd`;
    default:
      return `${value}th`;
  }
}

function plural(count: number, one: string, many: string): string {
  return `${formatNumber(count, 0)} ${count === 1 ? one : many}`;
}

/**
 * "2 of 5 requests were", "0 of 1 request was", "1 of 3 requests was": the noun agrees
 * with the whole, the verb with the part (or with a whole of one).
 */
function partOf(part: number, whole: number, noun: string, rest = ''): string {
  const verb = part === 1 || whole === 1 ? 'was' : 'were';
  return `${formatNumber(part, 0)} of ${formatNumber(whole, 0)} ${whole === 1 ? noun : `${noun}s`}${rest} ${verb}`;
}

/** "All 5 requests were", and for one: "The 1 request was". */
function allOf(whole: number, noun: string, rest = ''): string {
  return whole === 1 ? `The 1 ${noun}${rest} was` : `All ${formatNumber(whole, 0)} ${noun}s${rest} were`;
}

/** True when `value` is within max(1, 10 %) of `target`. */
function near(value: number, target: number): boolean {
  return Math.abs(value - target) <= Math.max(1, 0.1 * target);
}

/** Which advertised figure a burst matches: the 1-s share (RPM/60), the 10-s bucket (RPM/6), or where it falls. */
export type BurstComparison = 'per-second' | 'per-10s' | 'below' | 'between' | 'above';

/** Compares a burst with the advertised 1-s and 10-s figures; null when either is unknown. */
export function compareBurst(burst: number, perSecond: number | null, per10s: number | null): BurstComparison | null {
  if (perSecond === null || per10s === null) return null;
  const nearSecond = near(burst, perSecond);
  const nearTen = near(burst, per10s);
  if (nearSecond && nearTen) return Math.abs(burst - perSecond) < Math.abs(burst - per10s) ? 'per-second' : 'per-10s';
  if (nearSecond) return 'per-second';
  if (nearTen) return 'per-10s';
  if (burst < perSecond) return 'below';
  if (burst < per10s) return 'between';
  return 'above';
}

/** "5 of 20 requests sent at once were admitted; the 6th was refused while the headers still showed 45 requests left." */
export function burstOutcomeSentence(_summary: VerdictSummary, evidence: VerdictEvidence): string | null {
  const burst = evidence.burst;
  if (burst === null || burst.sent < 2) return null;
  if (burst.refused === 0) {
    if (burst.admitted === burst.sent) return `${allOf(burst.sent, 'request', ' sent at once')} admitted.`;
    return `${partOf(burst.admitted, burst.sent, 'request', ' sent at once')} admitted and none was refused.`;
  }
  const head = `${partOf(burst.admitted, burst.sent, 'request', ' sent at once')} admitted`;
  const refusal = burst.refusalsFollowAdmitted
    ? `the ${ordinal(burst.admitted + 1)} was refused`
    : `${plural(burst.refused, 'was', 'were')} refused`;
  const shown = burst.remainingRequestsShown;
  const headers = shown !== null && shown > 0 ? ` while the headers still showed ${plural(shown, 'request', 'requests')} left` : '';
  const idle = burst.fromIdle ? '' : ' (traffic shortly before the burst had already spent part of the budget, so this is a lower bound)';
  return `${head}; ${refusal}${headers}${idle}.`;
}

/** "The enforced cap behaves like 5 requests per second (advertised 300 RPM ÷ 60), not the 50 per 10 s the headers count." */
export function burstComparisonSentence(summary: VerdictSummary, evidence: VerdictEvidence): string | null {
  const { burst, confidence } = summary.effective.requests;
  if (burst === null || evidence.burst === null) return null;
  const { rpm, requestsPer1s: perSecond, requestsPer10s: per10s } = summary.advertised;
  if (rpm === null || perSecond === null || per10s === null || !azureArithmeticApplies(summary)) {
    // A plain HTTP target has no TPM: only the request rate it promises can be compared.
    return summary.target.kind === 'http'
      ? 'No advertised limit is known (give --rpm, the requests per minute the target promises), so the burst cannot be compared with one.'
      : 'No advertised limit is known (give --tpm or --rpm), so the burst cannot be compared with one.';
  }
  const allowed = `advertised ${formatNumber(rpm)} RPM allows ${formatNumber(perSecond)} per second and ${formatNumber(per10s)} per 10 s`;
  if (evidence.burst.refused === 0) {
    return `The burst cap is at least ${formatNumber(burst, 0)} (${allowed}); send a larger burst (--size) to find it.`;
  }
  if (confidence === 'low') {
    return `Other limits stopped the burst first, so the request cap is at least ${formatNumber(burst, 0)} (${allowed}).`;
  }
  const headersCount = summary.headers.requestsWindowSeconds === 10 ? 'the headers count' : 'a 10-second bucket would allow';
  switch (compareBurst(burst, perSecond, per10s)) {
    case 'per-second':
      return (
        `The enforced cap behaves like ${plural(burst, 'request', 'requests')} per second (advertised ${formatNumber(rpm)} RPM ÷ 60)` +
        (near(per10s, perSecond) ? '.' : `, not the ${formatNumber(per10s)} per 10 s ${headersCount}.`)
      );
    case 'per-10s':
      return `The burst cap matches a 10-second bucket of ${formatNumber(per10s)} requests (advertised ${formatNumber(rpm)} RPM ÷ 6); no 1-second cap was seen.`;
    case 'below':
      return (
        `Only ${formatNumber(burst, 0)} were admitted at once, fewer than the ${formatNumber(perSecond)} per second the advertised ${formatNumber(rpm)} RPM allows: ` +
        'the deployment enforces less than advertised (a temporary reduction, or other clients sharing its quota).'
      );
    case 'between':
      return `${plural(burst, 'request was', 'requests were')} admitted at once: more than the ${formatNumber(perSecond)} per second but fewer than the ${formatNumber(per10s)} per 10 s the advertised ${formatNumber(rpm)} RPM allows.`;
    case 'above':
      return `${plural(burst, 'request was', 'requests were')} admitted at once, more than the ${formatNumber(per10s)} per 10 s the advertised ${formatNumber(rpm)} RPM allows (dynamic quota, or the advertised figure is not the one enforced).`;
    default:
      return null;
  }
}

/** "Spread bursts over at least 1 s or pace at ≤ 4.5 requests/s." */
export function burstAdviceSentence(summary: VerdictSummary, evidence: VerdictEvidence): string | null {
  const { burst, confidence } = summary.effective.requests;
  if (burst === null || evidence.burst === null || evidence.burst.refused === 0 || confidence === 'low' || burst < 1) return null;
  const { requestsPer1s: perSecond, requestsPer10s: per10s } = summary.advertised;
  const comparison = azureArithmeticApplies(summary) ? compareBurst(burst, perSecond, per10s) : null;
  if (comparison === 'per-10s' && per10s !== null) {
    return `Keep bursts to ${formatNumber(burst, 0)} requests or fewer, then pace at ≤ ${formatNumber((0.9 * per10s) / 10)} requests/s.`;
  }
  if (comparison === 'per-second' || comparison === null) {
    return `Spread bursts over at least 1 s or pace at ≤ ${formatNumber(0.9 * burst)} requests/s.`;
  }
  return `Keep bursts to ${formatNumber(burst, 0)} requests or fewer.`;
}

/**
 * "Under steady load, 4.8 requests/s got through once refusals began (the advertised 300 RPM
 * is 5 per second)." Not for `probe`: its perSecond is the fitted limit, not what a steady
 * phase let through, and its own sentences say what it is and how sure the fit is.
 */
export function steadySentence(summary: VerdictSummary): string | null {
  const perSecond = summary.effective.requests.perSecond;
  if (perSecond === null || summary.command === 'probe') return null;
  const { rpm, requestsPer1s } = summary.advertised;
  const advertised = rpm !== null && requestsPer1s !== null && azureArithmeticApplies(summary) ? ` (the advertised ${formatNumber(rpm)} RPM is ${formatNumber(requestsPer1s)} per second)` : '';
  return `Under steady load, ${formatNumber(perSecond, 2)} requests/s got through once refusals began${advertised}.`;
}

/** "Refusals began when the offered rate reached about 5.2 requests/s." */
export function kneeSentence(summary: VerdictSummary): string | null {
  const knee = summary.effective.requests.kneePerSecond;
  if (knee === null || knee === undefined) return null;
  return `Refusals began when the offered rate reached about ${formatNumber(knee)} requests/s.`;
}

/** Share of perSecond under which an overdriven limiter is said to admit less: below the probe's ±15 % rate tolerance. */
const COLLAPSE_SHARE = 0.85;

/**
 * "Offered 6.5 requests/s, more than the 5 per second it admits in full, it admitted only
 * 3.1 per second: …" — only when the overdrive admitted clearly less than perSecond
 * (src/analysis/inference/overdrive.ts says why that is its own figure).
 */
export function overdriveSentence(summary: VerdictSummary): string | null {
  const { perSecond, overdriveOfferedPerSecond: offered, overdriveAdmittedPerSecond: admitted } = summary.effective.requests;
  if (perSecond === null || offered === undefined || offered === null || admitted === undefined || admitted === null) return null;
  if (!(admitted < COLLAPSE_SHARE * perSecond)) return null;
  return (
    `Offered ${formatNumber(offered, 2)} requests/s, more than the ${formatNumber(perSecond, 2)} per second it admits in full, it admitted only ${formatNumber(admitted, 2)} per second: ` +
    'pushing past this limit gets fewer requests through, not more, so pace under it rather than sending faster.'
  );
}

/** Refusals while the headers showed capacity, when the burst sentence did not already say so. */
export function headersSentence(summary: VerdictSummary, evidence: VerdictEvidence): string | null {
  const count = summary.throttled.whileHeadersShowedCapacity;
  if (count === 0) return null;
  const burstSaidIt = evidence.burst !== null && evidence.burst.refused > 0 && (evidence.burst.remainingRequestsShown ?? 0) > 0;
  if (burstSaidIt && count <= evidence.burst!.refused) return null;
  const first = evidence.firstRefusal?.remainingRequests ?? null;
  const firstShown = first !== null && first > 0 ? ` (at the first refusal they showed ${plural(first, 'request', 'requests')} left)` : '';
  return (
    `${formatNumber(count, 0)} of ${plural(summary.requests.throttled, 'refusal', 'refusals')} came while the remaining-* headers still showed capacity${firstShown}: ` +
    'the headers do not show the limit that refused them.'
  );
}

/** One sentence per refusal class that needs its own advice. */
export function refusalClassSentences(summary: VerdictSummary): string[] {
  const byClass = summary.throttled.byClass;
  const sentences: string[] = [];
  if (byClass.tokens > 0) {
    const budget = summary.effective.tokens.burst;
    sentences.push(
      `${plural(byClass.tokens, 'refusal was', 'refusals were')} for tokens: the per-minute token budget ran out` +
        (budget !== null ? ` after about ${formatNumber(budget, 0)} estimated tokens` : '') +
        '; lower max_tokens (the limiter charges it in full when a request arrives) or spread requests over the minute.',
    );
  }
  if (byClass.capacity > 0) {
    sentences.push(
      `${plural(byClass.capacity, 'refusal was a capacity refusal', 'refusals were capacity refusals')} ("high demand", 503): ` +
        'the service was busy, not your quota, so more quota will not help; retry later or use provisioned throughput.',
    );
  }
  if (byClass.never > 0) {
    sentences.push(
      `${plural(byClass.never, 'request', 'requests')} can never succeed: each asks for more tokens than the whole per-minute budget ` +
        '(a wait of a day or more); lower max_tokens or the prompt size, and do not retry them.',
    );
  }
  if (byClass.quota > 0) {
    sentences.push(`${plural(byClass.quota, 'refusal says', 'refusals say')} the account's quota or spend limit is used up: add credit or raise the limit; retrying will not help.`);
  }
  if (byClass.gateway > 0) {
    sentences.push(
      `${plural(byClass.gateway, 'refusal', 'refusals')} came from something in front of the API (an HTML page, no error body, or a gateway's own {statusCode, message} 503): check the gateway's own limits.`,
    );
  }
  if (byClass.unknown > 0 && byClass.unknown === summary.requests.throttled && summary.effective.requests.burst === null) {
    sentences.push(`${plural(byClass.unknown, 'refusal', 'refusals')} did not say which limit refused them.`);
  }
  return sentences;
}

/** "All 100 requests were admitted; no limit was reached." */
export function noRefusalSentence(summary: VerdictSummary, evidence: VerdictEvidence): string | null {
  const { sent, ok, throttled, failed } = summary.requests;
  if (sent === 0) return 'No request was sent, so there is nothing to measure.';
  // Nothing admitted and nothing refused: no limit was seen because none could be (the failure sentence says why).
  if (ok === 0 && throttled === 0 && failed === sent) {
    return `${sent === 1 ? 'The only request' : `Every one of the ${formatNumber(sent, 0)} requests`} failed without a usable answer, so nothing was measured.`;
  }
  if (throttled > 0 || (evidence.burst !== null && evidence.burst.sent >= 2)) return null;
  if (ok === sent) return `${allOf(sent, 'request')} admitted; no limit was reached.`;
  return `${partOf(ok, sent, 'request')} admitted and none was refused.`;
}

/**
 * "11 requests failed without a usable answer: 11 × HTTP 401 (the key or token was
 * refused: check --api-key …)." Each kind of failure with its likely cause; the
 * generic wording only for a summary without the breakdown (made by an older build).
 */
export function failureSentence(summary: VerdictSummary, evidence: VerdictEvidence): string | null {
  const { failed, failedBy } = summary.requests;
  if (failed === 0) return null;
  const entries = failureEntries(failedBy ?? {});
  if (entries.length === 0) return `${plural(failed, 'request', 'requests')} failed without a usable answer (timeouts, resets or other errors).`;
  const parts = entries.map(({ key, count }) => {
    const cause = failureCause(key, evidence.redirect ?? null);
    return `${formatNumber(count, 0)} × ${failureLabel(key)}${cause === null ? '' : ` (${cause})`}`;
  });
  return `${plural(failed, 'request', 'requests')} failed without a usable answer: ${parts.join('; ')}.`;
}

/** Failures and drops, which make every other figure less certain. */
export function failureSentences(summary: VerdictSummary, evidence: VerdictEvidence = { burst: null, firstRefusal: null, advertisedNote: null, inferenceNotes: [] }): string[] {
  const sentences: string[] = [];
  const failure = failureSentence(summary, evidence);
  if (failure !== null) sentences.push(failure);
  if (summary.requests.dropped > 0) {
    sentences.push(
      `${plural(summary.requests.dropped, 'planned request was', 'planned requests were')} not sent because too many were already in flight, so less load was offered than planned.`,
    );
  }
  return sentences;
}

/** A run cut short. */
export function truncatedSentence(summary: VerdictSummary): string | null {
  if (summary.requests.sent === 0) return null;
  if (summary.ended === 'truncated') return 'The recording has no end line (the run was cut short); the figures cover what was recorded.';
  if (summary.ended === 'interrupted') return 'The run was interrupted; the figures cover what was sent before it stopped.';
  return null;
}

/** Joins every sentence that has something to say. */
export function buildVerdict(summary: VerdictSummary, evidence: VerdictEvidence): string {
  const sentences = [
    noRefusalSentence(summary, evidence),
    burstOutcomeSentence(summary, evidence),
    burstComparisonSentence(summary, evidence),
    burstAdviceSentence(summary, evidence),
    steadySentence(summary),
    kneeSentence(summary),
    headersSentence(summary, evidence),
    ...refusalClassSentences(summary),
    ...evidence.inferenceNotes,
    overdriveSentence(summary),
    ...failureSentences(summary, evidence),
    evidence.advertisedNote,
    truncatedSentence(summary),
  ];
  return sentences.filter((sentence): sentence is string => sentence !== null && sentence !== '').join(' ');
}
