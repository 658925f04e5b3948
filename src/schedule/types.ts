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

/**
 * One realtime phase (docs/realtime.md), times relative to its own start. Each
 * shot is a WebSocket session, not a request; src/run/realtime/sources.ts turns
 * the phase into sessions. Here, below run, so a scenario file can name them too.
 * - `sessions`: `count` sessions, all at once or at `ratePerSecond`, each held `holdMs`
 *   after its first event (0: closed after `session.created`), with `turns` responses;
 * - `session-ramp`: +`step` sessions every `everyMs` up to `max`, all held until the ramp ends;
 * - `turns`: `sessions` sessions, each sending `turns` responses `turnGapMs` apart.
 */
export type RealtimePhase =
  | { kind: 'sessions'; name: string; count: number; ratePerSecond: number | null; holdMs: number; turns: number }
  | { kind: 'session-ramp'; name: string; step: number; everyMs: number; max: number; holdAfterMs: number }
  | { kind: 'turns'; name: string; sessions: number; turns: number; turnGapMs: number; maxOutputTokens: number; purpose: 'turns' | 'tokens' };
