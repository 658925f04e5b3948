/**
 * Splitting one plan across several machines with no communication (docs/sharding.md):
 * shard `index` of `count` takes the plan's requests whose number in the whole plan is
 * `index` modulo `count` — k6's execution segments with equal segments, striped. Every
 * phase keeps its place and length on the time line; only its requests are shared out:
 * a burst's requests are divided between the shards (each instant keeps its time), a
 * steady or ramp phase's arrivals interleave (shard 0 sends arrivals 0, N, 2N…). So the
 * union of the shards' plans is the unsplit plan exactly, request for request, and shard
 * `index`'s k-th request is request `index + k × count` of the unsplit plan (its seq).
 */
import type { PlannedPhase, ScenarioPlan } from './plan.js';

/** Which share of a plan a process runs: shard `index` (from 0) of `count`. */
export interface ShardSlice {
  index: number;
  count: number;
}

/** The requests of `plan` that shard `slice.index` of `slice.count` sends, on the unsplit plan's time line. */
export function shardPlan(plan: ScenarioPlan, slice: ShardSlice): ScenarioPlan {
  if (!Number.isInteger(slice.count) || slice.count < 1 || !Number.isInteger(slice.index) || slice.index < 0 || slice.index >= slice.count) {
    throw new RangeError(`shardPlan: shard ${slice.index} of ${slice.count} is not a shard (0 ≤ index < count)`);
  }
  if (slice.count === 1) return plan;
  let planIndex = 0;
  let totalRequests = 0;
  const phases: PlannedPhase[] = plan.phases.map((planned) => {
    const kept: number[] = [];
    for (let offsetIndex = 0; offsetIndex < planned.offsets.length; offsetIndex++, planIndex++) {
      if (planIndex % slice.count === slice.index) kept.push(planned.offsets[offsetIndex]!);
    }
    totalRequests += kept.length;
    return { ...planned, offsets: Float64Array.from(kept) };
  });
  return { phases, totalMs: plan.totalMs, totalRequests };
}
