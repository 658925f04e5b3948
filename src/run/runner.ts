/**
 * The runner: fires a planned sequence of requests at their absolute times and records
 * what happened. It is the firing loop (src/run/loop.ts) fed by the plan as a source
 * (src/run/plan-source.ts); it knows nothing about files, tables or process (the sink,
 * the clock and the transports are injected).
 *
 * What it guarantees:
 *   - No drift. Request times are base + phase start + offset, fixed before the run. A
 *     request found late is sent at once (catch-up); later requests keep their times.
 *   - Bursts in one tick. All requests planned for the same instant are handed to the
 *     transport in one synchronous loop, with no await in between.
 *   - Open loop with a ceiling. A request that finds `maxInFlight` requests in flight is
 *     not queued (a queue would turn the open arrival model back into a closed one and
 *     hide the limit): it becomes a `dropped` line with reason `max-in-flight`.
 *   - Every started request is recorded: the transport turns every outcome, aborts
 *     included, into a RequestLine, which goes to the sink as soon as it completes.
 *   - Two-stage stop (k6's gracefulStop, vegeta's first/second signal):
 *       1. at the end of the plan, when `stopSignal` aborts, or when `maxRequests` would
 *          be exceeded, no new request starts. Planned requests not started by then are
 *          NOT recorded (as in k6, they never existed on the wire); the result counts
 *          them as `unsent` so the caller can say so.
 *       2. requests still in flight get `graceMs` (counted from the plan's end or the
 *          stop) to finish; then they are cut through the AbortSignal handed to
 *          `transport.send`, and the transport records them with errorKind `aborted`.
 *     `abortSignal` skips the grace period and cuts at once.
 *   - Warm connections for bursts: `transport.prepare(n)` is called in the gap before
 *     every instant of more than one request (n = its size per target, at most
 *     maxInFlight), and awaited before the clock starts when the plan begins with one.
 *
 * Sequence numbers count planned requests in plan order from `firstSeq`: sent and
 * dropped requests take one each, so a gap in the sent seqs shows a drop. Targets are
 * used round-robin in that same order.
 */
import type { PlannedPhase, ScenarioPlan } from '../schedule/plan.js';
import type { PhaseParams } from '../schedule/describe.js';
import type { RunnerOptions, Transport } from './types.js';
import { runSource, type LoopTarget } from './loop.js';
import { PlanSource } from './plan-source.js';
import { RetryingSource, type RetryingOptions } from './retrying-source.js';

/** One target of a multi-target run: its id (the `target` field of every line) and its transport. */
export interface RunTarget {
  id: string;
  transport: Transport;
}

/** Options of one runner pass. Either `transport` (one target) or `targets` (round-robin). */
export interface RunPlanOptions extends Omit<RunnerOptions, 'transport'> {
  /** The single target's transport (its id is `targetId`). */
  transport?: Transport;
  /** Id of `transport` in the recording. Default "default". */
  targetId?: string;
  /** Several targets, used round-robin in seq order. */
  targets?: readonly RunTarget[];
  /** seq of the first planned request. Default 0. Pass the previous result's `nextSeq` to continue a recording. */
  firstSeq?: number;
  /** Budget: never start more than this many requests; the run then ends with reason "budget". */
  maxRequests?: number;
  /** Extra parameters for a phase's line (e.g. the probe's purpose), merged over the phase's own. */
  phaseParams?: (planned: PlannedPhase, index: number) => PhaseParams;
  /** Longest wait for the warm-up of the first instant before starting the clock, ms. Default 5000. */
  prepareTimeoutMs?: number;
  /** `--retry`: every planned request becomes a caller retrying by this policy (src/run/retrying-source.ts). */
  retry?: RetryingOptions;
  /** Clock time the plan starts at, at the earliest: the shared start of a sharded run. */
  notBeforeMs?: number;
  /** Step between consecutive seqs (a shard's share of a split plan; see LoopOptions.seqStep). */
  seqStep?: number;
}

/** How a runner pass ended and what it did. Every count is exact. */
export interface RunPlanResult {
  /** "completed": the plan ran to its end; "interrupted": a stop or abort signal; "budget": maxRequests reached. */
  reason: 'completed' | 'interrupted' | 'budget';
  /** Requests started; each wrote exactly one `request` line (cut ones included). */
  sent: number;
  /** Planned requests recorded as `dropped` (the in-flight ceiling). */
  dropped: number;
  /** Planned requests neither sent nor dropped because the run stopped first; not recorded. */
  unsent: number;
  /** In-flight requests cut by the abort (grace over, or abortSignal); included in `sent`. */
  cut: number;
  /** The seq after the last one used. */
  nextSeq: number;
  /** Clock time the plan's offsets counted from, ms. */
  startMs: number;
  /** Clock time the last in-flight request settled, ms. */
  endMs: number;
}

/** Runs `plan` from now; see the module comment for the guarantees. */
export async function runPlan(plan: ScenarioPlan, options: RunPlanOptions): Promise<RunPlanResult> {
  const targets = resolveTargets(options);
  const source = new PlanSource(plan, options.phaseParams, targets.map((target) => target.id), options.notBeforeMs);
  const retrying = options.retry === undefined ? null : new RetryingSource(source, options.retry);
  const result = await runSource(retrying ?? source, {
    clock: options.clock,
    sink: options.sink,
    targets,
    maxInFlight: options.maxInFlight,
    graceMs: options.graceMs,
    ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    ...(options.firstSeq !== undefined ? { firstSeq: options.firstSeq } : {}),
    ...(options.seqStep !== undefined ? { seqStep: options.seqStep } : {}),
    ...(options.maxRequests !== undefined ? { maxRequests: options.maxRequests } : {}),
    ...(options.prepareTimeoutMs !== undefined ? { prepareTimeoutMs: options.prepareTimeoutMs } : {}),
  });
  return {
    reason: result.reason,
    sent: result.sent,
    dropped: result.dropped,
    // Retries are not planned requests: only first attempts count against the plan.
    unsent: source.totalRequests - (result.handled - (retrying?.retriesHanded ?? 0)),
    cut: result.cut,
    nextSeq: result.nextSeq,
    startMs: source.baseMs,
    endMs: result.endMs,
  };
}

function resolveTargets(options: RunPlanOptions): LoopTarget[] {
  if (options.targets && options.targets.length > 0) {
    if (options.transport) throw new TypeError('runPlan: pass either `transport` or `targets`, not both');
    return options.targets.map((target) => ({ id: target.id, sender: target.transport }));
  }
  if (!options.transport) throw new TypeError('runPlan: a `transport` or at least one of `targets` is required');
  return [{ id: options.targetId ?? 'default', sender: options.transport }];
}
