/**
 * Which kind of refusal an answer is (docs/summary.md): a call-rate or token-rate limit,
 * a capacity shortage, a request that can never fit, an exhausted quota or spend
 * limit, a gateway page, or unknown. The class decides what a person should do,
 * so it is the heart of the verdict.
 *
 * Order of evidence, and why:
 *  1. Classes the headers cannot express come from the body and the retry hint
 *     first: `never` (a wait of a day or more, "Request too large"), `quota`
 *     (billing codes), `capacity` ("high demand", "temporarily unable", overload).
 *  2. The limited dimension (requests vs tokens) from the headers (`policy-id`; only
 *     one of `x-ratelimit-reset-requests|tokens` present; one remaining-* at 0 while
 *     the other is not), then from the body (`error.type`, "call rate limit" /
 *     "token rate limit", "on requests per min" / "on tokens per min").
 *  3. Whatever is left: an answer without a JSON error (no body, an HTML page or
 *     plain text, the text of a proxy's status page) is a gateway's, a 503 is
 *     capacity, anything else is unknown.
 * Message texts are the ones Azure and OpenAI send.
 */
import type { RequestLine } from '../record/types.js';
import type { RefusalClass } from './summary-types.js';
import { parseGoDuration } from './go-duration.js';
import { capRetryAfterMs, parseRateLimitHeaders, type RateLimitView } from './headers.js';

/** Statuses that count as refusals: 429 (rate or capacity) and 503 (capacity, or a gateway's page). */
export function isRefusalStatus(status: number | null | undefined): boolean {
  return status === 429 || status === 503;
}

/** Waits of a day or more mean "this request can never fit" (Azure's `retry after 86400 seconds`). */
export const NEVER_WAIT_MS = 86_400_000;

/** OpenAI billing and spend-limit codes, plus Anthropic's spend limit. */
const QUOTA_CODES = new Set([
  'insufficient_quota',
  'credit_balance_exhausted',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'organization_usage_limit_exceeded',
  'enforced_spend_limit_reached',
]);

/** Codes and types that mean "the service is busy", not "you sent too much". */
const CAPACITY_CODES = new Set(['server_is_overloaded', 'overloaded_error', 'overloaded', 'serviceunavailable', 'service_unavailable']);

const UNIT_MS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

/**
 * The wait a refusal message asks for, ms: "Please retry after 86400 seconds",
 * "Try again in 50 seconds", "Please try again in 6.596s", "try again in 20s",
 * "try again in 114h18m0s". Null when the message names no wait. Never throws.
 */
export function parseWaitFromMessage(message: string | null | undefined): number | null {
  if (typeof message !== 'string' || message === '') return null;
  // Only the start of long messages matters; a bound keeps regexes cheap on garbage.
  const text = message.length > 2000 ? message.slice(0, 2000) : message;
  const worded = /(?:retry|try again)\s+(?:after|in)\s+(\d+(?:\.\d+)?)\s*(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|hours?|h)\b/i.exec(text);
  if (worded !== null) {
    const unit = UNIT_MS[worded[2]!.toLowerCase()];
    if (unit !== undefined) return Number(worded[1]) * unit;
  }
  const duration = /(?:retry|try again)\s+(?:after|in)\s+((?:\d+(?:\.\d+)?(?:ms|us|µs|ns|h|m|s))+)/i.exec(text);
  if (duration !== null) return parseGoDuration(duration[1]!);
  return null;
}

/** What the classifier found, with the wait it would use. */
export interface RefusalReading {
  refusalClass: RefusalClass;
  /** Retry hint: `retry-after-ms`, else `x-ms-retry-after-ms`, else `retry-after`, else the message text. */
  retryAfterMs: number | null;
}

/**
 * A page's title as the tag-stripped text starts: "503 Service Temporarily Unavailable",
 * "429 Too Many Requests" (nginx, HAProxy, most proxies). Why: recordings made before
 * bodies were marked `shape: "text"` keep only that text, and an API never starts its
 * JSON error message with its own status line.
 */
const STATUS_LINE_TITLE = /^(429|503) [A-Z][A-Za-z]+( [A-Z][A-Za-z]+)*\b/;

/**
 * True when no API answered: no body at all, a body that was not JSON (an HTML page
 * or plain text from a proxy), or an HTML page's text; a gateway or proxy refused.
 */
function looksLikeGatewayPage(error: RequestLine['error']): boolean {
  if (error === null || error === undefined) return true;
  if (error.shape === 'text') return true;
  if (error.code !== null && error.code !== undefined && error.code !== '') return false;
  if (error.type !== null && error.type !== undefined && error.type !== '') return false;
  const message = typeof error.message === 'string' ? error.message.trim() : '';
  if (message === '') return true;
  return /^<|<html|<!doctype|<body|<\/[a-z]+>/i.test(message) || STATUS_LINE_TITLE.test(message);
}

/** The limited dimension according to the headers alone; null when they do not tell. */
function dimensionFromHeaders(view: RateLimitView, headers: Record<string, string>): 'requests' | 'tokens' | null {
  const policy = view.policyId?.toLowerCase() ?? '';
  if (policy.includes('ratelimit-call')) return 'requests';
  if (policy.includes('ratelimit-token')) return 'tokens';
  const hasResetRequests = 'x-ratelimit-reset-requests' in headers;
  const hasResetTokens = 'x-ratelimit-reset-tokens' in headers || 'x-rate-limit-reset-tokens' in headers;
  if (hasResetRequests && !hasResetTokens) return 'requests';
  if (hasResetTokens && !hasResetRequests) return 'tokens';
  const tokensEmpty = view.remainingTokens === 0 || view.remainingInputTokens === 0 || view.remainingOutputTokens === 0;
  const requestsEmpty = view.remainingRequests === 0;
  if (tokensEmpty && !requestsEmpty) return 'tokens';
  if (requestsEmpty && !tokensEmpty) return 'requests';
  return null;
}

/** The limited dimension according to the error body; null when it does not tell. */
function dimensionFromBody(error: RequestLine['error']): 'requests' | 'tokens' | null {
  if (error === null || error === undefined) return null;
  const type = (error.type ?? '').toLowerCase();
  if (type === 'requests') return 'requests';
  if (type === 'tokens' || type === 'input_tokens' || type === 'output_tokens') return 'tokens';
  const code = (error.code ?? '').toLowerCase();
  // OpenAI's "slow_down" 429: the ramp was too steep, i.e. requests arrived too fast.
  if (code === 'slow_down') return 'requests';
  const message = (error.message ?? '').toLowerCase();
  if (/call rate limit|on requests per (min|day)|\((rpm|rpd)\)/.test(message)) return 'requests';
  if (/token rate limit|on tokens per (min|day)|\((tpm|tpd)\)|input tokens per|output tokens per/.test(message)) return 'tokens';
  return null;
}

/** What the error body alone says; the same for every refusal that carries the same body. */
interface BodyReading {
  requestTooLarge: boolean;
  dailyLimit: boolean;
  quota: boolean;
  capacity: boolean;
  dimension: 'requests' | 'tokens' | null;
  messageWait: number | null;
  gatewayPage: boolean;
}

function readBody(error: RequestLine['error']): BodyReading {
  const message = typeof error?.message === 'string' ? error.message : '';
  const lowered = message.toLowerCase();
  const code = (error?.code ?? '').toLowerCase();
  const type = (error?.type ?? '').toLowerCase();
  return {
    requestTooLarge: /request too large/.test(lowered),
    dailyLimit: /per day|\(rpd\)|\(tpd\)/.test(lowered),
    quota: QUOTA_CODES.has(code) || QUOTA_CODES.has(type) || /exceeded your current quota|spend limit/.test(lowered),
    capacity: CAPACITY_CODES.has(code) || CAPACITY_CODES.has(type) || /high demand|temporarily unable|overloaded|over capacity|no capacity/.test(lowered),
    dimension: dimensionFromBody(error),
    messageWait: parseWaitFromMessage(message),
    gatewayPage: looksLikeGatewayPage(error),
  };
}

/**
 * Body readings by body text. Why a cache: a throttled run repeats the same few
 * bodies thousands of times, and each reading runs a dozen regular expressions.
 * Bounded: cleared when it holds too many distinct bodies.
 */
const bodyCache = new Map<string, { code: string | null; type: string | null; reading: BodyReading }>();
const BODY_CACHE_LIMIT = 512;

function readBodyCached(error: RequestLine['error']): BodyReading {
  if (error === null || error === undefined || typeof error.message !== 'string') return readBody(error);
  const cached = bodyCache.get(error.message);
  if (cached !== undefined && cached.code === error.code && cached.type === error.type) return cached.reading;
  if (bodyCache.size >= BODY_CACHE_LIMIT) bodyCache.clear();
  const reading = readBody(error);
  bodyCache.set(error.message, { code: error.code, type: error.type, reading });
  return reading;
}

/**
 * Classifies a refusal (a 429 or 503). Returns null for anything that is not a
 * refusal. `answeredAtEpochMs` lets a `Retry-After` HTTP date become a wait; `view`
 * saves parsing the headers again when the caller already did.
 */
export function readRefusal(request: RequestLine, answeredAtEpochMs: number | null = null, view?: RateLimitView): RefusalReading | null {
  if (!isRefusalStatus(request.status)) return null;
  const headers = request.headers !== null && typeof request.headers === 'object' ? request.headers : {};
  const parsed = view ?? parseRateLimitHeaders(headers, answeredAtEpochMs);
  const body = readBodyCached(request.error ?? null);
  const retryAfterMs = parsed.retryAfterMs ?? (body.messageWait === null ? null : capRetryAfterMs(body.messageWait));
  const reading = (refusalClass: RefusalClass): RefusalReading => ({ refusalClass, retryAfterMs });

  // 1. Classes only the body and the wait can tell. A proxy's page ("503 Service
  // Temporarily Unavailable") is not the API's capacity wording: its words do not count here.
  if (body.requestTooLarge) return reading('never');
  if (!body.dailyLimit && retryAfterMs !== null && retryAfterMs >= NEVER_WAIT_MS) return reading('never');
  if (body.quota) return reading('quota');
  if (body.capacity && !(body.gatewayPage && request.error?.shape === 'text')) return reading('capacity');

  // 2. The limited dimension: headers first, then the body.
  const dimension = dimensionFromHeaders(parsed, headers) ?? body.dimension;
  if (dimension !== null) return reading(dimension);

  // 3. What is left.
  if (body.gatewayPage) return reading('gateway');
  // A 503 in a gateway's own flat {statusCode, message} shape: the gateway had no backend left
  // (every circuit breaker open), not the service's capacity.
  if (request.status === 503 && request.error?.shape === 'flat') return reading('gateway');
  if (request.status === 503) return reading('capacity');
  return reading('unknown');
}

/** The refusal class of an answer, or null when it is not a refusal. */
export function classifyRefusal(request: RequestLine, answeredAtEpochMs: number | null = null): RefusalClass | null {
  return readRefusal(request, answeredAtEpochMs)?.refusalClass ?? null;
}
