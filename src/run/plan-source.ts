/**
 * A fixed plan as a source (src/run/source.ts): the phases of a ScenarioPlan, their
 * `phase` lines at the phases' starts and their requests at base + phase start + offset,
 * fixed before the run, one shot per instant. Targets are used round-robin unless the
 * phase says otherwise (its `spread`): `each` hands every instant to every target, one
 * shot each at the same time (the loop fires consecutive shots due at one instant in one
 * synchronous stretch, so bursts to several targets leave together); `weighted` splits
 * each instant by the phase's weights with a smooth weighted round-robin (nginx's
 * algorithm), so a steady phase interleaves targets instead of sending them in runs.
 *
 * The plan's clock starts after the warm-up of its first instant: when the plan begins
 * with requests at offset 0, the first step is a `prepare` for them, and the plan's times
 * count from the pull that follows it.
 */
import type { PlannedPhase, ScenarioPlan } from '../schedule/plan.js';
import { describePhase, type PhaseParams } from '../schedule/describe.js';
import type { Phase } from '../schedule/types.js';
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
  /** Shots of the current instant still to hand out, one per target (spread `each` or `weighted`). */
  private pending: { target: string; count: number }[] = [];
  private pendingAtMs = 0;
  /** Smooth weighted round-robin state of the current phase: target → current weight. */
  private weightedCurrent = new Map<string, number>();
  /** Requests the plan hands out over all its targets (a phase spread to `each` counts once per target). */
  readonly totalRequests: number;

  constructor(
    private readonly plan: ScenarioPlan,
    /** Extra parameters for a phase's line (e.g. a purpose), merged over the phase's own. */
    private readonly phaseParams?: (planned: PlannedPhase, index: number) => PhaseParams,
    /** The loop's target ids, for phases with a `spread`. */
    private readonly targetIds: readonly string[] = [],
    /**
     * Clock time before which the plan's clock does not start: a synchronised start of
     * several shards (docs/sharding.md). The warm-up of the first instant still happens
     * at once, so the connections are ready when the shared start comes.
     */
    private readonly notBeforeMs: number = Number.NEGATIVE_INFINITY,
  ) {
    let total = 0;
    for (const planned of plan.phases) total += planned.offsets.length * (this.spreadsToEach(planned.phase) ? targetIds.length : 1);
    this.totalRequests = total;
  }

  private spreadsToEach(phase: Phase): boolean {
    return phase.spread?.mode === 'each' && this.targetIds.length > 1;
  }

  start(view: LoopView): void {
    this.baseMs = view.now();
  }

  hasMore(): boolean {
    return this.handedOut < this.totalRequests;
  }

  next(nowMs: number): Step {
    if (!this.warmUpOffered) {
      this.warmUpOffered = true;
      const size = firstInstantSize(this.plan);
      if (size > 0) return { type: 'prepare', connections: size };
    }
    if (!this.clockStarted) {
      this.clockStarted = true;
      this.baseMs = Math.max(nowMs, this.notBeforeMs);
    }
    const phases = this.plan.phases;
    const waiting = this.pending.pop();
    if (waiting !== undefined) return this.shot(this.pendingAtMs, waiting.count, phases[this.phaseIndex]!.phase, waiting.target);
    for (;;) {
      if (!this.inPhase) {
        this.phaseIndex++;
        if (this.phaseIndex >= phases.length) return { type: 'end', atMs: this.baseMs + this.plan.totalMs };
        const planned = phases[this.phaseIndex]!;
        this.inPhase = true;
        this.offsetIndex = 0;
        this.weightedCurrent = new Map();
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
      const atMs = this.baseMs + planned.startMs + offsets[this.offsetIndex]!;
      const count = groupEnd - this.offsetIndex;
      this.offsetIndex = groupEnd;
      const spread = planned.phase.spread;
      if (this.targetIds.length > 1 && spread !== undefined && spread.mode !== 'round-robin') {
        // Reversed, so pop() hands them out in target order.
        this.pending = (spread.mode === 'each' ? this.targetIds.map((target) => ({ target, count })) : this.weightedSplit(count, spread.weights ?? {})).reverse();
        this.pendingAtMs = atMs;
        const first = this.pending.pop()!;
        return this.shot(atMs, first.count, planned.phase, first.target);
      }
      return this.shot(atMs, count, planned.phase, undefined);
    }
  }

  private shot(atMs: number, count: number, phase: Phase, target: string | undefined): ShotStep {
    const shot = this.shotStep;
    shot.atMs = atMs;
    shot.count = count;
    shot.phase = phase.name;
    shot.payload = phase.payload;
    if (target === undefined) delete shot.target;
    else shot.target = target;
    this.handedOut += count;
    return shot;
  }

  /**
   * `count` requests split by weight with smooth weighted round-robin: each pick adds
   * every target's weight to its current value, takes the largest, and lowers it by the
   * total. Over a phase the shares match the weights and the targets interleave.
   */
  private weightedSplit(count: number, weights: Readonly<Record<string, number>>): { target: string; count: number }[] {
    const total = this.targetIds.reduce((sum, id) => sum + (weights[id] ?? 0), 0);
    const counts = new Map<string, number>();
    for (let pick = 0; pick < count; pick++) {
      let best: string | null = null;
      for (const id of this.targetIds) {
        const current = (this.weightedCurrent.get(id) ?? 0) + (weights[id] ?? 0);
        this.weightedCurrent.set(id, current);
        if ((weights[id] ?? 0) > 0 && (best === null || current > this.weightedCurrent.get(best)!)) best = id;
      }
      const chosen = best ?? this.targetIds[pick % this.targetIds.length]!;
      this.weightedCurrent.set(chosen, this.weightedCurrent.get(chosen)! - total);
      counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
    }
    return this.targetIds.filter((id) => counts.has(id)).map((target) => ({ target, count: counts.get(target)! }));
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
