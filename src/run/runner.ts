/**
 * The runner: fires a planned sequence of requests at their absolute times and records
 * what happened. The one time-dependent loop of the program; it knows nothing about
 * files, tables or process (the sink, the clock and the transports are injected).
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
import { setMaxListeners } from 'node:events';
import type { DroppedLine, PhaseLine, RecordSink, RequestLine } from '../record/types.js';
import type { PlannedPhase, ScenarioPlan } from '../schedule/plan.js';
import { describePhase, type PhaseParams } from '../schedule/describe.js';
import type { RunnerOptions, SendRequest, Transport } from './types.js';
import type { Clock } from './clock.js';

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

/**
 * Requests fired while behind schedule before the runner yields to the event loop once,
 * so responses are read (and the in-flight count falls) even when it never catches up.
 */
const YIELD_EVERY = 256;

/**
 * Shortest time between two wake-ups of the schedule loop, ms.
 *
 * Why: every sleep costs a Promise, event-loop turns and a kernel wake-up, and on a shared
 * core each wake-up is a chance to lose the CPU to another process. Above 2000
 * requests/s (periods under 0.5 ms) sleeping once per request made the runner spend more
 * time waking than sending (steady 5000/s: ~140 µs of CPU per request against ~60 µs at
 * saturation, and drops). So when the next request is due sooner than this after the last
 * wake-up, the runner sleeps to `last wake-up + MIN_WAKE_GAP_MS` instead and then sends
 * every request already due in one synchronous loop. A request is then at most this late
 * (never early), and times stay absolute: the plan is not shifted, so nothing drifts. At
 * 2000/s and below (every burst, 1000/s pacing) each request still gets its own wake-up.
 */
const MIN_WAKE_GAP_MS = 0.5;

/** Runs `plan` from now; see the module comment for the guarantees. */
export async function runPlan(plan: ScenarioPlan, options: RunPlanOptions): Promise<RunPlanResult> {
  return new PlanRun(plan, options).run();
}

/** The state of one pass: counters, signals and the loops that use them. */
class PlanRun {
  private readonly clock: Clock;
  private readonly sink: RecordSink;
  private readonly targets: readonly RunTarget[];
  private readonly maxInFlight: number;
  private readonly maxRequests: number;
  private readonly totalRequests: number;

  /** Aborted when no new request may start (end of plan is not a stop: the loop just ends). */
  private readonly stopController = new AbortController();
  /** Aborted to cut in-flight requests; its signal goes to every transport.send. */
  private readonly cutController = new AbortController();

  private baseMs = 0;
  private seq: number;
  private targetCursor = 0;
  private inFlight = 0;
  private sent = 0;
  private dropped = 0;
  private planned = 0;
  private cut = 0;
  private firedSinceYield = 0;
  /** The time the schedule loop last slept until (see MIN_WAKE_GAP_MS). */
  private lastWakeMs = Number.NEGATIVE_INFINITY;
  private interrupted = false;
  private budgetReached = false;
  private failure: { error: unknown } | null = null;
  private resolveDrained: (() => void) | null = null;

  constructor(
    private readonly plan: ScenarioPlan,
    private readonly options: RunPlanOptions,
  ) {
    this.clock = options.clock;
    this.sink = options.sink;
    this.targets = resolveTargets(options);
    this.maxInFlight = Math.max(1, options.maxInFlight);
    this.maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
    this.seq = options.firstSeq ?? 0;
    this.totalRequests = plan.totalRequests;
    // Every in-flight request listens on the cut signal (one listener each), and the
    // stop signal wakes every sleep: many listeners are expected, not a leak.
    setMaxListeners(0, this.cutController.signal, this.stopController.signal);
  }

  async run(): Promise<RunPlanResult> {
    const onStop = (): void => this.stop(true);
    const onAbort = (): void => {
      this.stop(true);
      this.cutInFlight();
    };
    const { stopSignal, abortSignal } = this.options;
    if (stopSignal?.aborted || abortSignal?.aborted) this.stop(true);
    stopSignal?.addEventListener('abort', onStop);
    abortSignal?.addEventListener('abort', onAbort);
    try {
      await this.prepareFirstInstant();
      this.baseMs = this.clock.now();
      await this.schedule();
      if (!this.stopping) await this.clock.sleepUntil(this.baseMs + this.plan.totalMs, this.stopController.signal);
      await this.drain();
    } finally {
      stopSignal?.removeEventListener('abort', onStop);
      abortSignal?.removeEventListener('abort', onAbort);
    }
    if (this.failure) throw this.failure.error;
    return {
      reason: this.interrupted ? 'interrupted' : this.budgetReached ? 'budget' : 'completed',
      sent: this.sent,
      dropped: this.dropped,
      unsent: this.totalRequests - this.planned,
      cut: this.cut,
      nextSeq: this.seq,
      startMs: this.baseMs,
      endMs: this.clock.now(),
    };
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  private stop(interrupted: boolean): void {
    if (interrupted) this.interrupted = true;
    this.stopController.abort();
  }

  /** True (and the run stopping) when the budget is spent and planned requests remain. */
  private budgetExhausted(): boolean {
    if (this.sent < this.maxRequests || this.planned >= this.totalRequests) return false;
    this.budgetReached = true;
    this.stop(false);
    return true;
  }

  private cutInFlight(): void {
    if (this.cutController.signal.aborted) return;
    this.cut += this.inFlight;
    this.cutController.abort();
  }

  /** Walks the phases in time order, sleeping until each instant and firing it. */
  private async schedule(): Promise<void> {
    const phases = this.plan.phases;
    for (let phaseIndex = 0; phaseIndex < phases.length; phaseIndex++) {
      const planned = phases[phaseIndex]!;
      const phaseStartMs = this.baseMs + planned.startMs;
      if (this.stopping || this.budgetExhausted()) return;
      const offsets = planned.offsets;
      // The index of the instant already warmed up: the phase's first one is warmed before
      // sleeping to the phase start, so the warm-up happens in the gap before the phase.
      let preparedIndex = -1;
      if (this.clock.now() < phaseStartMs) {
        const firstSize = groupEndOf(offsets, 0);
        if (offsets.length > 0 && offsets[0] === 0 && firstSize > 1) {
          void this.prepareGroup(firstSize);
          preparedIndex = 0;
        }
        await this.clock.sleepUntil(phaseStartMs, this.stopController.signal);
        if (this.stopping) return;
      }
      this.writePhaseLine(planned, phaseIndex, phaseStartMs);
      this.lastWakeMs = phaseStartMs;

      let index = 0;
      while (index < offsets.length) {
        if (this.stopping || this.budgetExhausted()) return;
        const groupEnd = groupEndOf(offsets, index);
        const dueMs = phaseStartMs + offsets[index]!;

        if (this.clock.now() < dueMs) {
          if (groupEnd - index > 1 && index !== preparedIndex) void this.prepareGroup(groupEnd - index);
          const wakeMs = Math.max(dueMs, this.lastWakeMs + MIN_WAKE_GAP_MS);
          this.lastWakeMs = wakeMs;
          await this.clock.sleepUntil(wakeMs, this.stopController.signal);
          this.firedSinceYield = 0;
          if (this.stopping) return;
        } else if (this.firedSinceYield >= YIELD_EVERY || this.inFlight >= this.maxInFlight) {
          // Behind schedule: let completed responses in before firing more (see YIELD_EVERY).
          await this.clock.sleepUntil(dueMs, this.stopController.signal);
          this.firedSinceYield = 0;
          if (this.stopping) return;
        }
        index = this.fireGroup(planned, index, groupEnd, dueMs);
        if (this.budgetExhausted()) return;
      }
    }
  }

  /**
   * Fires requests [from, to) of a phase, all planned for `plannedMs`, in one synchronous
   * loop. Returns the index after the last one handled (less than `to` if the budget ran out).
   */
  private fireGroup(planned: PlannedPhase, from: number, to: number, plannedMs: number): number {
    const phaseName = planned.phase.name;
    const payload = planned.phase.payload;
    const signal = this.cutController.signal;
    for (let index = from; index < to; index++) {
      if (this.budgetExhausted()) return index;
      const seq = this.seq++;
      this.planned++;
      this.firedSinceYield++;
      const target = this.targets[this.targetCursor]!;
      this.targetCursor = this.targetCursor + 1 === this.targets.length ? 0 : this.targetCursor + 1;
      if (this.inFlight >= this.maxInFlight) {
        this.dropped++;
        const line: DroppedLine = { type: 'dropped', seq, phase: phaseName, target: target.id, plannedMs, reason: 'max-in-flight' };
        this.write(line);
        continue;
      }
      const request: SendRequest = { seq, phase: phaseName, target: target.id, plannedMs, payload };
      this.inFlight++;
      this.sent++;
      try {
        target.transport.send(request, signal).then(this.onSettled, this.onRejected);
      } catch (error) {
        // A transport that throws instead of returning a promise: the same bug as a rejection.
        this.onRejected(error);
      }
    }
    return to;
  }

  /** One shared callback for every completion (no closure per request). */
  private readonly onSettled = (line: RequestLine): void => {
    this.write(line);
    this.leaveFlight();
  };

  /**
   * Transports never reject (failures are lines). A rejection is a bug in the transport:
   * it is not recorded (there is no line to write) and it fails the run:
   * stop the run, cut what is in flight, and make runPlan reject with it once drained.
   */
  private readonly onRejected = (error: unknown): void => {
    this.fail(error);
    this.leaveFlight();
  };

  private leaveFlight(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.resolveDrained) {
      const resolve = this.resolveDrained;
      this.resolveDrained = null;
      resolve();
    }
  }

  private write(line: RequestLine | DroppedLine | PhaseLine): void {
    try {
      this.sink.write(line);
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.stop(false);
    this.cutInFlight();
  }

  private writePhaseLine(planned: PlannedPhase, index: number, startMs: number): void {
    const params = { ...describePhase(planned.phase), ...(this.options.phaseParams?.(planned, index) ?? {}) };
    this.write({ type: 'phase', name: planned.phase.name, kind: planned.phase.kind, startMs, params });
  }

  /**
   * Asks every target to warm connections for an instant of `size` requests. Called once
   * per instant: from the gap before it, or before the clock starts for the first one.
   */
  private prepareGroup(size: number): Promise<void> {
    const perTarget = Math.min(Math.ceil(size / this.targets.length), this.maxInFlight);
    // A failed warm-up is not an error of the run: the requests themselves will record
    // whatever the target does (refused, reset...).
    return Promise.all(this.targets.map((target) => target.transport.prepare(perTarget).catch(() => undefined))).then(() => undefined);
  }

  /** When the plan starts with requests at offset 0, warms up for them before the clock starts. */
  private async prepareFirstInstant(): Promise<void> {
    if (this.stopping) return;
    const first = this.plan.phases.findIndex((planned) => planned.offsets.length > 0);
    if (first < 0) return;
    const planned = this.plan.phases[first]!;
    const offset = planned.offsets[0]!;
    if (planned.startMs + offset > 0) return;
    const size = groupEndOf(planned.offsets, 0);
    // Ends the wait: the warm-up finished, a stop came, or the timeout passed.
    const waitEnd = new AbortController();
    const onStop = (): void => waitEnd.abort();
    this.stopController.signal.addEventListener('abort', onStop, { once: true });
    void this.prepareGroup(size).then(() => waitEnd.abort());
    await this.clock.sleepUntil(this.clock.now() + (this.options.prepareTimeoutMs ?? 5000), waitEnd.signal);
    this.stopController.signal.removeEventListener('abort', onStop);
    waitEnd.abort();
  }

  /** Second stage: waits up to graceMs for in-flight requests, cuts the rest, waits for their lines. */
  private async drain(): Promise<void> {
    if (this.inFlight > 0 && !this.cutController.signal.aborted) {
      const wake = new AbortController();
      const onCut = (): void => wake.abort();
      this.cutController.signal.addEventListener('abort', onCut, { once: true });
      void this.whenDrained().then(() => wake.abort());
      await this.clock.sleepUntil(this.clock.now() + this.options.graceMs, wake.signal);
      this.cutController.signal.removeEventListener('abort', onCut);
      if (this.inFlight > 0) this.cutInFlight();
    }
    await this.whenDrained();
  }

  private whenDrained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    const previous = this.resolveDrained;
    return new Promise<void>((resolve) => {
      this.resolveDrained = () => {
        previous?.();
        resolve();
      };
    });
  }
}

/** The index after the last offset equal to offsets[from]: the end of that instant's group. */
function groupEndOf(offsets: Float64Array, from: number): number {
  let end = from + 1;
  while (end < offsets.length && offsets[end] === offsets[from]) end++;
  return end;
}

function resolveTargets(options: RunPlanOptions): readonly RunTarget[] {
  if (options.targets && options.targets.length > 0) {
    if (options.transport) throw new TypeError('runPlan: pass either `transport` or `targets`, not both');
    return options.targets;
  }
  if (!options.transport) throw new TypeError('runPlan: a `transport` or at least one of `targets` is required');
  return [{ id: options.targetId ?? 'default', transport: options.transport }];
}
