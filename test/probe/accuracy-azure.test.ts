/**
 * The probe's accuracy goal (docs/probe.md) on the fake clock (see accuracy-windows.test.ts),
 * for sliding-window counters, concurrency caps (answer times varying ±25 %),
 * the azure-standard profile at random TPMs — with its 1-s cap (burst RPM/60, 1-s
 * window, the 10-s window noted) or without it — and the token dimension of
 * azure-standard probed with a large max_tokens (≤ 300 requests and one 60-s window
 * plus a little).
 */
import { describe, expect, it } from 'vitest';
import { azureCase, azureTokenCase, genericCase } from './support/cases.js';
import { probeCase } from './support/run-case.js';
import { traceRecording } from './support/trace.js';

const SEEDS = [21, 22, 23, 24, 25, 26, 27];

describe.each(['sliding-counter', 'concurrency'] as const)('%s with random settings', (kind) => {
  it.each(SEEDS)('seed %i meets the accuracy goal', async (seed) => {
    const limiter = genericCase(kind, seed);
    const result = await probeCase(limiter);
    const context = `${limiter.name}: found ${JSON.stringify(result.inferred.requests)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    expect(result.sent, context).toBeLessThanOrEqual(400);
    expect(result.seconds, context).toBeLessThanOrEqual(121);
  });
});

/** Seeds whose case has the 1-s cap switched off (cases.ts draws it off 30 % of the time; none of SEEDS does). */
const NO_SUBSECOND_CAP_SEEDS = [20, 30, 36];

describe('azure-standard at random TPMs', () => {
  it('covers the profile with and without its 1-s cap', () => {
    expect(SEEDS.every((seed) => !azureCase(seed).name.includes('no-subsecond-cap'))).toBe(true);
    expect(NO_SUBSECOND_CAP_SEEDS.every((seed) => azureCase(seed).name.includes('no-subsecond-cap'))).toBe(true);
  });

  it.each([...SEEDS, ...NO_SUBSECOND_CAP_SEEDS])('seed %i meets the accuracy goal', async (seed) => {
    const limiter = azureCase(seed);
    const result = await probeCase(limiter);
    const context = `${limiter.name}: found ${JSON.stringify(result.inferred.requests)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    expect(result.sent, context).toBeLessThanOrEqual(400);
  });
});

describe('azure-standard tokens with a large max_tokens', () => {
  it.each([31, 32, 33, 34])('seed %i finds the token budget, its window and the request cap', async (seed) => {
    const limiter = azureCase(seed, true);
    const maxTokens = Math.round(limiter.tokens!.burst / 12 / 100) * 100;
    const result = await probeCase(limiter, { maxTokens });
    const context = `${limiter.name} max_tokens ${maxTokens}: found ${JSON.stringify(result.inferred.requests)} ${JSON.stringify(result.inferred.tokens)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    const tokenRequests = result.lines.filter((line) => line.type === 'request' && line.phase.endsWith('-tokens')).length;
    expect(tokenRequests, context).toBeLessThanOrEqual(300);
    // The token stage fits in one 60-s token window plus a little.
    const tokenPhases = result.lines.filter((line) => line.type === 'phase' && line.params['purpose'] === 'tokens');
    const tokenStart = tokenPhases[0]?.type === 'phase' ? tokenPhases[0].startMs : 0;
    expect((result.seconds * 1000 - tokenStart) / 1000, context).toBeLessThanOrEqual(80);
    // Paced under the request cap: no token-stage request was refused for calls.
    expect(result.inferred.tokens.confidence, context).not.toBe('none');
  });
});

/**
 * The default simulator (50,000 TPM, 1-s cap) at a max_tokens small enough that the
 * request stage's own token charges pay for a recovery ping before the token burst's
 * tokens come back (1000 and 2000 here): the return stream must wait for the burst's.
 */
describe('the default simulator tokens at smaller and larger max_tokens', () => {
  it.each([500, 1000, 2000, 4000, 8000])('max_tokens %i finds the token budget, its window and the request cap', async (maxTokens) => {
    const limiter = azureTokenCase(50_000);
    const result = await probeCase(limiter, { maxTokens });
    const context = `${limiter.name} max_tokens ${maxTokens}: found ${JSON.stringify(result.inferred.requests)} ${JSON.stringify(result.inferred.tokens)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    const tokenPhases = result.lines.filter((line) => line.type === 'phase' && line.params['purpose'] === 'tokens');
    const tokenStart = tokenPhases[0]?.type === 'phase' ? tokenPhases[0].startMs : 0;
    expect((result.seconds * 1000 - tokenStart) / 1000, context).toBeLessThanOrEqual(80);
    expect(result.seconds, context).toBeLessThanOrEqual(180);
  });
});
