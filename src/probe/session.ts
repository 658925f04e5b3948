/**
 * A probe session: the probe's state between experiments and its one way to send. Each
 * experiment runs through the firing loop (src/run/loop.ts) as a source
 * (./experiment-source.ts), so the probe gets the runner's rules for every request: the
 * in-flight ceiling and its `dropped` lines, the two-stage stop and the drain. The
 * session writes nothing itself: the loop writes the experiment's `phase` line and a
 * line per request; the session keeps the phases and answers so the probe can analyse
 * what it has so far.
 *
 * Budgets are enforced by the experiment source, request by request (see budget.ts); a
 * request that would break one is not sent, and the session remembers why it stopped.
 */
import type { Clock } from '../run/pacing/clock.js';
import type { PayloadOverrides, Transport } from '../run/types.js';
import { runSource } from '../run/loop.js';
import type { PhaseLine, RecordSink, RequestLine } from '../record/types.js';
import type { RefusalClass } from '../analysis/summary-types.js';
import { outcomeOf, toObservations, type Observation, type Outcome } from '../analysis/inference/index.js';
import type { ProbeBudget, ProbeSpending } from './budget.js';
import { ExperimentSource, type ExperimentShots } from './experiment-source.js';

/** Parameters written on a phase line: plain values only. */
export type PhaseParams = Record<string, string | number | boolean | null>;

/** Why a session stopped sending early. */
export type StopReason = 'budget' | 'interrupted' | 'time';

/** Everything a session needs from outside. */
export interface ProbeSessionOptions {
  clock: Clock;
  transport: Transport;
  sink: RecordSink;
  targetId: string;
  budget: ProbeBudget;
  refusalClassOf: (request: RequestLine) => RefusalClass | null;
  /** First stage of stopping (Ctrl-C): no new request starts. */
  stopSignal?: AbortSignal;
  /** Second stage: requests in flight are cut. */
  abortSignal?: AbortSignal;
  /** In-flight ceiling (a request past it becomes a `dropped` line). Default: no ceiling. */
  maxInFlight?: number;
  /** After the first stop, how long requests in flight may still finish before they are cut, ms. Default 5000. */
  graceMs?: number;
  /** seq of the first request. Default 0. */
  firstSeq?: number;
  /** Called with every request line as it is written (progress). */
  onRequest?: (line: RequestLine, outcome: Outcome) => void;
  /** Called with every phase line as it is written (progress). */
  onPhase?: (line: PhaseLine) => void;
}

/** Options of one experiment's requests. */
export interface FireOptions {
  payload?: PayloadOverrides;
  /** Worst-case billed tokens of one request (prompt + max_tokens), for the token budget. */
  worstCaseTokens: number;
  /** Stop firing the rest once an answer satisfies this (requests already sent still finish). */
  stopWhen?: (line: RequestLine, outcome: Outcome) => boolean;
}

/** The probe's channel to the target. */
export class ProbeSession {
  readonly phases: PhaseLine[] = [];
  readonly requests: RequestLine[] = [];
  readonly startMs: number;
  private seq: number;
  private phaseCount = 0;
  private billed = 0;
  private reserved = 0;
  private estimated = 0;
  private stopReason: StopReason | null = null;
  private observationCache: { count: number; observations: Observation[] } = { count: -1, observations: [] };

  /**
   * The limits in force: the probe narrows them for the request stage (so the token
   * stage keeps its share) and widens them again for the token stage.
   */
  limits: ProbeBudget;

  constructor(private readonly options: ProbeSessionOptions) {
    this.startMs = options.clock.now();
    this.limits = { ...options.budget };
    this.seq = options.firstSeq ?? 0;
  }

  /** Current time on the run's clock, ms. */
  now(): number {
    return this.options.clock.now();
  }

  /** The time after which nothing more is sent, ms. */
  get deadlineMs(): number {
    return this.startMs + this.limits.seconds * 1000;
  }

  /** Requests the budget still allows. */
  get requestsLeft(): number {
    return Math.max(0, this.limits.requests - this.requests.length - this.inFlightCount);
  }

  /**
   * Requests of `worstCaseTokens` each that the budgets allow at this instant: the
   * requests left, and the billed tokens left counting every request in flight at
   * its worst case. Why a burst is sized by this and not only by requestsLeft: a
   * burst cut short by the token budget would stop the probe for good (maySend's
   * budget stop is final), although most of the tokens reserved for it come back
   * unspent once the answers (short, or refused) are in.
   */
  affordable(worstCaseTokens: number): number {
    const tokensLeft = this.limits.billedTokens - this.billed - this.reserved;
    return Math.max(0, Math.min(this.requestsLeft, Math.floor(tokensLeft / Math.max(1, worstCaseTokens))));
  }

  /** Seconds left before the deadline. */
  get secondsLeft(): number {
    return Math.max(0, (this.deadlineMs - this.now()) / 1000);
  }

  /** Lets a new stage send again after the previous one ran into its own (narrower) limits. */
  resume(): void {
    if (this.stopReason !== 'interrupted') this.stopReason = null;
  }

  /** Why the session stopped early, or null while it may still send. */
  get stopped(): StopReason | null {
    if (this.stopReason === null && this.options.stopSignal?.aborted) this.stopReason = 'interrupted';
    return this.stopReason;
  }

  /** The seq the next request will get. */
  get nextSeq(): number {
    return this.seq;
  }

  private inFlightCount = 0;

  /** What was spent so far. */
  spending(): ProbeSpending {
    return {
      requests: this.requests.length,
      billedTokens: this.billed,
      estimatedTokens: this.estimated,
      seconds: (this.now() - this.startMs) / 1000,
    };
  }

  /** The recording so far as the inference sees it (cached until a new answer arrives). */
  observations(): Observation[] {
    if (this.observationCache.count !== this.requests.length) {
      this.observationCache = { count: this.requests.length, observations: toObservations(this.phases, this.requests, this.options.refusalClassOf) };
    }
    return this.observationCache.observations;
  }

  /** The outcome of a recorded answer. */
  outcomeOf(line: RequestLine): Outcome {
    return outcomeOf(line, this.options.refusalClassOf(line));
  }

  /**
   * A new experiment's phase line (kind "probe"), started now; returns it. The line
   * reaches the recording when the experiment runs (its first step).
   */
  phase(purpose: string, params: PhaseParams = {}): PhaseLine {
    this.phaseCount++;
    const name = `probe-${String(this.phaseCount).padStart(2, '0')}-${purpose}`;
    const line: PhaseLine = { type: 'phase', name, kind: 'probe', startMs: this.now(), params: { purpose, ...params } };
    this.phases.push(line);
    this.options.onPhase?.(line);
    return line;
  }

  /** Sleeps until `atMs` (or the stop). */
  async waitUntil(atMs: number): Promise<void> {
    if (this.stopped) return;
    await this.options.clock.sleepUntil(Math.min(atMs, this.deadlineMs), this.options.stopSignal);
  }

  /**
   * How many of `wanted` requests of `worstCaseTokens` each may be sent now; records why
   * not all (the stop, the deadline, the requests or the billed-tokens budget).
   */
  sendable(wanted: number, worstCaseTokens: number): number {
    let count = 0;
    while (count < wanted && this.maySend(worstCaseTokens, count)) count++;
    return count;
  }

  /** Whether one more request of `worstCaseTokens` may be sent now, after `extra` more already counted; records why not. */
  private maySend(worstCaseTokens: number, extra: number): boolean {
    if (this.stopped) return false;
    if (this.now() > this.deadlineMs) {
      this.stopReason = 'time';
      return false;
    }
    if (this.requestsLeft - extra <= 0) {
      this.stopReason = 'budget';
      return false;
    }
    if (this.billed + this.reserved + (extra + 1) * worstCaseTokens > this.limits.billedTokens) {
      this.stopReason = 'budget';
      return false;
    }
    return true;
  }

  /** Records that the deadline ended an experiment before its next planned request. */
  deadlinePassed(): void {
    this.stopReason ??= 'time';
  }

  /** Counts `count` requests handed to the loop: in flight, each reserving its worst case. */
  reserve(count: number, worstCaseTokens: number): void {
    this.inFlightCount += count;
    this.reserved += count * worstCaseTokens;
  }

  /** A request's line landed (or it was dropped): its reservation ends, an answer is counted and billed. */
  settle(line: RequestLine | null, worstCaseTokens: number): Outcome | null {
    this.inFlightCount--;
    this.reserved -= worstCaseTokens;
    if (line === null) return null;
    const outcome = this.outcomeOf(line);
    this.billed += line.usage?.totalTokens ?? (outcome === 'admitted' ? worstCaseTokens : 0);
    this.estimated += line.estimatedTokens;
    this.requests.push(line);
    this.options.onRequest?.(line, outcome);
    return outcome;
  }

  /**
   * Runs one experiment through the firing loop: its phase line (when `phase` is given),
   * an optional warm-up, then its requests; resolves with its answers in seq order once
   * all are in. Stops sending at the budget, the deadline, the stop signal, or `stopWhen`.
   */
  async run(phase: PhaseLine | string, shots: ExperimentShots, options: FireOptions): Promise<RequestLine[]> {
    const source = new ExperimentSource(this, phase, shots, options);
    const result = await runSource<RequestLine>(source, {
      clock: this.options.clock,
      sink: this.options.sink,
      targets: [{ id: this.options.targetId, sender: this.options.transport }],
      maxInFlight: this.options.maxInFlight ?? Number.POSITIVE_INFINITY,
      graceMs: this.options.graceMs ?? 5000,
      firstSeq: this.seq,
      ...(this.options.stopSignal ? { stopSignal: this.options.stopSignal } : {}),
      ...(this.options.abortSignal ? { abortSignal: this.options.abortSignal } : {}),
    });
    this.seq = result.nextSeq;
    return source.answers();
  }
}
