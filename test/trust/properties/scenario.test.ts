/**
 * Property tests for scenario files (src/scenario): whatever a file holds (any text,
 * any YAML or JSON value), parsing ends in a Scenario or an InputError whose every
 * problem names the file; valid scenarios written as YAML or JSON read back exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InputError } from '../../../src/errors.js';
import { parseScenario } from '../../../src/scenario/parse.js';
import type { Phase } from '../../../src/schedule/types.js';

const FILE = 'property.yaml';

/** True when parsing gave a scenario, or an InputError listing problems that each name the file. */
function scenarioOrInputError(text: string): boolean {
  try {
    const scenario = parseScenario(text, FILE);
    return scenario.phases.length > 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.problems.length > 0 && error.problems.every((problem) => problem.startsWith(FILE));
  }
}

/** Keys a scenario uses, so random mappings sometimes come close to valid ones. */
const scenarioKey = fc.constantFrom('name', 'phases', 'burst', 'steady', 'ramp', 'pause', 'size', 'rate', 'duration', 'from', 'to', 'gap', 'bursts', 'target', 'url', 'payload', 'maxTokens', 'advertised', 'tpm', 'expect', 'maxInFlight', 'simulator');
const scenarioValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('5/s', '10s', '0', '-1/s', '1e400', 'azure-seed', 'http://127.0.0.1/x', '~', '[', '{a: 1'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(scenarioKey, fc.string()), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('parseScenario on anything', () => {
  it('any text: a scenario or an InputError naming the file', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z:\-\[\]{}, \n0-9/."']{0,60}$/)), scenarioOrInputError), { numRuns: 2000 });
  });

  it('any YAML or JSON value: a scenario or an InputError naming the file', () => {
    fc.assert(
      fc.property(scenarioValue, fc.boolean(), (value, asJson) => {
        const text = asJson ? JSON.stringify(value) ?? 'null' : stringify(value);
        return scenarioOrInputError(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('a list of phases of random shapes: a scenario or an InputError naming the file', () => {
    fc.assert(fc.property(fc.array(scenarioValue, { minLength: 1, maxLength: 4 }), (phases) => scenarioOrInputError(stringify({ phases }))), { numRuns: 1000 });
  });
});

/** A valid phase as a file writes it, and what the parser must make of it (names added later). */
const validPhase = fc.oneof(
  fc.record({ size: fc.integer({ min: 1, max: 1000 }), bursts: fc.integer({ min: 1, max: 5 }), gapS: fc.integer({ min: 1, max: 60 }) }).map(({ size, bursts, gapS }) => ({
    file: { burst: bursts === 1 ? { size } : { size, bursts, gap: `${gapS}s` } },
    phase: { kind: 'burst', size, bursts, gapMs: bursts === 1 ? expect.any(Number) : gapS * 1000 },
  })),
  fc.record({ rate: fc.integer({ min: 1, max: 50 }), seconds: fc.integer({ min: 1, max: 120 }) }).map(({ rate, seconds }) => ({
    file: { steady: { rate: `${rate}/s`, duration: `${seconds}s` } },
    phase: { kind: 'steady', ratePerSecond: rate, durationMs: seconds * 1000 },
  })),
  fc.record({ from: fc.integer({ min: 0, max: 20 }), to: fc.integer({ min: 1, max: 60 }), minutes: fc.integer({ min: 1, max: 3 }) }).map(({ from, to, minutes }) => ({
    file: { ramp: { from: `${from * 60}/m`, to: `${to}/s`, duration: `${minutes}m` } },
    phase: { kind: 'ramp', fromPerSecond: from, toPerSecond: to, durationMs: minutes * 60_000 },
  })),
  fc.integer({ min: 1, max: 5000 }).map((ms) => ({ file: { pause: `${ms}ms` }, phase: { kind: 'pause', durationMs: ms } })),
);

describe('valid scenarios round-trip', () => {
  it('phases written as YAML or JSON read back as the same phases, with unique names', () => {
    fc.assert(
      fc.property(fc.array(validPhase, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }), (phases, asJson, tpm) => {
        const file = { name: 'round-trip', ...(tpm !== undefined ? { advertised: { tpm } } : {}), phases: phases.map((phase) => phase.file) };
        const scenario = parseScenario(asJson ? JSON.stringify(file) : stringify(file), FILE);
        expect(scenario.phases).toEqual(phases.map((phase) => expect.objectContaining(phase.phase as Partial<Phase>)));
        expect(new Set(scenario.phases.map((phase) => phase.name)).size).toBe(phases.length);
        expect(scenario.advertised.tpm).toBe(tpm ?? null);
        expect(scenario.name).toBe('round-trip');
      }),
      { numRuns: 500 },
    );
  });
});
