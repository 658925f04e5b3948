/**
 * The gateway's settings as text (`--backends`, `--routing`, `--breaker`,
 * `--gateway-retry`, `--token-limit`, `--strip-headers`, `--rename-headers`) and as
 * checked values.
 * The names follow Azure API Management's own: a backend pool with priority and
 * weight, a circuit-breaker rule (failure count within an interval, trip
 * duration, accept-retry-after), a `retry` policy (count, interval,
 * first-fast-retry) and an `llm-token-limit` policy (tokens per minute, counter
 * key, optional quota, the header names it emits). docs/ describes what each does.
 *
 * Every parser collects all problems before throwing one SimulatorConfigError.
 */
import { SimulatorConfigError } from '../config-error.js';
import { parseSimulatorDuration } from '../units.js';

/** One simulated backend: an Azure region with its own limits. */
export interface BackendSpec {
  /** Short name used in logs and in the gateway's own notes, e.g. "eastus". */
  name: string;
  tpm: number;
  /** Requests per minute; default 6 × tpm / 1000, as the simulator's azure-standard. */
  rpm: number | undefined;
  /** The backend's `x-ms-region`; default its name. */
  region: string;
  /** Lower is preferred (APIM: "the lower the number, the higher the priority"); default 1. */
  priority: number;
  /** Share within one priority under weighted routing; default 1. */
  weight: number;
  /** Delay before the backend's admitted answers, ms; default 0. */
  latencyMs: number;
}

/** How the pool picks among the backends of the best available priority. */
export const ROUTING_MODES = ['priority', 'weighted', 'round-robin'] as const;
/** One of ROUTING_MODES. */
export type RoutingMode = (typeof ROUTING_MODES)[number];

/** A circuit-breaker rule per backend (APIM `circuitBreaker.rules[0]`). */
export interface BreakerSpec {
  /** Failures (answers with a status in `statuses`) within `intervalMs` that trip the breaker. */
  count: number;
  intervalMs: number;
  /** How long a tripped backend stays out of the pool, unless `acceptRetryAfter` and the answer said otherwise. */
  tripMs: number;
  /** Trip for the backend's own `Retry-After` when it sent one. */
  acceptRetryAfter: boolean;
  /** Status range that counts as a failure; default 429–429. */
  statusMin: number;
  statusMax: number;
}

/** The `retry` policy around forward-request. */
export interface RetrySpec {
  /** Retries after the first attempt (one client request can become count + 1 backend calls). */
  count: number;
  intervalMs: number;
  /** The first retry goes at once, whatever the interval. */
  firstFastRetry: boolean;
}

/** Whose tokens a token-limit counter adds up. */
export type CounterKey = 'subscription' | 'ip';

/** The `llm-token-limit` policy. */
export interface TokenLimitSpec {
  tokensPerMinute: number;
  key: CounterKey;
  /** A fixed-window quota (403 when spent); undefined for none. */
  quota: { tokens: number; periodMs: number } | undefined;
  /** Header names the policy emits; each has no default in APIM, so none is sent unless named. */
  remainingHeader: string | undefined;
  consumedHeader: string | undefined;
  remainingQuotaHeader: string | undefined;
  /** Default `retry-after` (seconds), as APIM's `retry-after-header-name`. */
  retryAfterHeader: string;
}

/** Everything the gateway runs with. */
export interface GatewaySpec {
  backends: BackendSpec[];
  routing: RoutingMode;
  breaker: BreakerSpec | undefined;
  retry: RetrySpec | undefined;
  tokenLimit: TokenLimitSpec | undefined;
  /** Lower-case header-name patterns (`*` matches any run of characters) removed from every answer. */
  stripHeaders: string[];
  /**
   * Headers moved to another name on every answer that carries them, as a pair of
   * APIM `set-header` policies (the new name set from the old one's value, the old
   * one deleted). A renamed header is not stripped under its new name.
   */
  renameHeaders: HeaderRename[];
}

/** One header rename: lower-case names. */
export interface HeaderRename {
  from: string;
  to: string;
}

const QUOTA_PERIODS: Record<string, number> = { hourly: 3_600_000, daily: 86_400_000, weekly: 7 * 86_400_000 };

/** Splits `a=1,b,c=x` into pairs; a bare word is a flag with value "true". */
function fields(text: string): [string, string][] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      return equals < 0 ? [part.toLowerCase(), 'true'] : [part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1).trim()];
    });
}

function positiveNumber(text: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function booleanValue(text: string): boolean | undefined {
  if (text === 'true' || text === 'yes') return true;
  if (text === 'false' || text === 'no') return false;
  return undefined;
}

/**
 * Parses `eastus:tpm=10000:region=East US,westus:tpm=5000:priority=2`. Each
 * backend is `NAME:key=value:…` with keys tpm (required), rpm, region, priority,
 * weight, latency.
 */
export function parseBackends(text: string, what = '--backends'): BackendSpec[] {
  const problems: string[] = [];
  const backends: BackendSpec[] = [];
  const example = `${what} eastus:tpm=10000:region=East US,westus:tpm=5000:priority=2`;
  for (const item of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [rawName, ...settings] = item.split(':');
    const name = rawName!.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      problems.push(`${what}: "${name}" is not a backend name (letters, digits, . _ -); e.g. ${example}`);
      continue;
    }
    const backend: BackendSpec = { name, tpm: 0, rpm: undefined, region: name, priority: 1, weight: 1, latencyMs: 0 };
    for (const setting of settings) {
      const equals = setting.indexOf('=');
      const key = (equals < 0 ? setting : setting.slice(0, equals)).trim().toLowerCase();
      const value = equals < 0 ? '' : setting.slice(equals + 1).trim();
      const bad = (hint: string): void => {
        problems.push(`${what}: backend ${name}: ${key}="${value}" ${hint}`);
      };
      if (key === 'tpm' || key === 'rpm') {
        const number = positiveNumber(value);
        if (number === undefined) bad('is not a positive number; e.g. tpm=10000');
        else backend[key] = number;
      } else if (key === 'region') {
        if (value === '') bad('is empty; e.g. region=West Europe');
        else backend.region = value;
      } else if (key === 'priority') {
        const number = wholeNumber(value);
        if (number === undefined || number > 100) bad('is not a whole number from 0 to 100; e.g. priority=2');
        else backend.priority = number;
      } else if (key === 'weight') {
        const number = positiveNumber(value);
        if (number === undefined) bad('is not a positive number; e.g. weight=50');
        else backend.weight = number;
      } else if (key === 'latency') {
        const ms = parseSimulatorDuration(value);
        if (ms === undefined) bad('is not a duration; e.g. latency=50ms');
        else backend.latencyMs = ms;
      } else {
        problems.push(`${what}: backend ${name}: "${key}" is not a backend setting; use tpm, rpm, region, priority, weight, latency`);
      }
    }
    if (backend.tpm === 0) problems.push(`${what}: backend ${name} has no tpm; e.g. ${name}:tpm=10000`);
    if (backends.some((other) => other.name === name)) problems.push(`${what}: backend ${name} is named twice; give each backend its own name`);
    backends.push(backend);
  }
  if (backends.length === 0 && problems.length === 0) problems.push(`${what}: no backends; e.g. ${example}`);
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  return backends;
}

/** Parses `priority`, `weighted` or `round-robin`. */
export function parseRouting(text: string, what = '--routing'): RoutingMode {
  const value = text.trim().toLowerCase();
  if ((ROUTING_MODES as readonly string[]).includes(value)) return value as RoutingMode;
  throw new SimulatorConfigError(`${what}: "${text}" is not a routing mode; use one of ${ROUTING_MODES.join(', ')}`);
}

/** Parses `count=1,interval=1m,trip=1m,accept-retry-after[,status=429-429]`; missing fields take AI-Gateway's standard rule. */
export function parseBreaker(text: string, what = '--breaker'): BreakerSpec {
  const problems: string[] = [];
  const breaker: BreakerSpec = { count: 1, intervalMs: 60_000, tripMs: 60_000, acceptRetryAfter: false, statusMin: 429, statusMax: 429 };
  for (const [key, value] of fields(text)) {
    if (key === 'count') {
      const number = wholeNumber(value);
      if (number === undefined || number < 1) problems.push(`${what}: count="${value}" is not a whole number of 1 or more; e.g. count=1`);
      else breaker.count = number;
    } else if (key === 'interval' || key === 'trip') {
      const ms = parseSimulatorDuration(value);
      if (ms === undefined || ms <= 0) problems.push(`${what}: ${key}="${value}" is not a duration above 0; e.g. ${key}=1m`);
      else if (key === 'interval') breaker.intervalMs = ms;
      else breaker.tripMs = ms;
    } else if (key === 'accept-retry-after') {
      const flag = booleanValue(value);
      if (flag === undefined) problems.push(`${what}: accept-retry-after="${value}" is not true or false`);
      else breaker.acceptRetryAfter = flag;
    } else if (key === 'status') {
      const match = /^(\d{3})(?:-(\d{3}))?$/.exec(value);
      if (match === null || Number(match[2] ?? match[1]) < Number(match[1])) problems.push(`${what}: status="${value}" is not a status range; e.g. status=429 or status=500-599`);
      else {
        breaker.statusMin = Number(match[1]);
        breaker.statusMax = Number(match[2] ?? match[1]);
      }
    } else problems.push(`${what}: "${key}" is not a breaker setting; use count, interval, trip, accept-retry-after, status`);
  }
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  return breaker;
}

/** Parses `count=2,interval=0,first-fast-retry`. */
export function parseRetry(text: string, what = '--gateway-retry'): RetrySpec {
  const problems: string[] = [];
  const retry: RetrySpec = { count: 1, intervalMs: 0, firstFastRetry: false };
  for (const [key, value] of fields(text)) {
    if (key === 'count') {
      const number = wholeNumber(value);
      if (number === undefined || number < 1 || number > 50) problems.push(`${what}: count="${value}" is not a whole number from 1 to 50; e.g. count=2`);
      else retry.count = number;
    } else if (key === 'interval') {
      const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : parseSimulatorDuration(value);
      if (ms === undefined) problems.push(`${what}: interval="${value}" is not seconds or a duration; e.g. interval=0 or interval=500ms`);
      else retry.intervalMs = ms;
    } else if (key === 'first-fast-retry') {
      const flag = booleanValue(value);
      if (flag === undefined) problems.push(`${what}: first-fast-retry="${value}" is not true or false`);
      else retry.firstFastRetry = flag;
    } else problems.push(`${what}: "${key}" is not a retry setting; use count, interval, first-fast-retry`);
  }
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  return retry;
}

/**
 * Parses `tpm=N,key=subscription|ip[,quota=N,quota-period=hourly|daily|weekly]
 * [,remaining-header=NAME][,consumed-header=NAME][,remaining-quota-header=NAME][,retry-after-header=NAME]`.
 */
export function parseTokenLimit(text: string, what = '--token-limit'): TokenLimitSpec {
  const problems: string[] = [];
  const limit: TokenLimitSpec = {
    tokensPerMinute: 0,
    key: 'subscription',
    quota: undefined,
    remainingHeader: undefined,
    consumedHeader: undefined,
    remainingQuotaHeader: undefined,
    retryAfterHeader: 'retry-after',
  };
  let quotaTokens: number | undefined;
  let quotaPeriodMs: number | undefined;
  const headerName = (key: string, value: string): string | undefined => {
    if (/^[A-Za-z0-9-]+$/.test(value)) return value.toLowerCase();
    problems.push(`${what}: ${key}="${value}" is not a header name; e.g. ${key}=x-gateway-remaining-tokens`);
    return undefined;
  };
  for (const [key, value] of fields(text)) {
    if (key === 'tpm' || key === 'quota') {
      const number = positiveNumber(value);
      if (number === undefined) problems.push(`${what}: ${key}="${value}" is not a positive number; e.g. ${key}=20000`);
      else if (key === 'tpm') limit.tokensPerMinute = number;
      else quotaTokens = number;
    } else if (key === 'key') {
      if (value === 'subscription' || value === 'ip') limit.key = value;
      else problems.push(`${what}: key="${value}" is not a counter key; use subscription or ip`);
    } else if (key === 'quota-period') {
      quotaPeriodMs = QUOTA_PERIODS[value.toLowerCase()];
      if (quotaPeriodMs === undefined) problems.push(`${what}: quota-period="${value}" is not a period; use ${Object.keys(QUOTA_PERIODS).join(', ')}`);
    } else if (key === 'remaining-header') limit.remainingHeader = headerName(key, value);
    else if (key === 'consumed-header') limit.consumedHeader = headerName(key, value);
    else if (key === 'remaining-quota-header') limit.remainingQuotaHeader = headerName(key, value);
    else if (key === 'retry-after-header') limit.retryAfterHeader = headerName(key, value) ?? 'retry-after';
    else problems.push(`${what}: "${key}" is not a token-limit setting; use tpm, key, quota, quota-period, remaining-header, consumed-header, remaining-quota-header, retry-after-header`);
  }
  if (limit.tokensPerMinute === 0 && quotaTokens === undefined) problems.push(`${what}: give tpm (and/or quota); e.g. ${what} tpm=20000,key=subscription`);
  if (quotaTokens !== undefined) limit.quota = { tokens: quotaTokens, periodMs: quotaPeriodMs ?? QUOTA_PERIODS.hourly! };
  else if (quotaPeriodMs !== undefined) problems.push(`${what}: quota-period needs quota; e.g. quota=100000,quota-period=hourly`);
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  return limit;
}

/** Parses `x-ratelimit-*,retry-after-ms`: header-name patterns, `*` for any run of characters. */
export function parseStripHeaders(text: string, what = '--strip-headers'): string[] {
  const patterns = text
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
  const bad = patterns.filter((pattern) => !/^[a-z0-9*-]+$/.test(pattern));
  if (patterns.length === 0) throw new SimulatorConfigError(`${what}: the list is empty; e.g. ${what} "x-ratelimit-*,retry-after-ms"`);
  if (bad.length > 0) throw new SimulatorConfigError(bad.map((pattern) => `${what}: "${pattern}" is not a header-name pattern (letters, digits, -, *); e.g. x-ratelimit-*`));
  return patterns;
}

/** Parses `x-ratelimit-remaining-tokens=x-gateway-remaining-tokens,…`: FROM=TO pairs of header names. */
export function parseRenameHeaders(text: string, what = '--rename-headers'): HeaderRename[] {
  const example = `${what} x-ratelimit-remaining-tokens=x-gateway-remaining-tokens`;
  const problems: string[] = [];
  const renames: HeaderRename[] = [];
  const items = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (items.length === 0) problems.push(`${what}: the list is empty; e.g. ${example}`);
  for (const item of items) {
    const match = /^([A-Za-z0-9-]+)=([A-Za-z0-9-]+)$/.exec(item);
    if (match === null) {
      problems.push(`${what}: "${item}" is not FROM=TO with two header names (letters, digits, -); e.g. ${example}`);
      continue;
    }
    const rename = { from: match[1]!.toLowerCase(), to: match[2]!.toLowerCase() };
    if (rename.from === rename.to) problems.push(`${what}: "${item}" renames ${rename.from} to itself; name another header after =`);
    else if (renames.some((other) => other.from === rename.from)) problems.push(`${what}: ${rename.from} is renamed twice; give it one new name`);
    else if (renames.some((other) => other.to === rename.to)) problems.push(`${what}: two headers are renamed to ${rename.to}; give each its own name`);
    else renames.push(rename);
  }
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  return renames;
}

/** Whether a lower-case header name matches any of the patterns. */
export function matchesAnyPattern(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    if (!pattern.includes('*')) return name === pattern;
    const expression = new RegExp(`^${pattern.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return expression.test(name);
  });
}
