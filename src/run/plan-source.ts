/**
 * A fixed plan as a source (src/run/source.ts): the phases of a ScenarioPlan, their
 * `phase` lines at the phases' starts and their requests at base + phase start + offset,
 * fixed before the run, one shot per instant. Targets are used round-robin.
 *
 * The plan's clock starts after the warm-up of its first instant: when the plan begins
 * with requests at offset 0, the first step is a `prepare` for them, and the plan's times
 * count from the pull that follows it.
 */
import type { PlannedPhase, ScenarioPlan } from '../schedule/plan.js';
import { describePhase, type PhaseParams } from '../schedule/describe.js';
import type { LoopView, ShotStep, Source, Step } from './source.js';

/** A ScenarioPlan, step by step. `baseMs` is the clock time the plan's offsets count from. */
export class PlanSource implements Source {
  /** Clock time the plan's offsets count from, ms (set when the plan's clock starts). */
  baseMs = 0;
  /** Requests handed to the loop so far. */
  private handedOut = 0;
  private phaseIndex = -1;
  private offsetIndex = 0;
  private inPhase = false;
  private warmUpOffered = false;
  private clockStarted = false;
  /** One reused shot: the loop acts on a step before pulling the next (no allocation per request). */
  private readonly shotStep: ShotStep = { type: 'shot', atMs: 0, count: 0, phase: '' };

  constructor(
    private readonly plan: ScenarioPlan,
    /** Extra parameters for a phase's line (e.g. a purpose), merged over the phase's own. */
    private readonly phaseParams?: (planned: PlannedPhase, index: number) => PhaseParams,
  ) {}

  start(view: LoopView): void {
    this.baseMs = view.now();
  }

  hasMore(): boolean {
    return this.handedOut < this.plan.totalRequests;
  }

  next(nowMs: number): Step {
    if (!this.warmUpOffered) {
      this.warmUpOffered = true;
      const size = firstInstantSize(this.plan);
      if (size > 0) return { type: 'prepare', connections: size };
    }
    if (!this.clockStarted) {
      this.clockStarted = true;
      this.baseMs = nowMs;
    }
    const phases = this.plan.phases;
    for (;;) {
      if (!this.inPhase) {
        this.phaseIndex++;
        if (this.phaseIndex >= phases.length) return { type: 'end', atMs: this.baseMs + this.plan.totalMs };
        const planned = phases[this.phaseIndex]!;
        this.inPhase = true;
        this.offsetIndex = 0;
        const offsets = planned.offsets;
        return {
          type: 'phase',
          atMs: this.baseMs + planned.startMs,
          name: planned.phase.name,
          kind: planned.phase.kind,
          params: { ...describePhase(planned.phase), ...(this.phaseParams?.(planned, this.phaseIndex) ?? {}) },
          warm: offsets.length > 0 && offsets[0] === 0 ? groupEndOf(offsets, 0) : 0,
        };
      }
      const planned = phases[this.phaseIndex]!;
      const offsets = planned.offsets;
      if (this.offsetIndex >= offsets.length) {
        this.inPhase = false;
        continue;
      }
      const groupEnd = groupEndOf(offsets, this.offsetIndex);
      const shot = this.shotStep;
      shot.atMs = this.baseMs + planned.startMs + offsets[this.offsetIndex]!;
      shot.count = groupEnd - this.offsetIndex;
      shot.phase = planned.phase.name;
      shot.payload = planned.phase.payload;
      this.handedOut += shot.count;
      this.offsetIndex = groupEnd;
      return shot;
    }
  }
}

/** The index after the last offset equal to offsets[from]: the end of that instant's group. */
function groupEndOf(offsets: Float64Array, from: number): number {
  let end = from + 1;
  while (end < offsets.length && offsets[end] === offsets[from]) end++;
  return end;
}

/** Requests due at the plan's very first instant (time 0), or 0 when it starts later or sends nothing. */
function firstInstantSize(plan: ScenarioPlan): number {
  const first = plan.phases.findIndex((planned) => planned.offsets.length > 0);
  if (first < 0) return 0;
  const planned = plan.phases[first]!;
  if (planned.startMs + planned.offsets[0]! > 0) return 0;
  return groupEndOf(planned.offsets, 0);
}
