/**
 * The schedule: a pure function from a scenario's phases to planned offsets. No timers,
 * no I/O: the runner (src/run/runner.ts) decides when "now" is; this only says when each
 * request *should* go, so the arithmetic can be tested exactly.
 *
 * Phase shapes:
 *   - burst: `size` requests at the same instant, `bursts` times, `gapMs` apart. The phase
 *     ends at its last instant: a burst phase of one burst has length 0, so a phase after
 *     it starts at that same instant (put a `pause` between them to wait).
 *   - steady: a ramp whose rate does not change (one code path, see rate-curve.ts):
 *     ⌊rate × duration⌋ requests, request i at i × 1000 / rate ms, the first at 0.
 *   - ramp: request k at the time the area under the linear rate reaches k (rate-curve.ts).
 *   - pause: no requests, only length.
 *
 * Offsets live in a Float64Array (8 bytes a request: 8 MB for a million), never in one
 * object per request.
 */
import type { Phase } from './types.js';
import { arrivalCount, arrivalOffset, type RateCurve } from './rate-curve.js';

/** One phase placed on the run's time line. */
export interface PlannedPhase {
  phase: Phase;
  /** Offset of the phase start from the plan start, ms. */
  startMs: number;
  /** How long the phase lasts, ms (the next phase starts at startMs + lengthMs). */
  lengthMs: number;
  /** Offsets of its requests from the phase start, ms, non-decreasing, all < lengthMs (≤ for bursts). */
  offsets: Float64Array;
}

/** A whole scenario on one time line. */
export interface ScenarioPlan {
  phases: PlannedPhase[];
  /** Length of the whole plan, ms. */
  totalMs: number;
  /** Number of planned requests over all phases. */
  totalRequests: number;
}

/** The steady or ramp phase as a rate curve; null for bursts and pauses. */
function rateCurveOf(phase: Phase): RateCurve | null {
  switch (phase.kind) {
    case 'steady':
      return { fromPerSecond: phase.ratePerSecond, toPerSecond: phase.ratePerSecond, durationMs: phase.durationMs };
    case 'ramp':
      return { fromPerSecond: phase.fromPerSecond, toPerSecond: phase.toPerSecond, durationMs: phase.durationMs };
    default:
      return null;
  }
}

/** Number of requests a phase plans (without computing their offsets). */
export function phaseRequestCount(phase: Phase): number {
  switch (phase.kind) {
    case 'burst':
      return Math.max(0, phase.size) * Math.max(0, phase.bursts);
    case 'pause':
      return 0;
    default:
      return arrivalCount(rateCurveOf(phase)!);
  }
}

/** How long a phase lasts, ms. A burst ends at its last instant: (bursts − 1) × gapMs. */
export function phaseLengthMs(phase: Phase): number {
  switch (phase.kind) {
    case 'burst':
      return Math.max(0, phase.bursts - 1) * phase.gapMs;
    default:
      return phase.durationMs;
  }
}

/** Offsets (ms from the phase start) of every request the phase plans, in order. */
export function planPhase(phase: Phase): Float64Array {
  const offsets = new Float64Array(phaseRequestCount(phase));
  if (phase.kind === 'burst') {
    for (let index = 0; index < offsets.length; index++) {
      offsets[index] = Math.floor(index / phase.size) * phase.gapMs;
    }
    return offsets;
  }
  const curve = rateCurveOf(phase);
  if (curve === null) return offsets;
  for (let index = 0; index < offsets.length; index++) {
    offsets[index] = arrivalOffset(curve, index);
  }
  return offsets;
}

/** Places the phases one after the other and plans each one's offsets. */
export function planScenario(phases: readonly Phase[]): ScenarioPlan {
  let startMs = 0;
  let totalRequests = 0;
  const planned: PlannedPhase[] = [];
  for (const phase of phases) {
    const lengthMs = phaseLengthMs(phase);
    const offsets = planPhase(phase);
    planned.push({ phase, startMs, lengthMs, offsets });
    startMs += lengthMs;
    totalRequests += offsets.length;
  }
  return { phases: planned, totalMs: startMs, totalRequests };
}
