/**
 * Sources: what the firing loop (src/run/loop.ts) asks "what next?". The loop is the one
 * place the tool sends anything; a source only decides *when*, *how many*, *to which
 * target* and *with what tags*, and may watch each outcome as it lands. A fixed plan
 * (src/run/plan-source.ts) is one source; each probe experiment is another; a retrying
 * caller or a realtime session schedule are more, written the same way.
 *
 * What the loop guarantees to every source, for every request it sends:
 *   - Pull, never push. The loop calls `next(now)` when it is ready for the next step,
 *     and acts on the step before it pulls again. Times are absolute clock times (ms on
 *     the run's clock); a shot found late leaves at once (catch-up) and is recorded with
 *     its planned time, so nothing drifts.
 *   - Bursts in one tick. Consecutive shots due at the same instant (one shot of `count`
 *     requests, or several shots to several targets) are handed to their senders in one
 *     synchronous stretch, with no await in between.
 *   - Open loop with a ceiling. A request that finds `maxInFlight` requests in flight is
 *     not queued: it becomes a `dropped` line with reason `max-in-flight`, and the source
 *     observes that line like any other outcome.
 *   - Wake-gap rule. The loop never wakes sooner than 0.5 ms after its last wake-up to
 *     send a shot: a shot is at most that late, never early (see MIN_WAKE_GAP_MS in
 *     loop.ts).
 *   - Every started request is recorded: its sender turns every outcome (aborts included)
 *     into one line, which reaches the sink, with the shot's tags merged in, as soon as
 *     it lands; then `observe` sees it.
 *   - Two-stage stop. After an `end` step, the stop signal or the request budget, no new
 *     request starts; requests in flight get the grace period, then are cut through the
 *     signal handed to the sender (recorded with errorKind `aborted`). The abort signal
 *     cuts at once.
 *   - Waking. During a `wait` step the loop wakes when its time comes, when an outcome
 *     lands, or when the source calls `view.wake()`; while sleeping towards a shot in the
 *     future it wakes early only for `view.wake()` (then it pulls again: the shot was not
 *     committed).
 *   - Warm connections. Before a shot of more than one request that is due in the future,
 *     the loop asks its target's sender to `prepare` that many connections in the gap; a
 *     `prepare` step warms and waits (bounded) before the next pull.
 *
 * Sequence numbers count requests in the order the loop handles them, sent and dropped
 * alike, so a gap in the sent seqs shows a drop.
 *
 * A source that fires three pings 100 ms apart and stops at the first admission:
 *
 *     function pings(startMs: number): Source {
 *       let fired = 0;
 *       let admitted = false;
 *       return {
 *         next(nowMs) {
 *           if (admitted || fired === 3) return { type: 'end' };
 *           const atMs = startMs + fired * 100;
 *           if (nowMs < atMs) return { type: 'wait', untilMs: atMs };
 *           fired++;
 *           return { type: 'shot', atMs, count: 1, phase: 'watch', tags: { ping: fired } };
 *         },
 *         observe(line) {
 *           if (line.type === 'request' && line.status === 200) admitted = true;
 *         },
 *       };
 *     }
 *
 * A `wait` (not a shot in the future) is what lets the admission end the watch before
 * the next ping: the loop wakes when the answer lands and pulls again.
 */
import type { DroppedLine, PhaseLine, RecordLine, RequestLine } from '../record/types.js';
import type { SendRequest } from './types.js';

/** Extra fields a shot adds to each of its requests' lines (and dropped lines): plain values only. */
export type ShotTags = Readonly<Record<string, string | number | boolean | null>>;

/** A line a sender returns for one request it sent: a RequestLine for HTTP, another line type for other kinds of exchange. */
export type SentLine = RecordLine & { seq: number };

/**
 * Sends one thing and turns every outcome, good or bad, into one line. The HTTP transports
 * (src/run/transport/transport.ts, src/run/transport/lean-transport.ts) are senders; a realtime session
 * sender is another: the loop applies its ceiling, stop and drain rules to whatever a
 * sender sends.
 */
export interface Sender<Line extends SentLine = RequestLine> {
  /** Opens (and warms) up to `connections` connections before an instant of several requests; may do nothing. */
  prepare(connections: number): Promise<void>;
  /** Never rejects: failures become fields of the returned line. Aborting `signal` cuts the request. */
  send(request: SendRequest, signal: AbortSignal): Promise<Line>;
}

/** Send `count` requests at `atMs` (absolute clock time, ms): to `target`, or round-robin over the loop's targets. */
export interface ShotStep {
  type: 'shot';
  atMs: number;
  count: number;
  /** The phase name written on each line. */
  phase: string;
  /** Id of one of the loop's targets; absent: the targets in turn, one request each. */
  target?: string;
  payload?: SendRequest['payload'];
  /** Merged into every line of this shot (request and dropped). */
  tags?: ShotTags;
}

/** Write a `phase` line with `startMs = atMs`, sleeping until then first. */
export interface PhaseStep {
  type: 'phase';
  atMs: number;
  name: string;
  kind: PhaseLine['kind'];
  params: PhaseLine['params'];
  /** Requests due at the phase's very start: warmed in the gap before it when more than one. */
  warm?: number;
}

/** Warm `connections` connections on every target and wait for it (at most `timeoutMs`, or the stop) before pulling again. */
export interface PrepareStep {
  type: 'prepare';
  connections: number;
  /** Longest wait, ms. Default: the loop's `prepareTimeoutMs`. */
  timeoutMs?: number;
}

/** Nothing due now: pull again at `untilMs` (null: no time), when an outcome lands, or on `view.wake()`. */
export interface WaitStep {
  type: 'wait';
  untilMs: number | null;
}

/** No more requests from this source. The loop sleeps until `atMs` (when given), then drains what is in flight. */
export interface EndStep {
  type: 'end';
  atMs?: number;
  /** How long requests in flight may still finish after a normal end, ms. Default: the loop's `graceMs`; Infinity waits for every answer. */
  graceMs?: number;
}

/** One answer to "what next?". */
export type Step = ShotStep | PhaseStep | PrepareStep | WaitStep | EndStep;

/** What a source may read from (and ask of) the loop running it. */
export interface LoopView {
  /** The run's clock, ms. */
  now(): number;
  /** Requests in flight now. */
  readonly inFlight: number;
  /** The in-flight ceiling. */
  readonly maxInFlight: number;
  /** Ends the loop's current sleep (a wait, or the sleep towards a future shot) and pulls again. */
  wake(): void;
}

/** Decides what the loop sends next; see the module comment for what the loop guarantees. */
export interface Source<Line extends SentLine = RequestLine> {
  /** Called once, before the first pull. */
  start?(view: LoopView): void;
  /**
   * The next step, given the clock time. The loop acts on the returned object before it
   * pulls again, so a source may reuse one object between pulls.
   */
  next(nowMs: number): Step;
  /** Each outcome as it lands: the sender's line (tags merged), or a `dropped` line. */
  observe?(line: Line | DroppedLine): void;
  /**
   * Whether the source still has requests to hand out. Used for the request budget: once
   * `maxRequests` are sent, the run ends with reason "budget" only when something was
   * left to send. Default: true.
   */
  hasMore?(): boolean;
}
