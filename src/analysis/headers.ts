/**
 * Reads the rate-limit header families (docs/recording.md lists the headers kept) from one recorded answer's
 * header map into one normalized view: what remains, what the limits are, when
 * they reset, how long to wait, where the answer came from.
 *
 * Every value here comes from a server we do not control, so nothing throws: a
 * value that does not parse is null, and `-1` (Azure's "unknown", seen on the
 * Responses API in Nov 2025) is null too.
 */
import { parseGoDuration } from './go-duration.js';
import { parseFieldList, type FieldMember } from './structured-field.js';

/** Header families that can appear in `Summary.headers.families`. */
export type HeaderFamily = 'azure' | 'openai' | 'anthropic' | 'ietf' | 'x-ratelimit' | 'retry-after';

/** The two dialects of `x-ratelimit-{remaining,limit,reset}-{requests,tokens}`. */
export type RequestsTokensDialect = 'azure' | 'openai';

/** Everything the analysis reads from one answer's headers; null wherever the headers did not say. */
export interface RateLimitView {
  remainingRequests: number | null;
  remainingTokens: number | null;
  limitRequests: number | null;
  limitTokens: number | null;
  /** Anthropic's separate input/output token budgets (remaining). */
  remainingInputTokens: number | null;
  remainingOutputTokens: number | null;
  /** Time until the request / token budget is back, ms after this answer. */
  resetRequestsMs: number | null;
  resetTokensMs: number | null;
  /** Absolute reset times when the header gave one (Anthropic RFC 3339, epoch `X-RateLimit-Reset`), epoch ms. */
  resetRequestsAtEpochMs: number | null;
  resetTokensAtEpochMs: number | null;
  /** How long the server asked us to wait, ms: `retry-after-ms`, else `x-ms-retry-after-ms`, else `retry-after`. */
  retryAfterMs: number | null;
  retryAfterSource: 'retry-after-ms' | 'x-ms-retry-after-ms' | 'retry-after' | null;
  /** `azure-openai-deployment-utilization` as a percentage (89.3 for "89.3%"). */
  utilizationPercent: number | null;
  /** `x-ms-region` as sent ("East US"). */
  region: string | null;
  /** `x-ms-deployment-name`: the deployment that served the answer (differs after spillover). */
  deployment: string | null;
  /** `policy-id`: `DeploymentRatelimit-Call` or `DeploymentRatelimit-Token` on Azure 429s (2023). */
  policyId: string | null;
  requestIds: { clientRequestId: string | null; apimRequestId: string | null; requestId: string | null };
  /** The window an IETF `RateLimit-Policy` names (`w=`), seconds. */
  policyWindowSeconds: number | null;
  /** Families recognised in this answer, in a fixed order. */
  families: HeaderFamily[];
  /**
   * Which dialect the `x-ratelimit-*-requests|tokens` headers speak, when the answer
   * tells (Azure markers or integer-second resets → azure; Go-duration resets or
   * `req_` request ids → openai). Null when they are absent or ambiguous.
   */
  dialect: RequestsTokensDialect | null;
  /** True when any `x-ratelimit-*-requests|tokens` header was present. */
  hasRequestsTokensHeaders: boolean;
}

/**
 * A count such as a remaining or limit value: a finite number ≥ 0, else null.
 * `-1` and other negatives mean "unknown".
 */
export function parseCountValue(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  if (isDigits(text)) return Number(text);
  const value = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) return null;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : null;
}

/** True for a non-empty run of ASCII digits: the common case, checked without a regex. */
function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/**
 * The longest wait a retry hint is read as: 365 days, in ms.
 *
 * Why a ceiling: a hint such as `retry-after: 99999999999999` (seconds) is, in ms,
 * above the largest integer a JSON number carries exactly, so the summary would hold
 * float noise. Any wait of a day or more already means "never" to the refusal
 * classes; a year says the same and stays an exact, readable figure. The recording
 * keeps the header as it came.
 */
export const RETRY_AFTER_CEILING_MS = 365 * 86_400_000;

/** A retry hint in ms, at most {@link RETRY_AFTER_CEILING_MS}. */
export function capRetryAfterMs(ms: number): number {
  return Math.min(ms, RETRY_AFTER_CEILING_MS);
}

/** A reset value: integer or decimal seconds (Azure) or a Go duration (OpenAI), in ms. */
export function parseResetValue(text: string | null | undefined): { ms: number; style: 'seconds' | 'duration' } | null {
  const seconds = parseCountValue(text);
  if (seconds !== null) return { ms: seconds * 1000, style: 'seconds' };
  const duration = parseGoDuration(text);
  return duration === null ? null : { ms: duration, style: 'duration' };
}

/** An RFC 3339 timestamp (`2025-02-24T22:25:32Z`) as epoch ms; null otherwise. */
export function parseRfc3339(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  const value = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const epoch = Date.parse(value.replace(' ', 'T'));
  return Number.isFinite(epoch) ? epoch : null;
}

/** An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110 §5.6.7 and its obsolete forms) as epoch ms. */
export function parseHttpDate(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  const value = text.trim();
  // IMF-fixdate, RFC 850 and asctime all name a month and a clock time; nothing else is a date here.
  if (!/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/.test(value) || !/\d{1,2}:\d{2}:\d{2}/.test(value)) return null;
  const epoch = Date.parse(/GMT|UTC|[+-]\d{4}$/.test(value) ? value : `${value} GMT`);
  return Number.isFinite(epoch) ? epoch : null;
}

/**
 * `Retry-After`: delay-seconds or an HTTP date, as ms to wait. A date needs the
 * wall-clock time the answer arrived (`answeredAtEpochMs`); without it, null.
 */
export function parseRetryAfter(text: string | null | undefined, answeredAtEpochMs: number | null = null): number | null {
  const seconds = parseCountValue(text);
  if (seconds !== null) return seconds * 1000;
  const date = parseHttpDate(text);
  if (date === null || answeredAtEpochMs === null || !Number.isFinite(answeredAtEpochMs)) return null;
  return Math.max(0, date - answeredAtEpochMs);
}

/** `89.3%` (or `89.3`) as 89.3; null otherwise. */
export function parsePercent(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  return parseCountValue(text.trim().replace(/%$/, ''));
}

/** Absolute epoch ms → ms after the answer; null when either is unknown. Never negative. */
function untilEpoch(atEpochMs: number | null, answeredAtEpochMs: number | null): number | null {
  if (atEpochMs === null || answeredAtEpochMs === null || !Number.isFinite(answeredAtEpochMs)) return null;
  return Math.max(0, atEpochMs - answeredAtEpochMs);
}

/** A non-empty trimmed string, else null. */
function text(value: string | undefined): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The IETF fields in any of their drafts, reduced to one request budget. */
interface IetfBudget {
  remaining: number | null;
  limit: number | null;
  resetMs: number | null;
  windowSeconds: number | null;
}

/**
 * Reads the IETF headers. Why the variants: express-rate-limit alone sends three
 * (draft-6 `RateLimit-Limit/Remaining/Reset`; draft-7 `RateLimit: limit=…, remaining=…,
 * reset=…`; draft-8 `RateLimit: "name"; r=…; t=…` with `RateLimit-Policy: "name"; q=…; w=…`).
 * When several policies are listed, the one with the least remaining is the one that binds.
 */
function readIetf(headers: Record<string, string>): IetfBudget | null {
  const combined = headers['ratelimit'];
  const policyText = headers['ratelimit-policy'];
  const budget: IetfBudget = { remaining: null, limit: null, resetMs: null, windowSeconds: null };
  let seen = false;

  const policies: FieldMember[] = typeof policyText === 'string' ? parseFieldList(policyText) : [];
  const requestPolicies = policies.filter((policy) => policy.params['qu'] === undefined || policy.params['qu'] === 'requests');

  if (typeof combined === 'string') {
    seen = true;
    const members = parseFieldList(combined);
    const dictionary = members.filter((member) => member.key !== null);
    if (dictionary.length > 0) {
      for (const member of dictionary) {
        if (member.key === 'limit') budget.limit = parseCountValue(member.item);
        if (member.key === 'remaining') budget.remaining = parseCountValue(member.item);
        if (member.key === 'reset') budget.resetMs = secondsToMs(parseCountValue(member.item));
      }
    } else {
      let binding: FieldMember | null = null;
      let bindingRemaining = Number.POSITIVE_INFINITY;
      for (const member of members) {
        const remaining = parseCountValue(member.params['r']);
        if (remaining === null) continue;
        const policy = policies.find((candidate) => candidate.item === member.item);
        if (policy?.params['qu'] !== undefined && policy.params['qu'] !== 'requests') continue;
        if (remaining < bindingRemaining) {
          binding = member;
          bindingRemaining = remaining;
        }
      }
      if (binding !== null) {
        budget.remaining = bindingRemaining;
        budget.resetMs = secondsToMs(parseCountValue(binding.params['t']));
        const policy = policies.find((candidate) => candidate.item === binding!.item);
        if (policy !== undefined) {
          budget.limit = parseCountValue(policy.params['q']);
          budget.windowSeconds = parseCountValue(policy.params['w']);
        }
      }
    }
  }

  const limitHeader = parseCountValue(headers['ratelimit-limit']);
  const remainingHeader = parseCountValue(headers['ratelimit-remaining']);
  const resetHeader = parseCountValue(headers['ratelimit-reset']);
  if ('ratelimit-limit' in headers || 'ratelimit-remaining' in headers || 'ratelimit-reset' in headers) seen = true;
  budget.limit ??= limitHeader;
  budget.remaining ??= remainingHeader;
  budget.resetMs ??= secondsToMs(resetHeader);

  if (policies.length > 0) {
    seen = true;
    // Old drafts: `RateLimit-Policy: 100;w=60` (the item is the quota itself).
    const first = requestPolicies[0];
    if (first !== undefined) {
      budget.limit ??= parseCountValue(first.params['q']) ?? parseCountValue(first.item);
      budget.windowSeconds ??= parseCountValue(first.params['w']);
    }
  }
  return seen ? budget : null;
}

function secondsToMs(seconds: number | null): number | null {
  return seconds === null ? null : seconds * 1000;
}

/** Headers whose presence says the answer came from Azure. */
const AZURE_MARKERS = new Set([
  'x-ms-region',
  'x-ms-deployment-name',
  'apim-request-id',
  'policy-id',
  'azure-openai-deployment-utilization',
  'x-ms-retry-after-ms',
  'x-rate-limit-reset-tokens',
  'azureml-model-session',
  'x-ms-spillover-error',
  'x-ms-spillover-from-deployment',
]);

const ANTHROPIC_NAMES = ['requests', 'tokens', 'input-tokens', 'output-tokens'].flatMap((budget) =>
  ['limit', 'remaining', 'reset'].map((part) => `anthropic-ratelimit-${budget}-${part}`),
);

const REQUESTS_TOKENS_NAMES = new Set([
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
]);
const IETF_NAMES = new Set(['ratelimit', 'ratelimit-policy', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']);
const X_RATELIMIT_NAMES = new Set(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']);
const RETRY_NAMES = new Set(['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms']);

/** Every header name this module reads. */
const KNOWN_NAMES = new Set([
  ...AZURE_MARKERS,
  ...ANTHROPIC_NAMES,
  ...REQUESTS_TOKENS_NAMES,
  ...IETF_NAMES,
  ...X_RATELIMIT_NAMES,
  ...RETRY_NAMES,
  'x-request-id',
  'request-id',
  'x-ms-client-request-id',
  // The server's clock, recorded next to a retry-after (src/record/header-names.ts).
  'date',
]);

/** What one pass over an answer's header names found. */
interface HeaderScan {
  /** The headers this module reads, under lower-case names. */
  known: Record<string, string>;
  azureMarked: boolean;
  openAiHeaderSeen: boolean;
  anthropic: boolean;
  ietf: boolean;
  xRateLimit: boolean;
  retry: boolean;
  requestsTokens: boolean;
}

/**
 * One pass over the names: keeps the headers we read (lower-cased; the recording
 * promises lower case, this is cheap insurance) and notes which families appear.
 * Why one pass: this runs for every answer of a million-line recording.
 */
function scanHeaders(headers: Record<string, string>): HeaderScan {
  const scan: HeaderScan = {
    known: {},
    azureMarked: false,
    openAiHeaderSeen: false,
    anthropic: false,
    ietf: false,
    xRateLimit: false,
    retry: false,
    requestsTokens: false,
  };
  for (const name in headers) {
    let key = name;
    if (!KNOWN_NAMES.has(key)) {
      key = name.toLowerCase();
      if (!KNOWN_NAMES.has(key)) {
        if (key.startsWith('openai-')) scan.openAiHeaderSeen = true;
        else if (key.startsWith('anthropic-ratelimit-')) scan.anthropic = true;
        continue;
      }
    }
    const value = headers[name];
    if (typeof value !== 'string') continue;
    scan.known[key] = value;
    if (AZURE_MARKERS.has(key)) scan.azureMarked = true;
    else if (REQUESTS_TOKENS_NAMES.has(key)) scan.requestsTokens = true;
    else if (IETF_NAMES.has(key)) scan.ietf = true;
    else if (X_RATELIMIT_NAMES.has(key)) scan.xRateLimit = true;
    else if (key.startsWith('anthropic-ratelimit-')) scan.anthropic = true;
    if (RETRY_NAMES.has(key)) scan.retry = true;
  }
  return scan;
}

/**
 * Reads one answer's headers. `answeredAtEpochMs` (the run's wall-clock start plus
 * the answer's `doneMs`) turns absolute resets and HTTP dates into waits; without
 * it those stay null (and the absolute epoch is still returned).
 */
export function parseRateLimitHeaders(input: Record<string, string> | null | undefined, answeredAtEpochMs: number | null = null): RateLimitView {
  const scan = scanHeaders(input !== null && typeof input === 'object' ? input : {});
  const headers = scan.known;
  const families = new Set<HeaderFamily>();

  // Azure / OpenAI `x-ratelimit-*-requests|tokens`.
  const resetRequests = parseResetValue(headers['x-ratelimit-reset-requests']);
  const resetTokens = parseResetValue(headers['x-ratelimit-reset-tokens']);
  const oldResetTokens = parseResetValue(headers['x-rate-limit-reset-tokens']);
  const hasRequestsTokensHeaders = scan.requestsTokens;
  const azureMarked = scan.azureMarked;
  const openAiMarked =
    resetRequests?.style === 'duration' ||
    resetTokens?.style === 'duration' ||
    scan.openAiHeaderSeen ||
    (typeof headers['x-request-id'] === 'string' && headers['x-request-id'].startsWith('req_'));
  let dialect: RequestsTokensDialect | null = null;
  if (openAiMarked && !azureMarked) dialect = 'openai';
  else if (azureMarked) dialect = 'azure';
  else if (resetRequests?.style === 'seconds' || resetTokens?.style === 'seconds') dialect = 'azure';
  if (azureMarked || (hasRequestsTokensHeaders && dialect === 'azure')) families.add('azure');
  if (hasRequestsTokensHeaders && dialect === 'openai') families.add('openai');

  const view: RateLimitView = {
    remainingRequests: parseCountValue(headers['x-ratelimit-remaining-requests']),
    remainingTokens: parseCountValue(headers['x-ratelimit-remaining-tokens']),
    limitRequests: parseCountValue(headers['x-ratelimit-limit-requests']),
    limitTokens: parseCountValue(headers['x-ratelimit-limit-tokens']),
    remainingInputTokens: null,
    remainingOutputTokens: null,
    resetRequestsMs: resetRequests?.ms ?? null,
    resetTokensMs: resetTokens?.ms ?? oldResetTokens?.ms ?? null,
    resetRequestsAtEpochMs: null,
    resetTokensAtEpochMs: null,
    retryAfterMs: null,
    retryAfterSource: null,
    utilizationPercent: parsePercent(headers['azure-openai-deployment-utilization']),
    region: text(headers['x-ms-region']),
    deployment: text(headers['x-ms-deployment-name']),
    policyId: text(headers['policy-id']),
    requestIds: {
      clientRequestId: text(headers['x-ms-client-request-id']),
      apimRequestId: text(headers['apim-request-id']),
      requestId: text(headers['x-request-id']) ?? text(headers['request-id']),
    },
    policyWindowSeconds: null,
    families: [],
    dialect,
    hasRequestsTokensHeaders,
  };

  // Anthropic: RFC 3339 resets, separate input/output budgets.
  if (scan.anthropic) {
    families.add('anthropic');
    const a = (name: string): string | undefined => headers[`anthropic-ratelimit-${name}`];
    view.remainingRequests ??= parseCountValue(a('requests-remaining'));
    view.limitRequests ??= parseCountValue(a('requests-limit'));
    view.remainingInputTokens = parseCountValue(a('input-tokens-remaining'));
    view.remainingOutputTokens = parseCountValue(a('output-tokens-remaining'));
    view.remainingTokens ??= parseCountValue(a('tokens-remaining')) ?? view.remainingInputTokens;
    view.limitTokens ??= parseCountValue(a('tokens-limit')) ?? parseCountValue(a('input-tokens-limit'));
    view.resetRequestsAtEpochMs = parseRfc3339(a('requests-reset'));
    view.resetTokensAtEpochMs = parseRfc3339(a('tokens-reset')) ?? parseRfc3339(a('input-tokens-reset'));
    view.resetRequestsMs ??= untilEpoch(view.resetRequestsAtEpochMs, answeredAtEpochMs);
    view.resetTokensMs ??= untilEpoch(view.resetTokensAtEpochMs, answeredAtEpochMs);
  }

  // IETF RateLimit fields.
  const ietf = scan.ietf ? readIetf(headers) : null;
  if (ietf !== null) {
    families.add('ietf');
    view.remainingRequests ??= ietf.remaining;
    view.limitRequests ??= ietf.limit;
    view.resetRequestsMs ??= ietf.resetMs;
    view.policyWindowSeconds = ietf.windowSeconds;
  }

  // Generic X-RateLimit-Limit|Remaining|Reset (GitHub, express-rate-limit legacy headers).
  if (scan.xRateLimit) {
    families.add('x-ratelimit');
    view.remainingRequests ??= parseCountValue(headers['x-ratelimit-remaining']);
    view.limitRequests ??= parseCountValue(headers['x-ratelimit-limit']);
    const reset = parseCountValue(headers['x-ratelimit-reset']);
    if (reset !== null) {
      // Why the threshold: some servers send seconds to wait, others (GitHub,
      // express-rate-limit) an epoch second. No wait is a billion seconds long.
      if (reset > 1e9) {
        view.resetRequestsAtEpochMs ??= reset * 1000;
        view.resetRequestsMs ??= untilEpoch(reset * 1000, answeredAtEpochMs);
      } else {
        view.resetRequestsMs ??= reset * 1000;
      }
    }
  }

  // Retry hints, in the order the Azure SDK reads them (docs/recording.md).
  const retryAfterMs = parseCountValue(headers['retry-after-ms']);
  const msRetryAfterMs = parseCountValue(headers['x-ms-retry-after-ms']);
  // A Retry-After date counts from the server's own `date` when recorded (no clock skew),
  // else from our clock's time of the answer.
  const retryAfter = parseRetryAfter(headers['retry-after'], parseHttpDate(headers['date']) ?? answeredAtEpochMs);
  if (scan.retry) families.add('retry-after');
  if (retryAfterMs !== null) {
    view.retryAfterMs = capRetryAfterMs(retryAfterMs);
    view.retryAfterSource = 'retry-after-ms';
  } else if (msRetryAfterMs !== null) {
    view.retryAfterMs = capRetryAfterMs(msRetryAfterMs);
    view.retryAfterSource = 'x-ms-retry-after-ms';
  } else if (retryAfter !== null) {
    view.retryAfterMs = capRetryAfterMs(retryAfter);
    view.retryAfterSource = 'retry-after';
  }

  view.families = FAMILY_ORDER.filter((family) => families.has(family));
  return view;
}

const FAMILY_ORDER: HeaderFamily[] = ['azure', 'openai', 'anthropic', 'ietf', 'x-ratelimit', 'retry-after'];
