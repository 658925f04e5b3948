/**
 * The attempts of one policy, gathered caller by caller: whether each caller got its
 * answer, when its first attempt left and when its answer came, plus the send times of
 * its retries (for the herd) and a compact trace for the timeline.
 *
 * A caller with no admitted attempt counts as given up: it stopped (its policy or its
 * limits said so), or the run ended before it was done. The recording does not need a
 * line for giving up, so `report` on any recording with `caller` fields gets the same figures.
 */
import type { RefusalClass } from '../summary-types.js';
import { Distribution } from '../distribution.js';
import { herdPeak } from './herd.js';
import type { RetryPolicyFigures, RetryTimeline } from './types.js';

/** One attempt as the fold keeps it. */
export interface AttemptFacts {
  caller: number;
  attempt: number;
  sentMs: number;
  doneMs: number;
  admitted: boolean;
  refusalClass: RefusalClass | null;
}

interface CallerState {
  firstSentMs: number;
  /** Answer time of the admitted attempt, or null. */
  doneMs: number | null;
}

function round(value: number | null, decimals: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Slices of about this many per timeline: enough to see a herd, few enough to read. */
const TIMELINE_SLICES = 40;

/** Accumulates one policy's attempts. */
export class PolicyFold {
  private readonly callers = new Map<number, CallerState>();
  private readonly retryTimes: number[] = [];
  private readonly trace: AttemptFacts[] = [];
  private attempts = 0;
  private refused = 0;
  private readonly byClass: Record<RefusalClass, number> = { requests: 0, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 };
  /** The policy's start: its phase line, or its first attempt when it has none. */
  private startMs: number | null = null;

  constructor(
    readonly name: string,
    private params: Record<string, string | number>,
  ) {}

  /** The phase line of the policy: its start and parameters. */
  setPhase(startMs: number, params: Record<string, string | number>): void {
    // A run of several phases retries by one policy throughout: it starts with the first.
    this.startMs = this.startMs === null ? startMs : Math.min(this.startMs, startMs);
    this.params = params;
  }

  add(facts: AttemptFacts): void {
    this.attempts++;
    this.trace.push(facts);
    if (facts.refusalClass !== null) {
      this.refused++;
      this.byClass[facts.refusalClass]++;
    }
    if (facts.attempt > 1) this.retryTimes.push(facts.sentMs);
    let caller = this.callers.get(facts.caller);
    if (caller === undefined) {
      caller = { firstSentMs: facts.sentMs, doneMs: null };
      this.callers.set(facts.caller, caller);
    }
    if (facts.attempt === 1 || facts.sentMs < caller.firstSentMs) caller.firstSentMs = Math.min(caller.firstSentMs, facts.sentMs);
    if (facts.admitted && (caller.doneMs === null || facts.doneMs < caller.doneMs)) caller.doneMs = facts.doneMs;
  }

  private originMs(): number {
    if (this.startMs !== null) return this.startMs;
    let first = Number.POSITIVE_INFINITY;
    for (const caller of this.callers.values()) first = Math.min(first, caller.firstSentMs);
    return Number.isFinite(first) ? first : 0;
  }

  figures(): RetryPolicyFigures {
    const waits = new Distribution({ resolution: 0.1 });
    let done = 0;
    let lastDoneMs = Number.NEGATIVE_INFINITY;
    for (const caller of this.callers.values()) {
      if (caller.doneMs === null) continue;
      done++;
      waits.add(caller.doneMs - caller.firstSentMs);
      lastDoneMs = Math.max(lastDoneMs, caller.doneMs);
    }
    const total = this.callers.size;
    const allDone = total > 0 && done === total;
    return {
      name: this.name,
      params: this.params,
      callers: { total, done, gaveUp: total - done },
      attempts: { total: this.attempts, perDone: done === 0 ? null : round(this.attempts / done, 2), refused: this.refused },
      herdPeak: herdPeak(this.retryTimes),
      allDoneSeconds: allDone ? round((lastDoneMs - this.originMs()) / 1000, 3) : null,
      waitMs: { p50: round(waits.percentile(50), 1), p95: round(waits.percentile(95), 1), max: round(waits.max(), 1) },
      refusedByClass: { ...this.byClass },
    };
  }

  timeline(): RetryTimeline {
    const origin = this.originMs();
    let span = 0;
    for (const facts of this.trace) span = Math.max(span, facts.doneMs - origin, facts.sentMs - origin);
    const sliceMs = niceSlice(span / TIMELINE_SLICES);
    const count = Math.max(1, Math.ceil((span + 1e-9) / sliceMs));
    const slices = Array.from({ length: count }, (_, index) => ({ startMs: index * sliceMs, firsts: 0, retries: 0, refused: 0, done: 0 }));
    const sliceOf = (timeMs: number) => slices[Math.min(count - 1, Math.max(0, Math.floor((timeMs - origin) / sliceMs)))]!;
    for (const facts of this.trace) {
      const slice = sliceOf(facts.sentMs);
      if (facts.attempt > 1) slice.retries++;
      else slice.firsts++;
      if (facts.refusalClass !== null) slice.refused++;
    }
    for (const caller of this.callers.values()) if (caller.doneMs !== null) sliceOf(caller.doneMs).done++;
    return { policy: this.name, sliceMs, slices };
  }
}

/** The smallest of 100 ms, 250 ms, 500 ms, 1 s, 2 s, 5 s, 10 s, 30 s, 60 s at least `ms`. */
function niceSlice(ms: number): number {
  for (const step of [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000]) if (step >= ms) return step;
  return Math.ceil(ms / 60_000) * 60_000;
}
