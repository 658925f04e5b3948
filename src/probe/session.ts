/**
 * A probe session: the one place the probe sends requests. It fires requests at
 * absolute planned times through the Transport, writes a `phase` line (kind
 * "probe") before each experiment and a `request` line for every answer, and keeps
 * every line so the controller can analyse what it has so far.
 *
 * Why not the runner (src/run/runner.ts): the runner executes a plan fixed in
 * advance. The probe decides as answers arrive — stop pinging at the first
 * admission, stop a burst of token requests at the first token refusal — and
 * times each experiment from the previous one's answers. The firing discipline is
 * the runner's: requests planned for the same instant leave in one synchronous
 * loop, connections are warmed before an instant of several, nothing drifts.
 *
 * Budgets are enforced here, request by request (see budget.ts); a request that
 * would break one is not sent, and the session remembers why it stopped.
 */
import type { Clock } from '../run/pacing/clock.js';
import type { PayloadOverrides, Transport } from '../run/types.js';
import type { PhaseLine, RecordSink, RequestLine } from '../record/types.js';
import type { RefusalClass } from '../analysis/summary-types.js';
import { outcomeOf, toObservations, type Observation, type Outcome } from '../analysis/inference/observations.js';
import type { ProbeBudget, ProbeSpending } from './budget.js';

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
  /** seq of the first request. Default 0. */
  firstSeq?: number;
  /** Called with every request line as it is written (progress). */
  onRequest?: (line: RequestLine, outcome: Outcome) => void;
  /** Called with every phase line as it is written (progress). */
  onPhase?: (line: PhaseLine) => void;
}

/** Options of one firing. */
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
  private readonly cut = new AbortController();
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
    options.abortSignal?.addEventListener('abort', () => this.cut.abort(), { once: true });
    if (options.abortSignal?.aborted) this.cut.abort();
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

  /** Writes the phase line of a new experiment; returns its name. */
  phase(purpose: string, params: PhaseParams = {}): string {
    this.phaseCount++;
    const name = `probe-${String(this.phaseCount).padStart(2, '0')}-${purpose}`;
    const line: PhaseLine = { type: 'phase', name, kind: 'probe', startMs: this.now(), params: { purpose, ...params } };
    this.phases.push(line);
    this.options.sink.write(line);
    this.options.onPhase?.(line);
    return name;
  }

  /** Sleeps until `atMs` (or the stop). */
  async waitUntil(atMs: number): Promise<void> {
    if (this.stopped) return;
    await this.options.clock.sleepUntil(Math.min(atMs, this.deadlineMs), this.options.stopSignal);
  }

  /** Whether one more request of `worstCaseTokens` may be sent now; records why not. */
  private maySend(worstCaseTokens: number): boolean {
    if (this.stopped) return false;
    if (this.now() > this.deadlineMs) {
      this.stopReason = 'time';
      return false;
    }
    if (this.requestsLeft <= 0) {
      this.stopReason = 'budget';
      return false;
    }
    if (this.billed + this.reserved + worstCaseTokens > this.limits.billedTokens) {
      this.stopReason = 'budget';
      return false;
    }
    return true;
  }

  /**
   * Fires one request at each of `times` (absolute, ascending; equal times leave
   * together) in phase `phase`, and resolves with every answer once all are in.
   * Stops firing at the budget, the deadline, the stop signal, or `stopWhen`.
   */
  async fire(phase: string, times: readonly number[], options: FireOptions): Promise<RequestLine[]> {
    const answers: Promise<RequestLine>[] = [];
    // Woken early when an answer satisfies stopWhen or the user stops: a watch that
    // sees its admission must not sleep on until the next planned ping.
    const wake = new AbortController();
    const onStop = (): void => wake.abort();
    this.options.stopSignal?.addEventListener('abort', onStop, { once: true });
    let index = 0;
    try {
      while (index < times.length && !wake.signal.aborted) {
        const at = times[index]!;
        let groupEnd = index + 1;
        while (groupEnd < times.length && times[groupEnd] === at) groupEnd++;
        if (this.now() < at) {
          if (at > this.deadlineMs) {
            this.stopReason ??= 'time';
            break;
          }
          if (groupEnd - index > 1) void this.options.transport.prepare(groupEnd - index).catch(() => undefined);
          await this.options.clock.sleepUntil(at, wake.signal);
          if (wake.signal.aborted) break;
        }
        let sentAll = true;
        for (let position = index; position < groupEnd; position++) {
          if (!this.maySend(options.worstCaseTokens)) {
            sentAll = false;
            break;
          }
          answers.push(this.sendOne(phase, at, options, () => wake.abort()));
        }
        if (!sentAll) break;
        index = groupEnd;
      }
    } finally {
      this.options.stopSignal?.removeEventListener('abort', onStop);
    }
    return Promise.all(answers);
  }

  /** Warms `connections` connections (before a burst), without spending quota. */
  async prepare(connections: number): Promise<void> {
    await this.options.transport.prepare(connections).catch(() => undefined);
  }

  private async sendOne(phase: string, plannedMs: number, options: FireOptions, onSatisfied: () => void): Promise<RequestLine> {
    const seq = this.seq++;
    this.inFlightCount++;
    this.reserved += options.worstCaseTokens;
    const request = { seq, phase, target: this.options.targetId, plannedMs, ...(options.payload ? { payload: options.payload } : {}) };
    const line = await this.options.transport.send(request, this.cut.signal);
    this.inFlightCount--;
    this.reserved -= options.worstCaseTokens;
    const outcome = this.outcomeOf(line);
    this.billed += line.usage?.totalTokens ?? (outcome === 'admitted' ? options.worstCaseTokens : 0);
    this.estimated += line.estimatedTokens;
    this.requests.push(line);
    this.options.sink.write(line);
    this.options.onRequest?.(line, outcome);
    if (options.stopWhen?.(line, outcome)) onSatisfied();
    return line;
  }
}
