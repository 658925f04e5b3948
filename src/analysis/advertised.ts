/**
 * The advertised limits a measurement is compared with (`summary.advertised`), and
 * the window the remaining-requests header appears to count
 * (`summary.headers.requestsWindowSeconds`).
 */
import type { RunLine } from '../record/types.js';
import type { RequestsTokensDialect } from './headers.js';
import type { Summary } from './summary-types.js';

/** Azure's ratio for gpt-4o-era models: 6 RPM per 1,000 TPM. */
export const DEFAULT_RPM_PER_1K_TPM = 6;

/** What the headers said about limits, for when the run line says nothing. */
export interface HeaderLimits {
  limitRequests: number | null;
  limitTokens: number | null;
  /** The window an IETF `RateLimit-Policy` named, seconds. */
  policyWindowSeconds: number | null;
  dialect: RequestsTokensDialect | null;
  /** The target is Azure-shaped (azureShaped): only then is limit-requests Azure's 10-s bucket. Default true. */
  azureTarget?: boolean;
}

/** The advertised figures and, when they come from headers, the sentence saying how. */
export interface AdvertisedReading {
  advertised: Summary['advertised'];
  /** A plain sentence for the verdict when the figures were derived from headers; else null. */
  note: string | null;
}

function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** The RPM-per-1k-TPM ratio a run line carries (in `advertised`, `scenario` or `payload`), else Azure's 6. */
export function rpmRatioOf(run: RunLine | null): number {
  if (run === null) return DEFAULT_RPM_PER_1K_TPM;
  const places: unknown[] = [run.advertised, run.scenario, run.payload];
  for (const place of places) {
    if (place !== null && typeof place === 'object') {
      const ratio = positive((place as Record<string, unknown>)['rpmPer1kTpm']);
      if (ratio !== null) return ratio;
    }
  }
  return DEFAULT_RPM_PER_1K_TPM;
}

function figures(tpm: number | null, rpm: number | null, source: string): Summary['advertised'] {
  return {
    tpm,
    rpm: rpm === null ? null : round(rpm),
    requestsPer10s: rpm === null ? null : round(rpm / 6),
    requestsPer1s: rpm === null ? null : round(rpm / 60),
    source,
  };
}

/**
 * Advertised limits: the run line's (flags, scenario, simulator profile), RPM
 * derived from TPM when only TPM is known; else the `x-ratelimit-limit-*` headers;
 * else nulls with source "unknown".
 *
 * Why the header arithmetic differs by dialect: on Azure, `x-ratelimit-limit-requests`
 * counts the 10-second bucket (RPM/6: a 300-RPM deployment says 50), so RPM is 6 × it;
 * OpenAI's counts per minute. `x-ratelimit-limit-tokens` is the per-minute token limit
 * on both. An IETF policy `q` per `w` seconds is `q × 60 / w` per minute.
 */
export function readAdvertised(run: RunLine | null, headers: HeaderLimits): AdvertisedReading {
  const ratio = rpmRatioOf(run);
  const tpm = positive(run?.advertised?.tpm);
  const rpm = positive(run?.advertised?.rpm);
  if (tpm !== null || rpm !== null) {
    const source = run?.advertised?.source && run.advertised.source !== 'none' ? run.advertised.source : 'flags';
    return { advertised: figures(tpm, rpm ?? (tpm !== null ? (ratio * tpm) / 1000 : null), source), note: null };
  }

  const limitTokens = positive(headers.limitTokens);
  const limitRequests = positive(headers.limitRequests);
  if (limitRequests !== null && headers.policyWindowSeconds !== null && headers.policyWindowSeconds > 0 && headers.dialect === null) {
    const perMinute = (limitRequests * 60) / headers.policyWindowSeconds;
    return {
      advertised: figures(limitTokens, perMinute, 'headers'),
      note: `No limit was given, so the figures come from the RateLimit-Policy header: ${limitRequests} requests per ${headers.policyWindowSeconds} s.`,
    };
  }
  if (limitRequests !== null && headers.dialect === 'openai') {
    return {
      advertised: figures(limitTokens, limitRequests, 'headers'),
      note: `No limit was given, so the figures come from the x-ratelimit-limit-* headers (OpenAI counts ${limitRequests} requests per minute).`,
    };
  }
  if (limitRequests !== null && (headers.dialect !== 'azure' || headers.azureTarget === false)) {
    // A bare limit (x-ratelimit-limit, an IETF limit without a window) says how many,
    // not per how long: reading it as Azure's 10-second bucket would invent an RPM.
    return {
      advertised: figures(limitTokens, null, limitTokens === null ? 'unknown' : 'headers'),
      note: `No limit was given, and the headers name a limit of ${limitRequests} requests without saying per how long, so no advertised rate is derived from them (give --rpm to compare).`,
    };
  }
  if (limitRequests !== null) {
    return {
      advertised: figures(limitTokens, 6 * limitRequests, 'headers'),
      note:
        `No limit was given, so the figures come from the x-ratelimit-limit-* headers: Azure's limit-requests (${limitRequests}) ` +
        `counts a 10-second bucket, so the RPM is 6 × ${limitRequests} = ${6 * limitRequests}.`,
    };
  }
  if (limitTokens !== null) {
    const derived = headers.dialect === 'openai' ? null : (ratio * limitTokens) / 1000;
    return {
      advertised: figures(limitTokens, derived, 'headers'),
      note:
        derived === null
          ? `No limit was given, so the token limit comes from the x-ratelimit-limit-tokens header (${limitTokens} per minute).`
          : `No limit was given, so the figures come from the x-ratelimit-limit-tokens header (${limitTokens} TPM, RPM = ${ratio} per 1,000 TPM).`,
    };
  }
  return { advertised: figures(null, null, 'unknown'), note: null };
}

/**
 * True for a target whose limits follow Azure's rules (named Azure, or the simulator):
 * only then are RPM/60 per second and RPM/6 per 10 s
 * worth comparing with, unless the user gave --tpm/--rpm.
 */
export function azureShaped(kind: string): boolean {
  // Not the header family: OpenAI and many gateways send x-ratelimit-*-requests too.
  return kind === 'azure' || kind === 'simulator';
}

/** Whether a summary's advertised figures may be split Azure's way (RPM/60, RPM/6). */
export function azureArithmeticApplies(summary: Pick<Summary, 'advertised' | 'target'>): boolean {
  return summary.advertised.source !== 'headers' || azureShaped(summary.target.kind);
}

/** Evidence about the size of the request budget the headers count. */
export interface RequestsWindowEvidence {
  limitRequests: number | null;
  /** remaining-requests on the answer with the lowest seq. */
  firstRemainingRequests: number | null;
  /** The highest remaining-requests seen on any answer. */
  maxRemainingRequests: number | null;
}

/** True when `value` is within max(1, 10 %) of `target`. */
function near(value: number, target: number): boolean {
  return Math.abs(value - target) <= Math.max(1, 0.1 * target);
}

/**
 * The window the remaining-requests header appears to count, seconds: 10 when its
 * budget is about RPM/6, 1 when about RPM/60, 60 when about RPM; null when it fits
 * none, or when the RPM itself was read from the same header (the answer would only
 * repeat the assumption).
 *
 * Evidence, best first: `x-ratelimit-limit-requests`; the first remaining-requests
 * seen plus one (the answer already counts its own request); the highest remaining
 * seen plus one. Of the windows that fit, the closest wins.
 */
export function inferRequestsWindowSeconds(evidence: RequestsWindowEvidence, advertised: Summary['advertised']): number | null {
  const rpm = advertised.rpm;
  if (rpm === null || rpm <= 0 || advertised.source === 'headers') return null;
  const candidates = [
    { seconds: 10, budget: rpm / 6 },
    { seconds: 1, budget: rpm / 60 },
    { seconds: 60, budget: rpm },
  ];
  const budgets = [
    evidence.limitRequests,
    evidence.firstRemainingRequests === null ? null : evidence.firstRemainingRequests + 1,
    evidence.maxRemainingRequests === null ? null : evidence.maxRemainingRequests + 1,
  ];
  for (const budget of budgets) {
    if (budget === null) continue;
    let best: { seconds: number; distance: number } | null = null;
    for (const candidate of candidates) {
      if (!near(budget, candidate.budget)) continue;
      const distance = Math.abs(budget - candidate.budget) / candidate.budget;
      if (best === null || distance < best.distance) best = { seconds: candidate.seconds, distance };
    }
    if (best !== null) return best.seconds;
  }
  return null;
}
