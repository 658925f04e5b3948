/**
 * The backoff formulas, as pure functions of the attempt number and a random draw.
 * The three jitters are the ones of the well-known AWS analysis ("Exponential Backoff
 * and Jitter", 2015):
 *
 *   exponential   expo(n) = min(cap, base × factor^(n−1))
 *   full          U(0, expo(n))
 *   equal         expo(n)/2 + U(0, expo(n)/2)
 *   decorrelated  min(cap, U(base, previous × 3)), previous starting at base
 *
 * `retry` counts retries from 1 (the wait before the second attempt is retry 1).
 */
import type { RandomSource } from './types.js';

/** The shape shared by every exponential policy. */
export interface ExponentialParams {
  baseMs: number;
  factor: number;
  capMs: number;
}

/** The jitter kinds of exponential-jitter. */
export const JITTER_KINDS = ['full', 'equal', 'decorrelated'] as const;
/** One of JITTER_KINDS. */
export type JitterKind = (typeof JITTER_KINDS)[number];

/** The un-jittered wait before retry number `retry` (1-based), ms. */
export function exponentialWait(params: ExponentialParams, retry: number): number {
  return Math.min(params.capMs, params.baseMs * params.factor ** (retry - 1));
}

/** The jittered wait before retry number `retry`; `previousWaitMs` feeds the decorrelated kind. */
export function jitteredWait(kind: JitterKind, params: ExponentialParams, retry: number, previousWaitMs: number | null, random: RandomSource): number {
  if (kind === 'decorrelated') {
    const previous = previousWaitMs ?? params.baseMs;
    const upper = Math.max(params.baseMs, previous * 3);
    return Math.min(params.capMs, params.baseMs + random() * (upper - params.baseMs));
  }
  const expo = exponentialWait(params, retry);
  if (kind === 'equal') return expo / 2 + random() * (expo / 2);
  return random() * expo;
}
