/**
 * Limiter cases with their truth: what the probe should find (docs/summary.md's
 * definitions) for each simulator limiter kind and Azure profile, and a seeded
 * generator of random cases for the property tests.
 */
import type { LimiterShape } from '../../../src/analysis/summary-types.js';
import type { LimitPolicy } from '../../../src/sim/policies/policy.js';
import { genericPolicy, profilePolicy } from './fake-target.js';

/** What the probe should report. Null where the accuracy goal does not apply (concurrency's time figures). */
export interface Truth {
  burst: number;
  perSecond: number | null;
  windowSeconds: number | null;
  shape: LimiterShape;
  /**
   * The relative errors allowed for rate and recovery, when not the first goal's ±10 % and
   * ±25 %: limiters that are neither one plain window nor one plain bucket (a window every
   * refusal restarts, a whole-token bucket, limits in AND) are held to ±15 % and ±30 %.
   */
  goal?: { rate: number; window: number };
}

/** The goal for limiters that are neither one plain window nor one plain bucket. */
export const COMPOUND_GOAL = { rate: 0.15, window: 0.3 } as const;

/** One limiter to probe. */
export interface LimiterCase {
  /** Readable, e.g. `token-bucket:capacity=10,rate=5/s,penalty=true`. */
  name: string;
  policy: () => LimitPolicy;
  truth: Truth;
  /** Answer time of admitted requests, ms (a function gives a distribution). */
  latencyMs: number | ((seq: number) => number);
  /** Advertised figures handed to the probe (only for Azure profiles). */
  advertised: { tpm: number | null; rpm: number | null };
  /** For token cases: the token truth. */
  tokens?: { burst: number; perMinute: number; windowSeconds: number; shape: LimiterShape };
}

/** A small seeded PRNG (mulberry32), so a failing case can be rerun from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)]!;
}

function between(next: () => number, low: number, high: number): number {
  return low + next() * (high - low);
}

function whole(next: () => number, low: number, high: number): number {
  return Math.floor(between(next, low, high + 1));
}

/** Rounds to something a person would configure (2 significant digits). */
function tidy(value: number): number {
  const digits = Math.max(0, 1 - Math.floor(Math.log10(value)));
  return Number(value.toFixed(digits));
}

/** The generic limiter kinds a case can be. */
export const GENERIC_KINDS = ['token-bucket', 'gcra', 'fixed-window', 'sliding-log', 'sliding-counter', 'concurrency'] as const;

/**
 * Ranges of the random settings. Limits stay within what 400 requests can measure
 * with room for the experiments that tell shapes apart (several bursts of the limit).
 */
export const RANGES = { limit: [2, 50], ratePerSecond: [0.5, 30], windowSeconds: [0.5, 20], concurrency: [1, 10], latencyMs: [100, 400] } as const;

/** A generic limiter case of a given kind with random settings. */
export function genericCase(kind: (typeof GENERIC_KINDS)[number], seed: number): LimiterCase {
  const next = random(seed);
  const headers = pick(next, ['none', 'azure', 'x-ratelimit', 'ietf'] as const);
  const status = pick(next, [429, 503] as const);
  const style = `headers=${headers},status=${status}`;
  const none = { tpm: null, rpm: null };
  switch (kind) {
    case 'token-bucket':
    case 'gcra': {
      const capacity = whole(next, RANGES.limit[0], RANGES.limit[1]);
      const rate = tidy(between(next, RANGES.ratePerSecond[0], RANGES.ratePerSecond[1]));
      const penalty = next() < 0.3;
      const spec = kind === 'token-bucket' ? `token-bucket:capacity=${capacity},rate=${rate}/s` : `gcra:rate=${rate}/s,burst=${capacity}`;
      const name = `${spec},${style}${penalty ? ',penalty=true' : ''}`;
      return { name, policy: () => genericPolicy(name), truth: { burst: capacity, perSecond: rate, windowSeconds: capacity / rate, shape: 'token-bucket' }, latencyMs: 5, advertised: none };
    }
    case 'fixed-window':
    case 'sliding-log':
    case 'sliding-counter': {
      const limit = whole(next, kind === 'sliding-counter' ? 3 : RANGES.limit[0], RANGES.limit[1]);
      const windowSeconds = tidy(between(next, RANGES.windowSeconds[0], RANGES.windowSeconds[1]));
      const penalty = kind !== 'fixed-window' && next() < 0.3;
      const name = `${kind}:limit=${limit},window=${windowSeconds}s,${style}${penalty ? ',penalty=true' : ''}`;
      const shape: LimiterShape = kind === 'fixed-window' ? 'fixed-window' : 'sliding-window';
      return { name, policy: () => genericPolicy(name), truth: { burst: limit, perSecond: limit / windowSeconds, windowSeconds, shape }, latencyMs: 5, advertised: none };
    }
    case 'concurrency': {
      const limit = whole(next, RANGES.concurrency[0], RANGES.concurrency[1]);
      const mean = whole(next, RANGES.latencyMs[0], RANGES.latencyMs[1]);
      const name = `concurrency:limit=${limit},${style}`;
      // Answer times vary ±25 %: a concurrency cap depends on them, a rate limiter does not.
      const latency = (seq: number): number => mean * (0.75 + 0.5 * random(seed * 7919 + seq)());
      return { name, policy: () => genericPolicy(name), truth: { burst: limit, perSecond: null, windowSeconds: null, shape: 'concurrency' }, latencyMs: latency, advertised: none };
    }
  }
}

/** The limiter kinds that are neither one plain window nor one plain bucket. */
export const COMPOUND_KINDS = ['restarting-window', 'whole-token-bucket', 'all-of'] as const;

/**
 * A case of one of COMPOUND_KINDS with random settings:
 *   - restarting-window: L per W anchored at the first hit; once exceeded, blocked
 *     until quiet for B. Burst L, rate L/W, recovery B (silence), shape fixed-window.
 *   - whole-token-bucket: capacity C refilling R in whole tokens since the last
 *     admission. Burst C, rate R (admitted in full at R), recovery C/R, token-bucket.
 *   - all-of: a sliding log of L per W and a slower one of about 2.5·L per 5·W in AND.
 *     Burst L, rate the slower one's, recovery W after a burst (the slower log keeps
 *     room for another burst), sliding-window.
 */
export function compoundCase(kind: (typeof COMPOUND_KINDS)[number], seed: number): LimiterCase {
  const next = random(seed);
  const headers = pick(next, ['none', 'azure', 'x-ratelimit', 'ietf'] as const);
  const style = `headers=${headers},status=429`;
  const none = { tpm: null, rpm: null };
  switch (kind) {
    case 'restarting-window': {
      const limit = whole(next, 3, 20);
      const windowSeconds = tidy(between(next, 1, 8));
      const blockSeconds = next() < 0.5 ? windowSeconds : tidy(between(next, 1, 10));
      const name = `restarting-window:limit=${limit},window=${windowSeconds}s,block=${blockSeconds}s,${style}`;
      return { name, policy: () => genericPolicy(name), truth: { burst: limit, perSecond: limit / windowSeconds, windowSeconds: blockSeconds, shape: 'fixed-window', goal: COMPOUND_GOAL }, latencyMs: 5, advertised: none };
    }
    case 'whole-token-bucket': {
      const capacity = whole(next, 3, 30);
      const rate = tidy(between(next, 1, 20));
      const name = `whole-token-bucket:capacity=${capacity},rate=${rate}/s,${style}`;
      return { name, policy: () => genericPolicy(name), truth: { burst: capacity, perSecond: rate, windowSeconds: capacity / rate, shape: 'token-bucket', goal: COMPOUND_GOAL }, latencyMs: 5, advertised: none };
    }
    case 'all-of': {
      const limit = whole(next, 3, 12);
      const windowSeconds = tidy(between(next, 0.5, 2));
      const slowLimit = Math.round(2.5 * limit);
      const slowWindow = Number((5 * windowSeconds).toFixed(3));
      const name = `sliding-log:limit=${limit},window=${windowSeconds}s,${style}+sliding-log:limit=${slowLimit},window=${slowWindow}s`;
      return { name, policy: () => genericPolicy(name), truth: { burst: limit, perSecond: slowLimit / slowWindow, windowSeconds, shape: 'sliding-window', goal: COMPOUND_GOAL }, latencyMs: 5, advertised: none };
    }
  }
}

/**
 * An azure-standard case with a random TPM, with or without the 1-s sub-cap:
 * 20,000–80,000 TPM with it (a cap of 2 to 8 per second), 10,000–50,000 without
 * (a 10-s window of 10 to 50, within what 400 requests can measure).
 */
export function azureCase(seed: number, tokens = false): LimiterCase {
  const next = random(seed);
  const subsecondCap = tokens || next() < 0.7;
  const tpm = (subsecondCap ? whole(next, 20, 80) : whole(next, 10, 50)) * 1000;
  const rpm = (6 * tpm) / 1000;
  const name = `azure-standard:tpm=${tpm}${subsecondCap ? '' : ',no-subsecond-cap'}`;
  // The simulator rounds both caps up (src/sim/profiles.ts); the sustained rate is the lower of the two.
  const perTenSeconds = Math.ceil(rpm / 6 - 1e-9);
  const perOneSecond = Math.ceil(rpm / 60 - 1e-9);
  const truth: Truth = subsecondCap
    ? { burst: perOneSecond, perSecond: Math.min(perOneSecond, perTenSeconds / 10), windowSeconds: 1, shape: 'sliding-window' }
    : { burst: perTenSeconds, perSecond: perTenSeconds / 10, windowSeconds: 10, shape: 'sliding-window' };
  return {
    name,
    policy: () => profilePolicy({ profile: 'azure-standard', tpm, subsecondCap }),
    truth,
    latencyMs: 5,
    advertised: { tpm, rpm },
    ...(tokens ? { tokens: { burst: tpm, perMinute: tpm, windowSeconds: 60, shape: 'sliding-window' as const } } : {}),
  };
}

/** The default simulator's deployment (azure-standard with its 1-s cap) at a given TPM, with its token truth. */
export function azureTokenCase(tpm: number): LimiterCase {
  const rpm = (6 * tpm) / 1000;
  const perOneSecond = Math.ceil(rpm / 60 - 1e-9);
  const perTenSeconds = Math.ceil(rpm / 6 - 1e-9);
  return {
    name: `azure-standard:tpm=${tpm}`,
    policy: () => profilePolicy({ profile: 'azure-standard', tpm, subsecondCap: true }),
    truth: { burst: perOneSecond, perSecond: Math.min(perOneSecond, perTenSeconds / 10), windowSeconds: 1, shape: 'sliding-window' },
    latencyMs: 5,
    advertised: { tpm, rpm },
    tokens: { burst: tpm, perMinute: tpm, windowSeconds: 60, shape: 'sliding-window' },
  };
}
