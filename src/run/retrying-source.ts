/**
 * `--retry POLICY` on burst, steady, ramp and run: wraps any source (a fixed plan) so
 * that every request it hands out becomes a caller that retries by the policy. The
 * inner source still decides when first attempts leave; this one adds the retries its
 * CallerBook (src/retry/caller-book.ts) schedules, and splits a shot of N requests into
 * N one-request shots at the same instant (the loop sends consecutive shots of one
 * instant in one tick, so a burst stays a burst) so each carries its own caller tags.
 *
 * Why the inner step is held: a source's step is acted on before the next pull, and a
 * plan source cannot take a step back. When a retry falls due before the inner source's
 * next shot, the shot waits in `pending` and the retry goes first.
 */
import type { DroppedLine, RequestLine } from '../record/types.js';
import { CallerBook, type CallerLimits } from '../retry/caller-book.js';
import { seededRandom } from '../retry/random.js';
import type { RetryPolicy } from '../retry/types.js';
import type { LoopView, ShotStep, Source, Step } from './source.js';

/** What retrying needs: the policy, the caller limits, the seed and the wall clock. */
export interface RetryingOptions {
  policy: RetryPolicy;
  limits: CallerLimits;
  seed: number;
  /** Wall-clock ms since the epoch at a clock time: what an HTTP-date hint counts from. */
  epochAt: (clockMs: number) => number;
}

/** A source whose requests retry by a policy. */
export class RetryingSource implements Source {
  private readonly book: CallerBook;
  private view: LoopView | null = null;
  /** The inner step not yet handed on (a copy: the inner source may reuse its object). */
  private pending: Step | null = null;
  /** Requests of `pending` (a shot) still to split off. */
  private pendingLeft = 0;
  private innerEnded: Step | null = null;
  private nextCaller = 0;
  /** Retries handed to the loop (the rest of what it handled were first attempts). */
  retriesHanded = 0;

  constructor(
    private readonly inner: Source,
    private readonly options: RetryingOptions,
  ) {
    this.book = new CallerBook(options.policy, options.limits, seededRandom(options.seed));
  }

  start(view: LoopView): void {
    this.view = view;
    this.inner.start?.(view);
  }

  hasMore(): boolean {
    return (this.inner.hasMore?.() ?? true) || this.pendingLeft > 0 || !this.book.finished;
  }

  next(nowMs: number): Step {
    if (this.pending === null && this.innerEnded === null) {
      const step = this.inner.next(nowMs);
      if (step.type === 'end') this.innerEnded = { ...step };
      else {
        this.pending = { ...step };
        this.pendingLeft = step.type === 'shot' ? step.count : 0;
      }
    }
    const due = this.book.peek();
    const pending = this.pending;
    // A retry due now goes before anything the plan has not yet sent.
    if (due !== null && due.atMs <= nowMs && (pending === null || pending.type !== 'shot' || due.atMs <= pending.atMs)) return this.retryShot(nowMs);
    if (pending !== null) {
      if (pending.type === 'shot') {
        if (due !== null && due.atMs < pending.atMs && pending.atMs > nowMs) return { type: 'wait', untilMs: due.atMs };
        return this.firstAttempt(pending);
      }
      if (pending.type === 'wait') {
        this.pending = null;
        const untilMs = due === null ? pending.untilMs : pending.untilMs === null ? due.atMs : Math.min(pending.untilMs, due.atMs);
        return { type: 'wait', untilMs };
      }
      this.pending = null;
      return pending;
    }
    if (due !== null) return { type: 'wait', untilMs: due.atMs };
    if (!this.book.finished) return { type: 'wait', untilMs: null };
    return this.innerEnded ?? { type: 'end' };
  }

  private retryShot(nowMs: number): ShotStep {
    const due = this.book.take(nowMs)!;
    this.retriesHanded++;
    const phase = this.phaseOf.get(due.caller) ?? '';
    return { type: 'shot', atMs: due.atMs, count: 1, phase, tags: this.tags(due.caller, due.attempt, due.waitedMs) };
  }

  /** Phase of each caller's first attempt: its retries are recorded in the same phase. */
  private readonly phaseOf = new Map<number, string>();

  private firstAttempt(pending: ShotStep): ShotStep {
    const caller = this.nextCaller++;
    this.book.arrive(caller, pending.atMs);
    this.book.take(pending.atMs);
    this.phaseOf.set(caller, pending.phase);
    this.pendingLeft--;
    if (this.pendingLeft <= 0) this.pending = null;
    const shot: ShotStep = { type: 'shot', atMs: pending.atMs, count: 1, phase: pending.phase, tags: this.tags(caller, 1, 0) };
    if (pending.target !== undefined) shot.target = pending.target;
    if (pending.payload !== undefined) shot.payload = pending.payload;
    return shot;
  }

  private tags(caller: number, attempt: number, waitedMs: number): ShotStep['tags'] {
    return { caller, attempt, policy: this.options.policy.name, waitedMs: Math.round(waitedMs * 1000) / 1000 };
  }

  observe(line: RequestLine | DroppedLine): void {
    this.inner.observe?.(line);
    const tagged = line as (RequestLine | DroppedLine) & { policy?: unknown; caller?: unknown };
    if (tagged.policy !== this.options.policy.name || typeof tagged.caller !== 'number') return;
    if (line.type === 'dropped') {
      this.book.settle(tagged.caller, null, this.view?.now() ?? 0);
    } else {
      const outcome = { status: line.status, errorKind: line.errorKind, headers: line.headers ?? {}, answeredAtEpochMs: this.options.epochAt(line.doneMs) };
      const settlement = this.book.settle(tagged.caller, outcome, line.doneMs);
      // The loop may be asleep towards a plan shot later than this retry: wake it to pull again.
      if (settlement === 'retry' && this.pending !== null && this.pending.type === 'shot') this.view?.wake();
    }
  }
}
