/**
 * The realtime experiments as sources of the firing loop (src/run/source.ts):
 * each shot is one session, and the tags tell the session sender how long to
 * hold it and how many turns to send in it.
 *
 * - `sessions`: N sessions, all at once (a burst) or at R per second, each closed
 *   after `session.created` unless a hold is asked for: the open-rate experiment.
 * - `session-ramp`: +k sessions every T, each held until the ramp's end, up to a
 *   maximum: the concurrency experiment (Microsoft's own recipe is +20 every
 *   90–120 s). The sessions of one step leave a little apart, so the order in
 *   which the service counts them is the order in which they were asked.
 * - `turns`: S sessions, each sending K `response.create` turns: responses and
 *   tokens per minute.
 */
import type { PhaseLine } from '../../record/types.js';
import type { RealtimePhase } from '../../schedule/types.js';
import type { SentLine, Source, Step } from '../source.js';

/** The phase type lives with the other phase types (src/schedule/types.ts); re-exported for the realtime runner's callers. */
export type { RealtimePhase };

/** Sessions the phase opens. */
export function sessionsOf(phase: RealtimePhase): number {
  if (phase.kind === 'sessions') return phase.count;
  if (phase.kind === 'session-ramp') return phase.max;
  return phase.sessions;
}

/** Gap between two sessions of one ramp step, ms. */
const RAMP_SPACING_MS = 50;

interface PlannedShot {
  atMs: number;
  tags: Record<string, number>;
}

/** The shots of a phase starting at `startMs` (absolute), and when it is over (its last session closed, at best). */
export function planRealtimePhase(phase: RealtimePhase, startMs: number): { shots: PlannedShot[]; endMs: number } {
  const shots: PlannedShot[] = [];
  if (phase.kind === 'sessions') {
    for (let index = 0; index < phase.count; index++) {
      const offset = phase.ratePerSecond === null ? 0 : (index * 1000) / phase.ratePerSecond;
      shots.push({ atMs: startMs + offset, tags: { hold: phase.holdMs, turns: phase.turns } });
    }
  } else if (phase.kind === 'session-ramp') {
    const spacing = Math.min(RAMP_SPACING_MS, phase.everyMs / Math.max(1, phase.step));
    const steps = Math.ceil(phase.max / phase.step);
    const rampEndMs = startMs + (steps - 1) * phase.everyMs + phase.step * spacing + phase.holdAfterMs;
    for (let index = 0; index < phase.max; index++) {
      const step = Math.floor(index / phase.step);
      const atMs = startMs + step * phase.everyMs + (index % phase.step) * spacing;
      shots.push({ atMs, tags: { hold: Math.max(0, rampEndMs - atMs) } });
    }
    return { shots, endMs: rampEndMs };
  } else {
    for (let index = 0; index < phase.sessions; index++) {
      shots.push({ atMs: startMs + index * RAMP_SPACING_MS, tags: { turns: phase.turns, turnGap: phase.turnGapMs, maxOutputTokens: phase.maxOutputTokens, hold: 0 } });
    }
  }
  const last = shots.at(-1)?.atMs ?? startMs;
  return { shots, endMs: last };
}

/** A phase line's parameters: plain values only. */
function paramsOf(phase: RealtimePhase): PhaseLine['params'] {
  const { kind: _kind, name: _name, ...rest } = phase;
  return { ...rest };
}

/**
 * How a realtime plan is laid out in time and shared (docs/sharding.md). Without any of
 * these the phases simply follow one another (each when the previous one's sessions are
 * done), which is what a lone run wants.
 */
export interface RealtimeSchedule {
  /**
   * Shard `index` of `count`: this process opens the sessions whose number in the whole
   * plan (counted over every phase, from 0) is `index` modulo `count`, each at its
   * planned time; a session's turns go with it. The shards together open the plan once.
   */
  shard?: { index: number; count: number };
  /** Clock time before which the first phase does not start: the shared start of a sharded run. */
  notBeforeMs?: number;
  /**
   * Planned phase starts, like HTTP phases: phase k + 1 is due at phase k's planned
   * start plus its planned length (realtimePhaseLengthMs) plus the gap, so shards that
   * started together start every phase together. A phase whose sessions on this
   * process outlast that (a slow close, a turn that took long) delays the next one
   * until they are done: a phase never overlaps the previous one's sessions, and the
   * merged report's cross-shard spread shows the lateness.
   */
  plannedStarts?: boolean;
}

/** Time a session is given to close after its planned end (its close handshake, the last event), ms. */
const SESSION_SETTLE_MS = 2_000;
/** Time planned for one response of a turns phase beyond its gap (the tiny answers the turns ask for), ms. */
const TURN_ALLOWANCE_MS = 500;

/** How long a phase is planned to last from its start until its sessions have closed, ms (the planned-starts schedule). */
export function realtimePhaseLengthMs(phase: RealtimePhase): number {
  const { shots, endMs } = planRealtimePhase(phase, 0);
  if (phase.kind === 'session-ramp') return endMs + SESSION_SETTLE_MS;
  const turns = phase.turns;
  const turnGapMs = phase.kind === 'turns' ? phase.turnGapMs : 0;
  const holdMs = phase.kind === 'sessions' ? phase.holdMs : 0;
  const lastOpenMs = shots.at(-1)?.atMs ?? 0;
  return lastOpenMs + holdMs + turns * (turnGapMs + TURN_ALLOWANCE_MS) + SESSION_SETTLE_MS;
}

/** The phases one after another as a Source: see RealtimeSchedule for when each starts and which sessions this process opens. */
export function realtimeSource<Line extends SentLine>(phases: readonly RealtimePhase[], gapMs = 1000, schedule: RealtimeSchedule = {}): Source<Line> {
  let index = -1;
  let shots: PlannedShot[] = [];
  let shotIndex = 0;
  let inFlight = 0;
  let view: { now(): number } | null = null;
  let phaseStarted = false;
  /** Sessions of the whole plan before the current phase (the shard's share counts from here). */
  let sessionsBefore = 0;
  /** Planned start of the next phase, clock ms (plannedStarts only; null until the first phase). */
  let nextPlannedMs: number | null = null;
  const step: Step = { type: 'wait', untilMs: null };
  const shard = schedule.shard !== undefined && schedule.shard.count > 1 ? schedule.shard : null;
  return {
    start(loopView) {
      view = loopView;
    },
    next(nowMs) {
      if (index >= 0 && shotIndex < shots.length) {
        const shot = shots[shotIndex]!;
        shotIndex++;
        inFlight++;
        return { type: 'shot', atMs: shot.atMs, count: 1, phase: phases[index]!.name, tags: shot.tags };
      }
      // The phase's sessions are all sent: wait until they are all done before the next phase.
      if (index >= 0 && inFlight > 0) return step;
      if (phaseStarted) {
        phaseStarted = false;
        if (index + 1 >= phases.length) return { type: 'end', graceMs: Number.POSITIVE_INFINITY };
        if (schedule.plannedStarts !== true) return { type: 'wait', untilMs: nowMs + gapMs };
      }
      index++;
      if (index >= phases.length) return { type: 'end', graceMs: Number.POSITIVE_INFINITY };
      const phase = phases[index]!;
      const soonest = (view?.now() ?? nowMs) + 10;
      let startMs = soonest;
      if (index === 0) startMs = Math.max(soonest, schedule.notBeforeMs ?? Number.NEGATIVE_INFINITY);
      else if (schedule.plannedStarts === true && nextPlannedMs !== null) startMs = Math.max(soonest, nextPlannedMs);
      // The planned time line does not move with a late phase: every shard keeps the same one.
      if (schedule.plannedStarts === true) nextPlannedMs = (nextPlannedMs ?? startMs) + realtimePhaseLengthMs(phase) + gapMs;
      const planned = planRealtimePhase(phase, startMs).shots;
      shots = shard === null ? planned : planned.filter((_, offset) => (sessionsBefore + offset) % shard.count === shard.index);
      sessionsBefore += planned.length;
      shotIndex = 0;
      phaseStarted = true;
      const shardParams: PhaseLine['params'] = shard === null ? {} : { shardSessions: shots.length };
      return { type: 'phase', atMs: startMs, name: phase.name, kind: phase.kind, params: { ...paramsOf(phase), ...shardParams } };
    },
    observe(line) {
      if (line.type === 'session' || line.type === 'dropped') inFlight--;
    },
    hasMore() {
      return index < phases.length - 1 || shotIndex < shots.length;
    },
  };
}

/** The sessions of `phases` that shard `index` of `count` opens (RealtimeSchedule.shard), phase by phase. */
export function shardSessionCounts(phases: readonly RealtimePhase[], shard: { index: number; count: number }): number[] {
  let before = 0;
  return phases.map((phase) => {
    const total = sessionsOf(phase);
    let kept = 0;
    for (let offset = 0; offset < total; offset++) if ((before + offset) % shard.count === shard.index) kept++;
    before += total;
    return kept;
  });
}
