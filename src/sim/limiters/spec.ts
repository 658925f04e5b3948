/**
 * Generic limiters for testing the prober, described by one readable string:
 *
 *     KIND[:key=value,key=value,...]
 *
 *     token-bucket:capacity=10,rate=5/s
 *     fixed-window:limit=10,window=1s
 *     sliding-log:limit=20,window=10s,penalty=true
 *     sliding-counter:limit=20,window=10s,headers=ietf
 *     gcra:rate=5/s,burst=10,status=503
 *     concurrency:limit=4,retry=500ms
 *     restarting-window:limit=5,window=4s,block=4s
 *     whole-token-bucket:capacity=5,rate=5/s
 *     sliding-log:limit=5,window=1s+sliding-log:limit=30,window=10s
 *
 * `A+B` joins limiters in AND (all-of.ts): a request is admitted only when every
 * one admits it. `restarting-window` keeps a client that exceeded its limit blocked
 * until it has been quiet for `block` (default: one window), every refused request
 * starting the block again (restarting-window.ts); `whole-token-bucket` refills in
 * whole tokens counted from the last admission (whole-token-bucket.ts).
 *
 * Rates read `5/s`, `300/m`, `50/10s` or a bare number per second; windows read
 * `500ms`, `10s`, `1m`. Keys every kind accepts: `headers=none|x-ratelimit|ietf|azure`
 * (which rate-limit headers answers carry; default azure), `status=429|503` (the
 * refusal status; default 429); all but concurrency accept `penalty=true|false`
 * (refused requests count too; default false; a bare `penalty` means true).
 * Every problem of a spec is reported at once, with the valid keys.
 */
import { SimulatorConfigError } from '../config-error.js';
import { parseSimulatorDuration, parseSimulatorRate } from '../units.js';
import { ConcurrencyLimiter } from './concurrency.js';
import { FixedWindowLimiter } from './fixed-window.js';
import { GcraLimiter } from './gcra.js';
import type { Limiter } from './limiter.js';
import { SlidingCounterLimiter } from './sliding-counter.js';
import { SlidingLogLimiter } from './sliding-log.js';
import { TokenBucketLimiter } from './token-bucket.js';
import { RestartingWindowLimiter } from './restarting-window.js';
import { WholeTokenBucketLimiter } from './whole-token-bucket.js';
import { AllOfLimiter } from './all-of.js';
import { LIMITER_KINDS } from '../names.js';

/** Which rate-limit headers a generic limiter's answers carry. */
export type LimiterHeaderStyle = 'none' | 'x-ratelimit' | 'ietf' | 'azure';

/** The generic limiter kinds (defined in ../names.ts, which help texts read without loading the simulator). */
export { LIMITER_KINDS };

/** One of LIMITER_KINDS. */
export type LimiterKind = (typeof LIMITER_KINDS)[number];

/** The header styles, for help texts and errors. */
export const LIMITER_HEADER_STYLES: readonly LimiterHeaderStyle[] = ['none', 'x-ratelimit', 'ietf', 'azure'];

/** Settings every generic limiter shares; all optional, defaults as in the module comment. */
export interface LimiterSpecCommon {
  penalty?: boolean;
  headers?: LimiterHeaderStyle;
  status?: 429 | 503;
}

/** A generic limiter, parsed from a spec string or written as an object. */
export type LimiterSpec = LimiterSpecCommon &
  (
    | { kind: 'token-bucket' | 'whole-token-bucket'; capacity: number; ratePerSecond: number }
    | { kind: 'restarting-window'; limit: number; windowMs: number; blockMs?: number }
    | { kind: 'all-of'; parts: LimiterSpec[] }
    | { kind: 'fixed-window' | 'sliding-log' | 'sliding-counter'; limit: number; windowMs: number }
    | { kind: 'gcra'; ratePerSecond: number; burst: number }
    | { kind: 'concurrency'; limit: number; retryAfterMs?: number }
  );

const COMMON_KEYS = ['headers', 'status', 'penalty'];
const KIND_KEYS: Record<LimiterKind, { required: string[]; optional: string[]; example: string }> = {
  'token-bucket': { required: ['capacity', 'rate'], optional: COMMON_KEYS, example: 'token-bucket:capacity=10,rate=5/s' },
  'fixed-window': { required: ['limit', 'window'], optional: COMMON_KEYS, example: 'fixed-window:limit=10,window=1s' },
  'sliding-log': { required: ['limit', 'window'], optional: COMMON_KEYS, example: 'sliding-log:limit=20,window=10s' },
  'sliding-counter': { required: ['limit', 'window'], optional: COMMON_KEYS, example: 'sliding-counter:limit=20,window=10s' },
  gcra: { required: ['rate', 'burst'], optional: COMMON_KEYS, example: 'gcra:rate=5/s,burst=10' },
  concurrency: { required: ['limit'], optional: ['retry', 'headers', 'status'], example: 'concurrency:limit=4' },
  'restarting-window': { required: ['limit', 'window'], optional: ['block', 'headers', 'status'], example: 'restarting-window:limit=5,window=4s' },
  'whole-token-bucket': { required: ['capacity', 'rate'], optional: ['headers', 'status'], example: 'whole-token-bucket:capacity=5,rate=5/s' },
};

/**
 * Parses `A+B+…` into an all-of spec. The parts' own `headers` and `status` are
 * ignored; the first part that gives them sets them for the whole.
 */
function parseAllOf(text: string, what: string): LimiterSpec {
  const problems: string[] = [];
  const parts: LimiterSpec[] = [];
  for (const partText of text.split('+')) {
    try {
      parts.push(parseLimiterSpec(partText, what));
    } catch (error) {
      if (error instanceof SimulatorConfigError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  if (parts.some((part) => part.kind === 'concurrency')) throw new SimulatorConfigError(`${what}: a concurrency cap cannot be joined with + ; use it alone`);
  const spec: LimiterSpec = { kind: 'all-of', parts };
  const headers = parts.find((part) => part.headers !== undefined)?.headers;
  const status = parts.find((part) => part.status !== undefined)?.status;
  if (headers !== undefined) spec.headers = headers;
  if (status !== undefined) spec.status = status;
  return spec;
}

/** Parses a limiter spec string; throws SimulatorConfigError listing every problem. */
export function parseLimiterSpec(text: string, what = '--limiter'): LimiterSpec {
  const trimmed = text.trim();
  if (trimmed.includes('+')) return parseAllOf(trimmed, what);
  const colon = trimmed.indexOf(':');
  const kindText = (colon === -1 ? trimmed : trimmed.slice(0, colon)).trim();
  if (!(LIMITER_KINDS as readonly string[]).includes(kindText)) {
    throw new SimulatorConfigError(
      `${what}: unknown limiter "${kindText}"; use one of ${LIMITER_KINDS.join(', ')}, e.g. ${what} token-bucket:capacity=10,rate=5/s`,
    );
  }
  const kind = kindText as LimiterKind;
  const keys = KIND_KEYS[kind];
  const validKeys = [...keys.required, ...keys.optional];
  const problems: string[] = [];
  const values = new Map<string, string>();
  const body = colon === -1 ? '' : trimmed.slice(colon + 1);
  for (const pair of body.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const equals = pair.indexOf('=');
    const key = (equals === -1 ? pair : pair.slice(0, equals)).trim();
    const value = equals === -1 ? (key === 'penalty' ? 'true' : '') : pair.slice(equals + 1).trim();
    if (!validKeys.includes(key)) {
      problems.push(`${what} ${kind}: unknown key "${key}"; valid keys: ${validKeys.join(', ')} (e.g. ${keys.example})`);
    } else if (value === '') {
      problems.push(`${what} ${kind}: "${key}" has no value; write ${key}=VALUE (e.g. ${keys.example})`);
    } else if (values.has(key)) {
      problems.push(`${what} ${kind}: "${key}" is given twice; keep one`);
    } else {
      values.set(key, value);
    }
  }
  for (const key of keys.required) {
    if (!values.has(key) && !problems.some((problem) => problem.includes(`"${key}"`))) {
      problems.push(`${what} ${kind}: "${key}" is required (e.g. ${keys.example})`);
    }
  }

  const positiveNumber = (key: string): number => {
    const raw = values.get(key);
    if (raw === undefined) return Number.NaN;
    const number = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !(number > 0)) problems.push(`${what} ${kind}: ${key}=${raw} is not a positive number (e.g. ${key}=10)`);
    return number;
  };
  const rate = (key: string): number => {
    const raw = values.get(key);
    if (raw === undefined) return Number.NaN;
    const perSecond = parseSimulatorRate(raw);
    if (perSecond === undefined || !(perSecond > 0)) {
      problems.push(`${what} ${kind}: ${key}=${raw} is not a rate; write it like ${key}=5/s, ${key}=300/m or ${key}=50/10s`);
      return Number.NaN;
    }
    return perSecond;
  };
  const duration = (key: string): number => {
    const raw = values.get(key);
    if (raw === undefined) return Number.NaN;
    const ms = parseSimulatorDuration(raw);
    if (ms === undefined || !(ms > 0)) {
      problems.push(`${what} ${kind}: ${key}=${raw} is not a duration; write it like ${key}=500ms, ${key}=10s or ${key}=1m`);
      return Number.NaN;
    }
    return ms;
  };

  let spec: LimiterSpec;
  switch (kind) {
    case 'token-bucket':
    case 'whole-token-bucket':
      spec = { kind, capacity: positiveNumber('capacity'), ratePerSecond: rate('rate') };
      break;
    case 'restarting-window': {
      spec = { kind, limit: positiveNumber('limit'), windowMs: duration('window') };
      if (values.has('block')) spec.blockMs = duration('block');
      break;
    }
    case 'gcra':
      spec = { kind, ratePerSecond: rate('rate'), burst: positiveNumber('burst') };
      break;
    case 'concurrency': {
      spec = { kind, limit: positiveNumber('limit') };
      if (values.has('retry')) spec.retryAfterMs = duration('retry');
      break;
    }
    default:
      spec = { kind, limit: positiveNumber('limit'), windowMs: duration('window') };
  }
  const common: LimiterSpecCommon = {};
  const headers = values.get('headers');
  if (headers !== undefined) {
    if ((LIMITER_HEADER_STYLES as readonly string[]).includes(headers)) common.headers = headers as LimiterHeaderStyle;
    else problems.push(`${what} ${kind}: headers=${headers} is not a header style; use one of ${LIMITER_HEADER_STYLES.join(', ')}`);
  }
  const status = values.get('status');
  if (status !== undefined) {
    if (status === '429' || status === '503') common.status = Number(status) as 429 | 503;
    else problems.push(`${what} ${kind}: status=${status} is not a refusal status; use 429 or 503`);
  }
  const penalty = values.get('penalty');
  if (penalty !== undefined) {
    if (/^(true|yes|on|1)$/i.test(penalty)) common.penalty = true;
    else if (/^(false|no|off|0)$/i.test(penalty)) common.penalty = false;
    else problems.push(`${what} ${kind}: penalty=${penalty} is not true or false`);
  }
  Object.assign(spec, common);
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  return spec;
}

/** Checks a spec written as an object (numbers positive and finite); throws SimulatorConfigError. */
export function validateLimiterSpec(spec: LimiterSpec, what = 'limiter'): void {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined): void => {
    if (value === undefined || !Number.isFinite(value) || value <= 0) problems.push(`${what} ${spec.kind}: ${name} must be a positive number, got ${String(value)}`);
  };
  if (spec.kind !== 'all-of' && !(LIMITER_KINDS as readonly string[]).includes(spec.kind)) {
    throw new SimulatorConfigError(`${what}: unknown limiter "${String(spec.kind)}"; use one of ${LIMITER_KINDS.join(', ')}`);
  }
  switch (spec.kind) {
    case 'all-of':
      if (!Array.isArray(spec.parts) || spec.parts.length === 0) problems.push(`${what} all-of: parts must list at least one limiter`);
      else for (const part of spec.parts) validateLimiterSpec(part, what);
      break;
    case 'restarting-window':
      positive('limit', spec.limit);
      positive('windowMs', spec.windowMs);
      if (spec.blockMs !== undefined) positive('blockMs', spec.blockMs);
      break;
    case 'whole-token-bucket':
    case 'token-bucket':
      positive('capacity', spec.capacity);
      positive('ratePerSecond', spec.ratePerSecond);
      break;
    case 'gcra':
      positive('ratePerSecond', spec.ratePerSecond);
      positive('burst', spec.burst);
      break;
    case 'concurrency':
      positive('limit', spec.limit);
      if (spec.retryAfterMs !== undefined) positive('retryAfterMs', spec.retryAfterMs);
      if (spec.penalty) problems.push(`${what} concurrency: penalty does not apply to a concurrency cap; remove it`);
      break;
    default:
      positive('limit', spec.limit);
      positive('windowMs', spec.windowMs);
  }
  if (spec.headers !== undefined && !LIMITER_HEADER_STYLES.includes(spec.headers)) {
    problems.push(`${what} ${spec.kind}: headers must be one of ${LIMITER_HEADER_STYLES.join(', ')}`);
  }
  if (spec.status !== undefined && spec.status !== 429 && spec.status !== 503) problems.push(`${what} ${spec.kind}: status must be 429 or 503`);
  if (problems.length > 0) throw new SimulatorConfigError(problems);
}

/** Builds a fresh limiter (its own state) from a spec. */
export function createLimiter(spec: LimiterSpec): Limiter {
  const penalty = spec.penalty ?? false;
  switch (spec.kind) {
    case 'token-bucket':
      return new TokenBucketLimiter({ capacity: spec.capacity, ratePerSecond: spec.ratePerSecond, penalty });
    case 'fixed-window':
      return new FixedWindowLimiter({ limit: spec.limit, windowMs: spec.windowMs, penalty });
    case 'sliding-log':
      return new SlidingLogLimiter({ limit: spec.limit, windowMs: spec.windowMs, penalty });
    case 'sliding-counter':
      return new SlidingCounterLimiter({ limit: spec.limit, windowMs: spec.windowMs, penalty });
    case 'gcra':
      return new GcraLimiter({ ratePerSecond: spec.ratePerSecond, burst: spec.burst, penalty });
    case 'restarting-window':
      return new RestartingWindowLimiter(spec.blockMs === undefined ? { limit: spec.limit, windowMs: spec.windowMs } : { limit: spec.limit, windowMs: spec.windowMs, blockMs: spec.blockMs });
    case 'whole-token-bucket':
      return new WholeTokenBucketLimiter({ capacity: spec.capacity, ratePerSecond: spec.ratePerSecond });
    case 'all-of':
      return new AllOfLimiter(spec.parts.map((part) => createLimiter(part)));
    case 'concurrency':
      return spec.retryAfterMs === undefined ? new ConcurrencyLimiter({ limit: spec.limit }) : new ConcurrencyLimiter({ limit: spec.limit, retryAfterMs: spec.retryAfterMs });
  }
}

/** A one-line description for the ready line, e.g. `token-bucket (capacity 10, refill 5/s)`. */
export function describeLimiterSpec(spec: LimiterSpec): string {
  const extras = [`headers ${spec.headers ?? 'azure'}`, `status ${spec.status ?? 429}`];
  if (spec.kind === 'all-of') return `all-of (${spec.parts.map((part) => describeLimiterCore(part)).join(' and ')}; ${extras.join(', ')})`;
  return `${spec.kind} (${limiterSettings(spec)}; ${[...(spec.penalty ? ['penalty'] : []), ...extras].join(', ')})`;
}

/** "token-bucket: capacity 10, refill 5/s" — a part of an all-of spec. */
function describeLimiterCore(spec: LimiterSpec): string {
  return `${spec.kind}: ${limiterSettings(spec)}${spec.penalty ? ', penalty' : ''}`;
}

/** "capacity 10, refill 5/s": a spec's own settings. */
function limiterSettings(spec: LimiterSpec): string {
  const perSecond = (rate: number): string => `${Number(rate.toFixed(3))}/s`;
  const seconds = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(3))} s`);
  let main: string;
  switch (spec.kind) {
    case 'all-of':
      return spec.parts.map((part) => describeLimiterCore(part)).join(' and ');
    case 'token-bucket':
    case 'whole-token-bucket':
      main = `capacity ${spec.capacity}, refill ${perSecond(spec.ratePerSecond)}${spec.kind === 'whole-token-bucket' ? ' in whole tokens' : ''}`;
      break;
    case 'restarting-window':
      main = `${spec.limit} per ${seconds(spec.windowMs)}, blocked until quiet for ${seconds(spec.blockMs ?? spec.windowMs)}`;
      break;
    case 'gcra':
      main = `rate ${perSecond(spec.ratePerSecond)}, burst ${spec.burst}`;
      break;
    case 'concurrency':
      main = `${spec.limit} in flight`;
      break;
    default:
      main = `${spec.limit} per ${seconds(spec.windowMs)}`;
  }
  return main;
}
