/**
 * The firing loop: the one place the tool sends requests. It pulls steps from a source
 * (src/run/source.ts, where the guarantees are listed), sends each shot through its
 * target's sender, enforces the in-flight ceiling, writes every line to the sink, lets
 * the source observe each outcome, and stops in two stages. It knows nothing about
 * files, tables or process: the sink, the clock and the senders are injected.
 */
import { setMaxListeners } from 'node:events';
import type { DroppedLine, PhaseLine, RecordSink } from '../record/types.js';
import type { Clock } from './pacing/clock.js';
import type { SendRequest } from './types.js';
import type { EndStep, LoopView, PhaseStep, PrepareStep, SentLine, Sender, ShotStep, ShotTags, Source, WaitStep } from './source.js';
import type { RequestLine } from '../record/types.js';

/** One target of a loop: its id (the `target` field of every line) and what sends to it. */
export interface LoopTarget<Line extends SentLine = RequestLine> {
  id: string;
  sender: Sender<Line>;
}

/** Everything one loop needs from outside. */
export interface LoopOptions<Line extends SentLine = RequestLine> {
  clock: Clock;
  sink: RecordSink;
  /** At least one. Shots without a target use them in turn. */
  targets: readonly LoopTarget<Line>[];
  /** In-flight ceiling: a request that finds it reached becomes a `dropped` line. */
  maxInFlight: number;
  /** After the end (or the stop), how long in-flight requests may still finish, ms. */
  graceMs: number;
  /** First stage of stopping: no new request starts once this aborts. */
  stopSignal?: AbortSignal;
  /** Second stage: in-flight requests are cut (errorKind "aborted") once this aborts. */
  abortSignal?: AbortSignal;
  /** seq of the first request. Default 0. Pass the previous result's `nextSeq` to continue a recording. */
  firstSeq?: number;
  /**
   * How far apart consecutive seqs are. Default 1. A shard of a split plan (docs/sharding.md)
   * takes every count-th request of the plan, so its seqs step by the shard count: the
   * shards' recordings then share one numbering, the unsplit plan's.
   */
  seqStep?: number;
  /** Budget: never start more than this many requests; the run then ends with reason "budget". */
  maxRequests?: number;
  /** Longest wait of a `prepare` step, ms. Default 5000. */
  prepareTimeoutMs?: number;
}

/** How a loop ended and what it did. Every count is exact. */
export interface LoopResult {
  /** "completed": the source ended; "interrupted": a stop or abort signal; "budget": maxRequests reached. */
  reason: 'completed' | 'interrupted' | 'budget';
  /** Requests started; each wrote exactly one line (cut ones included). */
  sent: number;
  /** Requests recorded as `dropped` (the in-flight ceiling). */
  dropped: number;
  /** Requests handled: sent + dropped (the seqs used). */
  handled: number;
  /** In-flight requests cut by the abort (grace over, or abortSignal); included in `sent`. */
  cut: number;
  /** The seq after the last one used. */
  nextSeq: number;
  /** Clock time the last in-flight request settled, ms. */
  endMs: number;
}

/**
 * Requests fired while behind schedule before the loop yields to the event loop once,
 * so responses are read (and the in-flight count falls) even when it never catches up.
 */
const YIELD_EVERY = 256;

/**
 * Shortest time between two wake-ups to send a shot, ms.
 *
 * Why: every sleep costs a Promise, event-loop turns and a kernel wake-up, and on a shared
 * core each wake-up is a chance to lose the CPU to another process. Above 2000
 * requests/s (periods under 0.5 ms) sleeping once per request made the runner spend more
 * time waking than sending (steady 5000/s: ~140 µs of CPU per request against ~60 µs at
 * saturation, and drops). So when the next shot is due sooner than this after the last
 * wake-up, the loop sleeps to `last wake-up + MIN_WAKE_GAP_MS` instead and then sends
 * every shot already due in one synchronous stretch. A request is then at most this late
 * (never early), and times stay absolute: nothing is shifted, so nothing drifts. At
 * 2000/s and below (every burst, 1000/s pacing) each shot still gets its own wake-up.
 * A `wait` step wakes at its own time: it sends nothing by itself.
 */
const MIN_WAKE_GAP_MS = 0.5;

/** Runs `source` from now until it ends, the stop, or the budget; see src/run/source.ts for the guarantees. */
export async function runSource<Line extends SentLine = RequestLine>(source: Source<Line>, options: LoopOptions<Line>): Promise<LoopResult> {
  return new FiringLoop(source, options).run();
}

/** The state of one loop: counters, signals and the steps that use them. */
class FiringLoop<Line extends SentLine> {
  private readonly clock: Clock;
  private readonly sink: RecordSink;
  private readonly targets: readonly LoopTarget<Line>[];
  private readonly targetsById = new Map<string, LoopTarget<Line>>();
  private readonly maxInFlight: number;
  private readonly maxRequests: number;

  /** Aborted when no new request may start (an end step is not a stop: the pull just ends). */
  private readonly stopController = new AbortController();
  /** Aborted to cut in-flight requests; its signal goes to every sender. */
  private readonly cutController = new AbortController();
  /** Aborted to end the current sleep early (view.wake, an outcome during a wait, the stop); replaced once used. */
  private wakeController = new AbortController();
  private wakeRequested = false;
  private waiting = false;

  private seq: number;
  private readonly seqStep: number;
  private targetCursor = 0;
  private inFlight = 0;
  private sent = 0;
  private dropped = 0;
  private handled = 0;
  private cut = 0;
  private firedSinceYield = 0;
  /** The time the loop last slept until to send a shot (see MIN_WAKE_GAP_MS). */
  private lastWakeMs = Number.NEGATIVE_INFINITY;
  /** The instant of the last shot sent: shots at the same instant never yield between them. */
  private lastShotAtMs = Number.NaN;
  /** The instant a phase step already warmed connections for. */
  private warmedForMs = Number.NaN;
  private endAtMs: number | null = null;
  private endGraceMs: number;
  private interrupted = false;
  private budgetReached = false;
  private failure: { error: unknown } | null = null;
  private resolveDrained: (() => void) | null = null;

  constructor(
    private readonly source: Source<Line>,
    private readonly options: LoopOptions<Line>,
  ) {
    if (options.targets.length === 0) throw new TypeError('runSource: at least one target is required');
    this.clock = options.clock;
    this.sink = options.sink;
    this.targets = options.targets;
    for (const target of options.targets) this.targetsById.set(target.id, target);
    this.maxInFlight = Math.max(1, options.maxInFlight);
    this.maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
    this.seq = options.firstSeq ?? 0;
    this.seqStep = options.seqStep ?? 1;
    this.endGraceMs = options.graceMs;
    // Every in-flight request listens on the cut signal (one listener each), and the
    // stop and wake signals wake every sleep: many listeners are expected, not a leak.
    setMaxListeners(0, this.cutController.signal, this.stopController.signal, this.wakeController.signal);
  }

  async run(): Promise<LoopResult> {
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
      try {
        this.source.start?.(this.view);
        await this.pull();
        if (!this.stopping && this.endAtMs !== null) await this.clock.sleepUntil(this.endAtMs, this.stopController.signal);
      } catch (error) {
        // A source or sink that throws: the same kind of bug as a sender that rejects.
        this.fail(error);
      }
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
      handled: this.handled,
      cut: this.cut,
      nextSeq: this.seq,
      endMs: this.clock.now(),
    };
  }

  /** What the source may read and ask (see LoopView). */
  private readonly view: LoopView = this.createView();

  private createView(): LoopView {
    // A named alias: the getters below read the loop's live counters, not the view's.
    const loop = this;
    return {
      now: () => loop.clock.now(),
      get inFlight(): number {
        return loop.inFlight;
      },
      get maxInFlight(): number {
        return loop.maxInFlight;
      },
      wake: () => loop.requestWake(),
    };
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  private stop(interrupted: boolean): void {
    if (interrupted) this.interrupted = true;
    this.stopController.abort();
    this.wakeController.abort();
  }

  /** True (and the loop stopping) when the budget is spent and the source has more to send. */
  private budgetExhausted(more: boolean): boolean {
    if (this.sent < this.maxRequests || !more) return false;
    this.budgetReached = true;
    this.stop(false);
    return true;
  }

  private sourceHasMore(): boolean {
    return this.source.hasMore?.() ?? true;
  }

  private cutInFlight(): void {
    if (this.cutController.signal.aborted) return;
    this.cut += this.inFlight;
    this.cutController.abort();
  }

  private requestWake(): void {
    this.wakeRequested = true;
    this.wakeController.abort();
  }

  /** The signal of the next early-waking sleep, or null when a wake is already pending (pull again at once). */
  private wakeSignal(): AbortSignal | null {
    if (this.wakeRequested || this.stopping) return null;
    if (this.wakeController.signal.aborted) {
      this.wakeController = new AbortController();
      setMaxListeners(0, this.wakeController.signal);
    }
    return this.wakeController.signal;
  }

  /** Pulls and acts on steps until the source ends, the stop, or the budget. */
  private async pull(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      this.wakeRequested = false;
      const step = this.source.next(this.clock.now());
      // The source may have stopped the run from inside next() (a signal it aborted).
      if (this.stopping) return;
      switch (step.type) {
        case 'shot':
          if (!(await this.shot(step))) return;
          break;
        case 'phase':
          if (this.budgetExhausted(this.sourceHasMore())) return;
          await this.phase(step);
          break;
        case 'prepare':
          if (this.budgetExhausted(this.sourceHasMore())) return;
          await this.prepare(step);
          break;
        case 'wait':
          if (this.budgetExhausted(this.sourceHasMore())) return;
          await this.wait(step);
          break;
        case 'end':
          this.end(step);
          return;
        default:
          throw new TypeError(`runSource: unknown step ${JSON.stringify(step)}`);
      }
    }
  }

  /** Sleeps until the shot is due (unless woken to pull again), then fires it. False when the loop must stop. */
  private async shot(step: ShotStep): Promise<boolean> {
    if (this.budgetExhausted(true)) return false;
    const dueMs = step.atMs;
    if (this.clock.now() < dueMs) {
      if (step.count > 1 && dueMs !== this.warmedForMs) void this.warm(step.count, step.target);
      const wakeMs = Math.max(dueMs, this.lastWakeMs + MIN_WAKE_GAP_MS);
      const signal = this.wakeSignal();
      if (signal === null) return true;
      this.lastWakeMs = wakeMs;
      await this.clock.sleepUntil(wakeMs, signal);
      this.firedSinceYield = 0;
      if (this.stopping) return false;
      // Woken early: the source may have changed its mind; the shot was not committed.
      if (this.wakeRequested) return true;
    } else if (dueMs !== this.lastShotAtMs && (this.firedSinceYield >= YIELD_EVERY || this.inFlight >= this.maxInFlight)) {
      // Behind schedule: let completed responses in before firing more (see YIELD_EVERY).
      await this.clock.sleepUntil(dueMs, this.stopController.signal);
      this.firedSinceYield = 0;
      if (this.stopping) return false;
    }
    return this.fire(step, dueMs);
  }

  /** Fires the shot's requests in one synchronous loop. False when the budget ran out. */
  private fire(step: ShotStep, plannedMs: number): boolean {
    const phase = step.phase;
    const payload = step.payload;
    const tags = step.tags;
    const signal = this.cutController.signal;
    const named = step.target === undefined ? null : this.targetNamed(step.target);
    const onSettled = tags === undefined ? this.onSettled : this.settledWithTags(tags);
    this.lastShotAtMs = plannedMs;
    for (let index = 0; index < step.count; index++) {
      if (this.budgetExhausted(true)) return false;
      const seq = this.seq;
      this.seq += this.seqStep;
      this.handled++;
      this.firedSinceYield++;
      let target = named;
      if (target === null) {
        target = this.targets[this.targetCursor]!;
        this.targetCursor = this.targetCursor + 1 === this.targets.length ? 0 : this.targetCursor + 1;
      }
      if (this.inFlight >= this.maxInFlight) {
        this.dropped++;
        const line: DroppedLine = { type: 'dropped', seq, phase, target: target.id, plannedMs, reason: 'max-in-flight' };
        const tagged = tags === undefined ? line : { ...line, ...tags };
        this.write(tagged);
        this.observe(tagged);
        continue;
      }
      const request: SendRequest = tags === undefined ? { seq, phase, target: target.id, plannedMs, payload } : { seq, phase, target: target.id, plannedMs, payload, tags };
      this.inFlight++;
      this.sent++;
      try {
        target.sender.send(request, signal).then(onSettled, this.onRejected);
      } catch (error) {
        // A sender that throws instead of returning a promise: the same bug as a rejection.
        this.onRejected(error);
      }
    }
    return true;
  }

  private targetNamed(id: string): LoopTarget<Line> {
    const target = this.targetsById.get(id);
    if (target === undefined) throw new TypeError(`runSource: a shot names target "${id}", which is not one of the loop's targets`);
    return target;
  }

  /** Writes the phase line at its time (warming the phase's first instant in the gap before it). */
  private async phase(step: PhaseStep): Promise<void> {
    if (this.clock.now() < step.atMs) {
      if ((step.warm ?? 0) > 1) {
        void this.warm(step.warm!, undefined);
        this.warmedForMs = step.atMs;
      }
      await this.clock.sleepUntil(step.atMs, this.stopController.signal);
      if (this.stopping) return;
    }
    const line: PhaseLine = { type: 'phase', name: step.name, kind: step.kind, startMs: step.atMs, params: step.params };
    this.write(line);
    this.lastWakeMs = step.atMs;
  }

  /** Warms connections and waits for it: until done, the timeout, or the stop. */
  private async prepare(step: PrepareStep): Promise<void> {
    const waitEnd = new AbortController();
    const onStop = (): void => waitEnd.abort();
    this.stopController.signal.addEventListener('abort', onStop, { once: true });
    void this.warm(step.connections, undefined).then(() => waitEnd.abort());
    await this.clock.sleepUntil(this.clock.now() + (step.timeoutMs ?? this.options.prepareTimeoutMs ?? 5000), waitEnd.signal);
    this.stopController.signal.removeEventListener('abort', onStop);
    waitEnd.abort();
  }

  /** Sleeps until the wait's time, an outcome, a wake or the stop. */
  private async wait(step: WaitStep): Promise<void> {
    const signal = this.wakeSignal();
    if (signal === null) return;
    this.waiting = true;
    try {
      if (step.untilMs === null) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      else await this.clock.sleepUntil(step.untilMs, signal);
    } finally {
      this.waiting = false;
    }
  }

  private end(step: EndStep): void {
    this.endAtMs = step.atMs ?? null;
    if (step.graceMs !== undefined) this.endGraceMs = step.graceMs;
  }

  /** One shared callback for every completion without tags (no closure per request). */
  private readonly onSettled = (line: Line): void => {
    this.write(line);
    this.leaveFlight();
    this.observe(line);
  };

  /** The completion callback of a tagged shot: the tags land in every line. */
  private settledWithTags(tags: ShotTags): (line: Line) => void {
    return (line) => this.onSettled({ ...line, ...tags });
  }

  /**
   * Senders never reject (failures are lines). A rejection is a bug in the sender: it is
   * not recorded (there is no line to write) and it fails the run: stop, cut what is in
   * flight, and make runSource reject with it once drained.
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

  private observe(line: Line | DroppedLine): void {
    if (this.source.observe !== undefined) {
      try {
        this.source.observe(line);
      } catch (error) {
        this.fail(error);
      }
    }
    if (this.waiting) this.requestWake();
  }

  private write(line: SentLine | DroppedLine | PhaseLine): void {
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

  /**
   * Asks the targets to warm connections for `size` requests: the named one, or every
   * target its share. A failed warm-up is not an error of the run: the requests themselves
   * will record whatever the target does (refused, reset...).
   */
  private warm(size: number, targetId: string | undefined): Promise<void> {
    const named = targetId === undefined ? undefined : this.targetsById.get(targetId);
    const targets = named === undefined ? this.targets : [named];
    const perTarget = Math.min(Math.ceil(size / targets.length), this.maxInFlight);
    return Promise.all(targets.map((target) => target.sender.prepare(perTarget).catch(() => undefined))).then(() => undefined);
  }

  /**
   * Second stage: waits for in-flight requests (the end step's grace, or the loop's after a
   * stop), cuts the rest, waits for their lines. An unbounded grace still gives way to a
   * stop: then the loop's grace counts from the stop.
   */
  private async drain(): Promise<void> {
    if (this.inFlight > 0 && !this.cutController.signal.aborted) {
      const graceMs = this.stopping ? this.options.graceMs : this.endGraceMs;
      if (!Number.isFinite(graceMs)) {
        const wake = new AbortController();
        const onWake = (): void => wake.abort();
        this.cutController.signal.addEventListener('abort', onWake, { once: true });
        this.stopController.signal.addEventListener('abort', onWake, { once: true });
        void this.whenDrained().then(onWake);
        await new Promise<void>((resolve) => wake.signal.addEventListener('abort', () => resolve(), { once: true }));
        this.cutController.signal.removeEventListener('abort', onWake);
        this.stopController.signal.removeEventListener('abort', onWake);
        if (this.inFlight > 0 && !this.cutController.signal.aborted) await this.graceThenCut(this.options.graceMs);
      } else {
        await this.graceThenCut(graceMs);
      }
    }
    await this.whenDrained();
  }

  private async graceThenCut(graceMs: number): Promise<void> {
    const wake = new AbortController();
    const onCut = (): void => wake.abort();
    this.cutController.signal.addEventListener('abort', onCut, { once: true });
    void this.whenDrained().then(() => wake.abort());
    await this.clock.sleepUntil(this.clock.now() + graceMs, wake.signal);
    this.cutController.signal.removeEventListener('abort', onCut);
    if (this.inFlight > 0) this.cutInFlight();
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
