/**
 * A scenario's phases as the schedule sees them: plain numbers, already validated.
 * src/scenario turns files and flags into these; src/schedule turns them into
 * planned offsets; src/run fires them.
 */
import type { PayloadOverrides } from '../run/types.js';

interface PhaseBase {
  name: string;
  payload?: PayloadOverrides;
}

/** `size` requests at the same instant, repeated `bursts` times `gapMs` apart. */
export interface BurstPhase extends PhaseBase {
  kind: 'burst';
  size: number;
  bursts: number;
  gapMs: number;
}

/** Open-loop constant arrival rate. */
export interface SteadyPhase extends PhaseBase {
  kind: 'steady';
  ratePerSecond: number;
  durationMs: number;
}

/** Arrival rate rising (or falling) linearly from `fromPerSecond` to `toPerSecond`. */
export interface RampPhase extends PhaseBase {
  kind: 'ramp';
  fromPerSecond: number;
  toPerSecond: number;
  durationMs: number;
}

/** Nothing sent for `durationMs`. */
export interface PausePhase extends PhaseBase {
  kind: 'pause';
  durationMs: number;
}

export type Phase = BurstPhase | SteadyPhase | RampPhase | PausePhase;
