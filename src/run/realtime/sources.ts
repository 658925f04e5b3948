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

/** The phases one after another (each starts when the previous one's sessions are all done), as a Source. */
export function realtimeSource<Line extends SentLine>(phases: readonly RealtimePhase[], gapMs = 1000): Source<Line> {
  let index = -1;
  let shots: PlannedShot[] = [];
  let shotIndex = 0;
  let inFlight = 0;
  let view: { now(): number } | null = null;
  let phaseStarted = false;
  const step: Step = { type: 'wait', untilMs: null };
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
        return { type: 'wait', untilMs: nowMs + gapMs };
      }
      index++;
      if (index >= phases.length) return { type: 'end', graceMs: Number.POSITIVE_INFINITY };
      const phase = phases[index]!;
      const startMs = (view?.now() ?? nowMs) + 10;
      shots = planRealtimePhase(phase, startMs).shots;
      shotIndex = 0;
      phaseStarted = true;
      return { type: 'phase', atMs: startMs, name: phase.name, kind: phase.kind, params: paramsOf(phase) };
    },
    observe(line) {
      if (line.type === 'session' || line.type === 'dropped') inFlight--;
    },
    hasMore() {
      return index < phases.length - 1 || shotIndex < shots.length;
    },
  };
}
