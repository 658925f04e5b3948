/**
 * A seeded random source for jitter, so two runs with the same `--seed` draw the same
 * waits and every policy of one lab run can be given the same sequence.
 *
 * Hand-written (mulberry32, a public-domain 32-bit generator of a few lines) rather
 * than a package: jitter needs a uniform number and a reproducible sequence, nothing
 * cryptographic, and the installed random packages are test-only dependencies.
 */
import type { RandomSource } from './types.js';

/** A generator of uniform numbers in [0, 1) fixed by `seed` (any integer). */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A fixed sequence of draws (repeating its last value): for exact tests of jittered waits. */
export function scriptedRandom(values: readonly number[]): RandomSource {
  let index = 0;
  return () => values[Math.min(index++, values.length - 1)] ?? 0;
}
