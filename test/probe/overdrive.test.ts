/**
 * The overdrive figures (src/analysis/inference/overdrive.ts): what a limiter admits when
 * the probe offers it more than the rate it admits in full.
 *   - the fold itself, on hand-made streams: which stream counts, and its admitted rate;
 *   - on the fake clock, a whole-token bucket (capacity C, R whole tokens per second since
 *     the last admission, the remainder dropped): offered o > R from exhaustion, a token
 *     is back 1/R after an admission and the first request after that is admitted, so
 *     admissions come every ceil(o / R) requests and the admitted rate is o / ceil(o / R).
 *     The probe must report that collapse, and perSecond must stay R;
 *   - a plain token bucket admits exactly its refill rate when overdriven: no collapse
 *     figure below perSecond, no collapse sentence;
 *   - a token bucket that charges refused requests too admits next to nothing when
 *     overdriven, and the verdict says so.
 */
import { describe, expect, it } from 'vitest';
import { measureOverdrive } from '../../src/analysis/inference/overdrive.js';
import type { Observation } from '../../src/analysis/inference/observations.js';
import type { PhaseLine } from '../../src/record/types.js';
import { overdriveSentence } from '../../src/analysis/verdict.js';
import { compoundCase, genericCase } from './support/cases.js';
import { probeCase } from './support/run-case.js';
import { traceRecording } from './support/trace.js';

function streamPhase(name: string, ratePerSecond: number, purpose = 'rate'): PhaseLine {
  return { type: 'phase', name, kind: 'probe', startMs: 0, params: { purpose, experiment: 'stream', ratePerSecond, count: 20 } };
}

/** n observations of one phase; every `admitEvery`-th admitted. */
function streamObservations(phase: string, count: number, admitEvery: number): Observation[] {
  return Array.from({ length: count }, (_, index) => ({
    seq: index,
    phase,
    purpose: 'rate',
    arrivalMs: index * 100,
    releaseMs: index * 100 + 5,
    latencyMs: 5,
    outcome: index % admitEvery === 0 ? 'admitted' : 'refused',
    tokens: 0,
    billedTokens: 0,
    status: index % admitEvery === 0 ? 200 : 429,
  }));
}

describe('measureOverdrive', () => {
  it('reads the offered pace and the admitted rate of a stream offered above perSecond', () => {
    // 20 requests at 10/s span 2 s; 10 of them admitted: 5 per second.
    const found = measureOverdrive([streamPhase('p1', 10)], streamObservations('p1', 20, 2), 8);
    expect(found).toEqual({ offeredPerSecond: 10, admittedPerSecond: 5 });
  });

  it('ignores streams within 10 % of perSecond, streams of other purposes and streams too short to measure', () => {
    expect(measureOverdrive([streamPhase('p1', 10.9)], streamObservations('p1', 20, 1), 10)).toBeNull();
    expect(measureOverdrive([streamPhase('p1', 20, 'confirm')], streamObservations('p1', 20, 1), 10)).toBeNull();
    expect(measureOverdrive([streamPhase('p1', 20)], streamObservations('p1', 7, 1), 10)).toBeNull();
    expect(measureOverdrive([streamPhase('p1', 20)], streamObservations('p1', 20, 1), 0)).toBeNull();
  });

  it('takes the stream offered the most above perSecond', () => {
    const phases = [streamPhase('p1', 13), streamPhase('p2', 20)];
    const observations = [...streamObservations('p1', 20, 1), ...streamObservations('p2', 20, 4)];
    expect(measureOverdrive(phases, observations, 10)).toEqual({ offeredPerSecond: 20, admittedPerSecond: 5 });
  });
});

describe('the probe reports an overdrive collapse', () => {
  it.each([1, 2, 3])('whole-token bucket, seed %i: admitted o / ceil(o / R) when offered o, perSecond R', async (seed) => {
    const limiter = compoundCase('whole-token-bucket', seed);
    const result = await probeCase(limiter);
    const requests = result.inferred.requests;
    const context = `${limiter.name}: found ${JSON.stringify(requests)}\n${traceRecording(result.lines)}`;
    const rate = limiter.truth.perSecond!;
    expect(result.problems, context).toEqual([]);
    const offered = requests.overdriveOfferedPerSecond;
    expect(offered, context).toBeGreaterThan(1.1 * rate);
    const expected = offered! / Math.ceil(offered! / rate - 1e-9);
    expect(Math.abs(requests.overdriveAdmittedPerSecond! - expected) / expected, context).toBeLessThanOrEqual(0.15);
    expect(overdriveSentence({ effective: { requests } } as Parameters<typeof overdriveSentence>[0]), context).toMatch(/^Offered .* it admitted only/);
  });

  it.each([11, 16])('plain token bucket, seed %i: overdriven it admits its refill rate, and no collapse is said', async (seed) => {
    const limiter = genericCase('token-bucket', seed);
    expect(limiter.name).not.toMatch(/penalty=true/);
    const result = await probeCase(limiter);
    const requests = result.inferred.requests;
    const context = `${limiter.name}: found ${JSON.stringify(requests)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    expect(requests.overdriveOfferedPerSecond, context).toBeGreaterThan(1.1 * limiter.truth.perSecond!);
    expect(Math.abs(requests.overdriveAdmittedPerSecond! - limiter.truth.perSecond!) / limiter.truth.perSecond!, context).toBeLessThanOrEqual(0.15);
    expect(overdriveSentence({ effective: { requests } } as Parameters<typeof overdriveSentence>[0]), context).toBeNull();
  });

  it.each([13, 14])('token bucket that counts refusals, seed %i: overdriven it admits almost nothing, and the verdict says so', async (seed) => {
    const limiter = genericCase('token-bucket', seed);
    expect(limiter.name).toMatch(/penalty=true/);
    const result = await probeCase(limiter);
    const requests = result.inferred.requests;
    const context = `${limiter.name}: found ${JSON.stringify(requests)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    expect(requests.overdriveAdmittedPerSecond, context).toBeLessThan(0.5 * limiter.truth.perSecond!);
    expect(overdriveSentence({ effective: { requests } } as Parameters<typeof overdriveSentence>[0]), context).toMatch(/^Offered .* it admitted only/);
  });
});
