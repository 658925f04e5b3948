/**
 * The retry lab as a source (src/run/source.ts): for each policy, a lane of callers that
 * each need one admitted answer, sent to that lane's own target. Callers arrive as a
 * burst or at a rate; every failed attempt goes to the lane's CallerBook
 * (src/retry/caller-book.ts), which says when the caller tries again or that it gives up.
 * Every attempt carries the tags `caller`, `attempt`, `policy` and `waitedMs`, so the
 * analysis reads the callers back from the recording alone.
 *
 * Two orders, for a fair comparison:
 *   - parallel: every lane starts at the same instant, each against its own fresh
 *     limiter (the simulator: one per policy), with the same arrivals and the same seed;
 *   - sequential: one lane after another against the same target, with a recovery pause
 *     between them (a `pause` phase line records it): long enough for every wait the last
 *     lane's refusals asked for to pass, at least `minimumPauseMs`, and `unhintedPauseMs`
 *     when some refusal gave no hint at all.
 */
import { POLICY_PARAM_PREFIX, type DroppedLine, type PhaseLine, type RequestLine } from '../record/types.js';
import { CallerBook, type CallerLimits } from '../retry/caller-book.js';
import { largestHintedWait } from '../retry/hints.js';
import { seededRandom } from '../retry/random.js';
import { isRefusalStatus } from '../retry/retryable.js';
import type { AttemptOutcome, RetryPolicy } from '../retry/types.js';
import type { LoopView, Source, Step } from './source.js';

/** How callers arrive: all at the lane's start, or one every 1000/perSecond ms. */
export type CallerArrival = { kind: 'burst' } | { kind: 'rate'; perSecond: number };

/** One policy's lane. */
export interface RetryLane {
  policy: RetryPolicy;
  /** The loop target its attempts go to. */
  target: string;
  /** Extra phase-line parameters (the lab's settings), merged after the policy's own. */
  phaseParams?: PhaseLine['params'];
}

/** Options of the lab source. */
export interface RetryLabOptions {
  lanes: readonly RetryLane[];
  callers: number;
  arrival: CallerArrival;
  limits: CallerLimits;
  /** Seeds every lane's random source alike. */
  seed: number;
  order: 'parallel' | 'sequential';
  /** Wall-clock ms since the epoch at a clock time: what an HTTP-date hint counts from. */
  epochAt: (clockMs: number) => number;
  /** Sequential order: whether lanes share one limit that must recover (false: each lane has its own fresh limiter). Default true. */
  pauseBetweenLanes?: boolean;
  /** Sequential order: shortest pause between lanes, ms. Default 1000. */
  minimumPauseMs?: number;
  /** Sequential order: the pause after a lane with a refusal that named no wait, ms. Default 60 000. */
  unhintedPauseMs?: number;
  /**
   * A sharded lab (docs/sharding.md): this process runs only the callers whose number is
   * `index` modulo `count`, each at its arrival time in the whole lab, under its number in
   * the whole lab, so the shards' recordings hold every caller exactly once.
   */
  shard?: { index: number; count: number };
  /** Clock time before which no lane starts: the shared start of a sharded run. */
  notBeforeMs?: number;
}

/** Distance between the seeds of two shards' jitter (a prime, so nearby user seeds do not meet). */
const SHARD_SEED_STEP = 7919;

/** The callers (numbers in the whole lab) that shard `index` of `count` runs: index, index + count, … */
export function shardCallers(callers: number, shard: { index: number; count: number } | undefined): number[] {
  const kept: number[] = [];
  const step = shard?.count ?? 1;
  for (let caller = shard?.index ?? 0; caller < callers; caller += step) kept.push(caller);
  return kept;
}

interface LaneState {
  lane: RetryLane;
  book: CallerBook;
  startMs: number | null;
  started: boolean;
  /** Latest clock time any refusal of this lane asked to wait until. */
  hintedUntilMs: number;
  unhinted: boolean;
  finishedAtMs: number | null;
}

/** The phase-line params of a lane: the policy, its parameters (prefixed) and the lab's settings. */
export function lanePhaseParams(lane: RetryLane): PhaseLine['params'] {
  const params: PhaseLine['params'] = { policy: lane.policy.name, basePolicy: lane.policy.base };
  for (const [key, value] of Object.entries(lane.policy.params)) params[`${POLICY_PARAM_PREFIX}${key}`] = value;
  return { ...params, ...(lane.phaseParams ?? {}) };
}

/** The retry lab's source. */
export class RetryLabSource implements Source {
  private readonly lanes: LaneState[];
  private readonly byPolicy = new Map<string, LaneState>();
  private view: LoopView | null = null;
  private prepared = false;
  private pendingPause: { atMs: number; pauseMs: number; basis: string; after: string } | null = null;
  private readonly gapMs: number;
  /** The callers this process runs, by their number in the whole lab. */
  private readonly callerNumbers: number[];

  constructor(private readonly options: RetryLabOptions) {
    this.gapMs = options.arrival.kind === 'burst' ? 0 : 1000 / options.arrival.perSecond;
    this.callerNumbers = shardCallers(options.callers, options.shard);
    this.lanes = options.lanes.map((lane) => ({
      lane,
      // Each shard draws its own jitter: with one seed everywhere, shard k's callers would retry in step with every other shard's (a herd the lab made itself).
      book: new CallerBook(lane.policy, options.limits, seededRandom(options.seed + (options.shard?.index ?? 0) * SHARD_SEED_STEP)),
      startMs: null,
      started: false,
      hintedUntilMs: Number.NEGATIVE_INFINITY,
      unhinted: false,
      finishedAtMs: null,
    }));
    for (const state of this.lanes) this.byPolicy.set(state.lane.policy.name, state);
  }

  start(view: LoopView): void {
    this.view = view;
  }

  hasMore(): boolean {
    return this.lanes.some((state) => !state.started || !state.book.finished);
  }

  /** Callers of every lane so far: done, given up, still waiting. */
  counts(): { done: number; gaveUp: number; waiting: number } {
    const total = { done: 0, gaveUp: 0, waiting: 0 };
    for (const state of this.lanes) {
      const counts = state.book.counts();
      total.done += counts.done;
      total.gaveUp += counts.gaveUp;
      total.waiting += counts.waiting;
    }
    return total;
  }

  next(nowMs: number): Step {
    const burstSize = this.options.arrival.kind === 'burst' ? this.callerNumbers.length : 1;
    if (!this.prepared) {
      this.prepared = true;
      if (burstSize > 1) return { type: 'prepare', connections: burstSize };
    }
    if (this.lanes.length > 0 && this.lanes[0]!.startMs === null) {
      const startMs = Math.max(nowMs, this.options.notBeforeMs ?? Number.NEGATIVE_INFINITY);
      if (this.options.order === 'parallel') for (const state of this.lanes) state.startMs = startMs;
      else this.lanes[0]!.startMs = startMs;
    }
    if (this.pendingPause !== null) {
      const pause = this.pendingPause;
      this.pendingPause = null;
      return { type: 'phase', atMs: pause.atMs, name: `recovery after ${pause.after}`, kind: 'pause', params: { pauseMs: Math.round(pause.pauseMs), basis: pause.basis } };
    }
    for (const state of this.lanes) {
      if (state.started || state.startMs === null) continue;
      state.started = true;
      for (const caller of this.callerNumbers) state.book.arrive(caller, state.startMs + caller * this.gapMs);
      const kind = this.options.arrival.kind === 'burst' ? 'burst' : 'steady';
      const shardParams: PhaseLine['params'] = this.options.shard !== undefined && this.options.shard.count > 1 ? { shardCallers: this.callerNumbers.length } : {};
      return { type: 'phase', atMs: state.startMs, name: state.lane.policy.name, kind, params: { ...lanePhaseParams(state.lane), ...shardParams }, warm: burstSize };
    }
    let earliest: LaneState | null = null;
    for (const state of this.lanes) {
      const due = state.book.peek();
      if (due !== null && (earliest === null || due.atMs < earliest.book.peek()!.atMs)) earliest = state;
    }
    if (earliest !== null) {
      const due = earliest.book.peek()!;
      if (due.atMs <= nowMs) {
        earliest.book.take(nowMs);
        return {
          type: 'shot',
          atMs: due.atMs,
          count: 1,
          phase: earliest.lane.policy.name,
          target: earliest.lane.target,
          tags: { caller: due.caller, attempt: due.attempt, policy: earliest.lane.policy.name, waitedMs: Math.round(due.waitedMs * 1000) / 1000 },
        };
      }
      return { type: 'wait', untilMs: due.atMs };
    }
    if (!this.hasMore()) return { type: 'end' };
    return { type: 'wait', untilMs: null };
  }

  observe(line: RequestLine | DroppedLine): void {
    const tagged = line as (RequestLine | DroppedLine) & { policy?: unknown; caller?: unknown };
    if (typeof tagged.policy !== 'string' || typeof tagged.caller !== 'number') return;
    const state = this.byPolicy.get(tagged.policy);
    if (state === undefined) return;
    const nowMs = this.view?.now() ?? 0;
    if (line.type === 'dropped') {
      state.book.settle(tagged.caller, null, nowMs);
    } else {
      const outcome: AttemptOutcome = { status: line.status, errorKind: line.errorKind, headers: line.headers ?? {}, answeredAtEpochMs: this.options.epochAt(line.doneMs) };
      if (isRefusalStatus(line.status)) {
        const hinted = largestHintedWait(outcome);
        if (hinted === null) state.unhinted = true;
        else state.hintedUntilMs = Math.max(state.hintedUntilMs, line.doneMs + hinted);
      }
      state.book.settle(tagged.caller, outcome, line.doneMs);
    }
    if (state.book.finished && state.finishedAtMs === null) this.onLaneFinished(state, nowMs);
  }

  /** Sequential order: the next lane starts after the measured recovery pause. */
  private onLaneFinished(state: LaneState, nowMs: number): void {
    state.finishedAtMs = nowMs;
    if (this.options.order !== 'sequential') return;
    const next = this.lanes.find((candidate) => candidate.startMs === null);
    if (next === undefined) return;
    if (this.options.pauseBetweenLanes === false) {
      next.startMs = nowMs;
      this.view?.wake();
      return;
    }
    const minimum = this.options.minimumPauseMs ?? 1000;
    let pauseMs = Math.max(minimum, state.hintedUntilMs - nowMs);
    let basis = Number.isFinite(state.hintedUntilMs) ? 'the longest wait its refusals asked for' : 'no refusal';
    if (state.unhinted) {
      pauseMs = Math.max(pauseMs, this.options.unhintedPauseMs ?? 60_000);
      basis = 'a refusal without a hint: the default pause';
    }
    this.pendingPause = { atMs: nowMs, pauseMs, basis, after: state.lane.policy.name };
    next.startMs = nowMs + pauseMs;
    this.view?.wake();
  }
}
