/**
 * A scenario's phases as the schedule sees them: plain numbers, already validated.
 * src/scenario turns files and flags into these; src/schedule turns them into
 * planned offsets; src/run fires them.
 */
/**
 * Per-phase or per-request changes to the payload defaults. Declared here, with the
 * phases that carry them, so the schedule and the scenario files need nothing from
 * src/run (src/run/types.ts re-exports it for the transports).
 */
export interface PayloadOverrides {
  maxTokens?: number | null;
  promptTokens?: number | null;
  stream?: boolean;
}

/**
 * How a phase's requests go to the run's targets when there are several: `each` (every
 * target gets the whole phase, its instants leaving together), `round-robin` (one
 * request each in turn), `weighted` (shares by `weights`, interleaved smoothly).
 */
export interface PhaseSpread {
  mode: 'each' | 'round-robin' | 'weighted';
  /** Target name → weight (weighted only); a target not named weighs 0. */
  weights?: Readonly<Record<string, number>>;
}

interface PhaseBase {
  name: string;
  payload?: PayloadOverrides;
  /** Absent: round-robin over the targets (one target: all of them). */
  spread?: PhaseSpread;
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
