/**
 * One probe experiment as a source of the firing loop (src/run/source.ts): its phase
 * line, an optional warm-up, then its requests at their planned times, each instant
 * sized by the budgets at the moment it is due (ProbeSession.sendable). Between requests
 * it waits rather than offering a future shot, so an answer that satisfies `stopWhen`
 * (a watch's first admission, a stream's token refusal) ends the experiment before its
 * next planned request: the loop wakes when an answer lands and asks again.
 */
import type { DroppedLine, PhaseLine, RequestLine } from '../record/types.js';
import type { Source, Step } from '../run/source.js';
import type { FireOptions, ProbeSession } from './session.js';

/** When an experiment's requests leave: at absolute clock times (equal times leave together), or all at once right after the warm-up. */
export type ExperimentShots = { times: readonly number[] } | { atOnce: number; warm?: number };

/** After its last request an experiment waits for every answer: nothing is cut unless the user stops the probe. */
const END: Step = { type: 'end', graceMs: Number.POSITIVE_INFINITY };

/** The source of one experiment; `answers()` gives its request lines once the loop is done. */
export class ExperimentSource implements Source {
  private readonly lines: RequestLine[] = [];
  private readonly phaseName: string;
  private phasePending: PhaseLine | null;
  private warmPending: number;
  private times: readonly number[] | null;
  private index = 0;
  private finished = false;

  constructor(
    private readonly session: ProbeSession,
    phase: PhaseLine | string,
    private readonly shots: ExperimentShots,
    private readonly options: FireOptions,
  ) {
    this.phaseName = typeof phase === 'string' ? phase : phase.name;
    this.phasePending = typeof phase === 'string' ? null : phase;
    this.warmPending = 'atOnce' in shots ? (shots.warm ?? 0) : 0;
    this.times = 'times' in shots ? shots.times : null;
  }

  next(nowMs: number): Step {
    const phase = this.phasePending;
    if (phase !== null) {
      this.phasePending = null;
      return { type: 'phase', atMs: phase.startMs, name: phase.name, kind: phase.kind, params: phase.params };
    }
    if (this.warmPending > 0) {
      const connections = this.warmPending;
      this.warmPending = 0;
      return { type: 'prepare', connections };
    }
    // "At once" means at the instant the warm-up ended: the first pull after it.
    this.times ??= new Array<number>('atOnce' in this.shots ? this.shots.atOnce : 0).fill(nowMs);
    const times = this.times;
    if (this.finished || this.index >= times.length) return END;
    const atMs = times[this.index]!;
    let groupEnd = this.index + 1;
    while (groupEnd < times.length && times[groupEnd] === atMs) groupEnd++;
    if (nowMs < atMs) {
      if (atMs > this.session.deadlineMs) {
        this.session.deadlinePassed();
        return this.finish();
      }
      return { type: 'wait', untilMs: atMs };
    }
    const wanted = groupEnd - this.index;
    const count = this.session.sendable(wanted, this.options.worstCaseTokens);
    if (count === 0) return this.finish();
    // A budget that allows only part of an instant ends the experiment after it.
    if (count < wanted) this.finished = true;
    this.index = groupEnd;
    this.session.reserve(count, this.options.worstCaseTokens);
    return { type: 'shot', atMs, count, phase: this.phaseName, payload: this.options.payload };
  }

  observe(line: RequestLine | DroppedLine): void {
    if (line.type !== 'request') {
      // Dropped at the in-flight ceiling: never sent, never billed; its reservation ends.
      this.session.settle(null, this.options.worstCaseTokens);
      return;
    }
    const request = line;
    const outcome = this.session.settle(request, this.options.worstCaseTokens)!;
    this.lines.push(request);
    if (this.options.stopWhen?.(request, outcome)) this.finished = true;
  }

  /** The experiment's answers in seq order (the order they were sent). */
  answers(): RequestLine[] {
    return [...this.lines].sort((a, b) => a.seq - b.seq);
  }

  private finish(): Step {
    this.finished = true;
    return END;
  }
}
