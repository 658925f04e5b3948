/**
 * Property tests for the parsers of what people type (src/parse/units.ts): on any
 * text they return a finite, non-negative number or throw an InputError naming the
 * flag, never anything else; valid values written the way people write them round-trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseCount, parseDuration, parseLatency, parseRate } from '../../../src/parse/units.js';

/** Runs `parse`; true when it returned an acceptable value or threw an InputError that names `what`. */
function onlyInputError(parse: () => number | { meanMs: number; spreadMs: number }, what: string, acceptable: (value: number) => boolean): boolean {
  try {
    const result = parse();
    const values = typeof result === 'number' ? [result] : [result.meanMs, result.spreadMs];
    return values.every((value) => Number.isFinite(value) && acceptable(value));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.problems.length === 1 && error.problems[0]!.startsWith(`${what}: `);
  }
}

/** Strings close to the grammar (digits, units, slashes, dots, signs, spaces) find more edge cases than random text. */
const nearGrammar = fc.stringMatching(/^[0-9./msh \-+±e]{0,14}$/);
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nearGrammar, fc.constantFrom('', ' ', '0', '-1', '1e3s', 'NaN', 'Infinity', '1/0s', '5/', '/s', `${'9'.repeat(400)}/s`, `${'9'.repeat(400)}s`));

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[]));

describe('parseDuration', () => {
  it('never throws anything but an InputError naming the flag, and never returns a negative or non-finite number', () => {
    fc.assert(fc.property(anyText, (text) => onlyInputError(() => parseDuration(text, '--gap'), '--gap', (value) => value >= 0)), { numRuns: 2000 });
  });

  it('round-trips sums of whole and decimal parts in any units', () => {
    const part = fc.record({ amount: fc.oneof(fc.nat(100_000), fc.integer({ min: 0, max: 9999 }).map((n) => n / 100)), unit });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(({ amount, unit: name }) => `${amount}${name}`).join('');
        const expected = parts.reduce((sum, { amount, unit: name }) => sum + amount * UNIT_MS[name], 0);
        return Math.abs(parseDuration(text) - expected) <= 1e-9 * Math.max(1, expected);
      }),
    );
  });

  it('accepts surrounding spaces and refuses spaces inside', () => {
    fc.assert(fc.property(fc.nat(1000), unit, (amount, name) => parseDuration(` ${amount}${name} `) === amount * UNIT_MS[name]));
    expect(() => parseDuration('1 s')).toThrow(InputError);
  });
});

describe('parseRate', () => {
  it('never throws anything but an InputError, and never returns a negative or non-finite rate', () => {
    fc.assert(fc.property(anyText, (text) => onlyInputError(() => parseRate(text, '--rate'), '--rate', (value) => value >= 0)), { numRuns: 2000 });
  });

  it('round-trips count/period in every spelling (5/s, 300/m, 50/10s)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }), unit, (count, periods, name) => {
        const text = periods === undefined ? `${count}/${name}` : `${count}/${periods}${name}`;
        const periodMs = (periods ?? 1) * UNIT_MS[name];
        return Math.abs(parseRate(text) - (count * 1000) / periodMs) <= 1e-9 * Math.max(1, count);
      }),
    );
  });
});

describe('parseCount', () => {
  it('never throws anything but an InputError, and returns a safe integer ≥ min', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.integer().map(String), fc.bigInt().map(String)), fc.nat(10), (text, min) =>
        onlyInputError(() => parseCount(text, '--size', min), '--size', (value) => Number.isSafeInteger(value) && value >= min),
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips every safe whole number', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (value) => parseCount(String(value), '--size') === value));
  });
});

describe('parseLatency', () => {
  it('never throws anything but an InputError naming the flag', () => {
    fc.assert(fc.property(fc.oneof(anyText, fc.tuple(nearGrammar, nearGrammar).map(([a, b]) => `${a}±${b}`)), (text) => onlyInputError(() => parseLatency(text), '--latency', (value) => value >= 0)), { numRuns: 2000 });
  });

  it('round-trips mean ± spread in both spellings', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), fc.constantFrom('±', '+-'), (mean, spread, sign) => {
        const parsed = parseLatency(`${mean}ms${sign}${spread}ms`);
        return parsed.meanMs === mean && parsed.spreadMs === spread;
      }),
    );
  });
});
