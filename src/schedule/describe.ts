/**
 * A phase's parameters as plain values, for the `phase` line of the recording
 * (PhaseLine.params) and for plan previews. Kept next to the schedule so the names
 * match the phase fields one to one; analysis and reports read these, so they are a
 * small contract: add names, never rename them.
 */
import type { Phase } from './types.js';
import { phaseLengthMs, phaseRequestCount } from './plan.js';

/** Plain values a PhaseLine may carry. */
export type PhaseParams = Record<string, string | number | boolean | null>;

/**
 * The parameters of a phase: its shape (size/bursts/gapMs, ratePerSecond, fromPerSecond/
 * toPerSecond, durationMs), its planned request count and length, and its payload
 * overrides when it has any.
 */
export function describePhase(phase: Phase): PhaseParams {
  const params: PhaseParams = {};
  switch (phase.kind) {
    case 'burst':
      params.size = phase.size;
      params.bursts = phase.bursts;
      params.gapMs = phase.gapMs;
      break;
    case 'steady':
      params.ratePerSecond = phase.ratePerSecond;
      params.durationMs = phase.durationMs;
      break;
    case 'ramp':
      params.fromPerSecond = phase.fromPerSecond;
      params.toPerSecond = phase.toPerSecond;
      params.durationMs = phase.durationMs;
      break;
    case 'pause':
      params.durationMs = phase.durationMs;
      break;
  }
  params.requests = phaseRequestCount(phase);
  params.lengthMs = phaseLengthMs(phase);
  if (phase.payload?.maxTokens !== undefined) params.maxTokens = phase.payload.maxTokens;
  if (phase.payload?.promptTokens !== undefined) params.promptTokens = phase.payload.promptTokens;
  if (phase.payload?.stream !== undefined) params.stream = phase.payload.stream;
  return params;
}
