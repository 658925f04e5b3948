/**
 * The probe's goal on limiters that are neither one plain window nor one plain bucket,
 * on the fake clock, told nothing about the limiter (cases.ts compoundCase, seeded):
 * burst within ±1 or ±10 %, rate within ±15 %, recovery within ±30 %, shape right, in
 * ≤ 400 requests and ≤ 2 minutes.
 *   - a whole-token bucket (overdriven it admits far less than its rate; the rate
 *     reported is the one admitted in full);
 *   - a window every refusal restarts (recovery is a silence, measured by silent pings);
 *   - two sliding logs in AND (the burst is the first's, the rate the slower one's).
 */
import { describe, expect, it } from 'vitest';
import { compoundCase } from './support/cases.js';
import { probeCase } from './support/run-case.js';
import { traceRecording } from './support/trace.js';

describe.each([
  ['whole-token-bucket', [1, 2, 3, 4, 5, 6]],
  ['restarting-window', [2, 4, 5]],
  ['all-of', [1, 2, 3, 4, 5, 6]],
] as const)('%s with random settings', (kind, seeds) => {
  it.each(seeds)('seed %i meets the goal', async (seed) => {
    const limiter = compoundCase(kind, seed);
    const result = await probeCase(limiter);
    const context = `${limiter.name}: found ${JSON.stringify(result.inferred.requests)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    expect(result.sent, context).toBeLessThanOrEqual(400);
    expect(result.seconds, context).toBeLessThanOrEqual(121);
  });
});
