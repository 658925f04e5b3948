/**
 * A rate no experiment showed is not reported as measured (src/analysis/inference/dimension.ts,
 * rateShown). A recording of bursts only — each burst from silence admits 8 and refuses the
 * rest, a ping a second later is refused too, and nothing is ever paced — is explained as
 * well by a window of a few seconds as by "8 per 30 ms, then blocked": the fit may claim a
 * rate far above anything admitted. The figure then is the fastest admission seen, over
 * two of the claimed windows (a second at least), at low confidence, with a sentence saying
 * so; a recording that showed its rate keeps the fitted one.
 */
import { describe, expect, it } from 'vitest';
import { analyseDimension, type Observation } from '../../src/analysis/inference/index.js';
import { fastestAdmission } from '../../src/analysis/inference/dimension.js';
import { requestNotes } from '../../src/analysis/inference/notes.js';
import type { Sample } from '../../src/analysis/inference/samples.js';

function observation(seq: number, arrivalMs: number, admitted: boolean): Observation {
  return { seq, phase: 'p', purpose: 'burst', arrivalMs, releaseMs: arrivalMs + 2, latencyMs: 2, outcome: admitted ? 'admitted' : 'refused', tokens: 10, billedTokens: 0, status: admitted ? 200 : 429 };
}

/**
 * Bursts of 24 at once, 6 s apart: 8 admitted, 16 refused each time, and a ping 1 s after
 * each burst, refused (so no cap on requests in flight explains it: they were all answered).
 */
function burstsOnly(): Observation[] {
  const observations: Observation[] = [];
  for (let burst = 0; burst < 6; burst++) {
    for (let index = 0; index < 24; index++) observations.push(observation(observations.length, burst * 6000 + index * 0.05, index < 8));
    observations.push(observation(observations.length, burst * 6000 + 1000, false));
  }
  return observations;
}

/** A token bucket of 8 refilling 4 per second, shown: a burst, then 20 s paced at 3.8/s, all admitted. */
function pacedBelowTheRate(): Observation[] {
  const observations: Observation[] = [];
  for (let index = 0; index < 12; index++) observations.push(observation(observations.length, index * 0.05, index < 8));
  for (let index = 0; index < 76; index++) observations.push(observation(observations.length, 3000 + index * (1000 / 3.8), true));
  return observations;
}

describe('a rate no experiment showed', () => {
  it('fastestAdmission counts the most admissions in any span', () => {
    const samples: Sample[] = [0, 100, 200, 1500, 1600].map((atMs) => ({ atMs, releaseMs: atMs, weight: 1, admitted: true, label: 1 }));
    expect(fastestAdmission(samples, 1000)).toBe(3);
    expect(fastestAdmission(samples, 2000)).toBe(2.5);
    expect(fastestAdmission([], 1000)).toBe(0);
  });

  it('bursts only: the figure is the fastest admission seen, at low confidence, and the verdict says it was not shown', () => {
    const analysis = analyseDimension(burstsOnly(), 'requests');
    expect(analysis.figures!.burst).toBe(8);
    expect(analysis.rateNotShown).not.toBeNull();
    expect(analysis.figures!.perSecond).toBe(analysis.rateNotShown!.fastestAdmittedPerSecond);
    expect(analysis.figures!.perSecond).toBeLessThanOrEqual(8);
    expect(analysis.confidence).toBe('low');
    expect(requestNotes(analysis, { tpm: null, rpm: null }, { limit: null, windowSeconds: null }).join(' ')).toMatch(/No experiment showed how fast it admits in the long run/);
  });

  it('a rate that was shown keeps the fitted figure', () => {
    const analysis = analyseDimension(pacedBelowTheRate(), 'requests');
    expect(analysis.rateNotShown ?? null).toBeNull();
    expect(requestNotes(analysis, { tpm: null, rpm: null }, { limit: null, windowSeconds: null }).join(' ')).not.toMatch(/No experiment showed/);
  });
});
