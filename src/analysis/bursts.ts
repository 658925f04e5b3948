/**
 * Burst instants: requests of a `burst` phase that share a planned instant, folded
 * into one small record each, and the burst figure derived from them
 * (`effective.requests.burst`, `schedule.sendSpreadMs`).
 */
import type { Confidence, RefusalClass } from './summary-types.js';
import type { ActivityIntervals } from './activity.js';

/** One burst instant: every request of one phase planned at the same time. */
export interface BurstInstant {
  phase: string;
  plannedMs: number;
  sent: number;
  admitted: number;
  refused: number;
  failed: number;
  minSentMs: number;
  maxSentMs: number;
  minSeq: number;
  maxAdmittedSeq: number;
  firstRefusedSeq: number | null;
  /** Lowest remaining-* among the admitted answers: the headers' count after the instant. */
  minAdmittedRemainingRequests: number | null;
  minAdmittedRemainingTokens: number | null;
  /** Estimated tokens of the admitted requests. */
  admittedEstimatedTokens: number;
  refusedByClass: Partial<Record<RefusalClass, number>>;
}

/** What happened to one request of an instant. */
export interface InstantOutcome {
  phase: string;
  plannedMs: number;
  sentMs: number;
  seq: number;
  outcome: 'admitted' | 'refused' | 'failed';
  refusalClass: RefusalClass | null;
  remainingRequests: number | null;
  remainingTokens: number | null;
  estimatedTokens: number;
}

/** Folds burst-phase requests into instants; at most `maxInstants` are kept (later ones are counted as skipped). */
export class BurstInstants {
  private readonly byKey = new Map<string, BurstInstant>();
  private readonly maxInstants: number;
  skipped = 0;

  constructor(maxInstants = 10_000) {
    this.maxInstants = maxInstants;
  }

  add(request: InstantOutcome): void {
    const key = `${request.phase}\u0000${request.plannedMs}`;
    let instant = this.byKey.get(key);
    if (instant === undefined) {
      if (this.byKey.size >= this.maxInstants) {
        this.skipped++;
        return;
      }
      instant = {
        phase: request.phase,
        plannedMs: request.plannedMs,
        sent: 0,
        admitted: 0,
        refused: 0,
        failed: 0,
        minSentMs: Number.POSITIVE_INFINITY,
        maxSentMs: Number.NEGATIVE_INFINITY,
        minSeq: Number.POSITIVE_INFINITY,
        maxAdmittedSeq: Number.NEGATIVE_INFINITY,
        firstRefusedSeq: null,
        minAdmittedRemainingRequests: null,
        minAdmittedRemainingTokens: null,
        admittedEstimatedTokens: 0,
        refusedByClass: {},
      };
      this.byKey.set(key, instant);
    }
    instant.sent++;
    if (Number.isFinite(request.sentMs)) {
      instant.minSentMs = Math.min(instant.minSentMs, request.sentMs);
      instant.maxSentMs = Math.max(instant.maxSentMs, request.sentMs);
    }
    instant.minSeq = Math.min(instant.minSeq, request.seq);
    if (request.outcome === 'admitted') {
      instant.admitted++;
      instant.maxAdmittedSeq = Math.max(instant.maxAdmittedSeq, request.seq);
      instant.admittedEstimatedTokens += request.estimatedTokens;
      if (request.remainingRequests !== null) {
        instant.minAdmittedRemainingRequests = Math.min(instant.minAdmittedRemainingRequests ?? Infinity, request.remainingRequests);
      }
      if (request.remainingTokens !== null) {
        instant.minAdmittedRemainingTokens = Math.min(instant.minAdmittedRemainingTokens ?? Infinity, request.remainingTokens);
      }
    } else if (request.outcome === 'refused') {
      instant.refused++;
      if (instant.firstRefusedSeq === null || request.seq < instant.firstRefusedSeq) instant.firstRefusedSeq = request.seq;
      const refusalClass = request.refusalClass ?? 'unknown';
      instant.refusedByClass[refusalClass] = (instant.refusedByClass[refusalClass] ?? 0) + 1;
    } else {
      instant.failed++;
    }
  }

  /** Instants in planned order. */
  list(): BurstInstant[] {
    return [...this.byKey.values()].sort((a, b) => a.plannedMs - b.plannedMs || a.minSeq - b.minSeq);
  }
}

/** The burst figure and the instant it came from. */
export interface BurstMeasurement {
  burst: number | null;
  confidence: Confidence;
  /** The instant the figure came from. */
  instant: BurstInstant | null;
  /** False when no instant started from idle and the figure is only a lower bound. */
  fromIdle: boolean;
  /** Widest send spread of any instant, ms. */
  sendSpreadMs: number | null;
  /** Estimated tokens admitted by a from-idle instant that ended in token refusals (the token burst), else null. */
  tokenBurst: number | null;
}

/** Refusal classes that say the request-rate cap was what stopped a burst. */
const REQUEST_CAP_CLASSES: RefusalClass[] = ['requests'];
/** Classes that probably were the request cap, but the answer did not say so. */
const LIKELY_REQUEST_CAP_CLASSES: RefusalClass[] = ['unknown', 'gateway'];

/**
 * The most requests admitted at one instant after idle (docs/summary.md).
 *
 * An instant "started from idle" when nothing was in flight for at least
 * `idleGapMs` before its first send (or it is the first activity of the run). Why
 * that gap: a burst right after other traffic finds the limiter partly spent and
 * admits fewer than its cap. `idleGapMs` is the longest request window evidence
 * supports (10 s at least: Azure's request bucket).
 *
 * Confidence: high when the instant ended in call-rate refusals (the cap was reached),
 * medium when it ended in refusals that did not name a dimension, low when nothing was
 * refused (the figure is a lower bound) or only other limits refused (tokens, capacity),
 * or when no instant started from idle.
 */
export function measureBurst(instants: BurstInstant[], activity: ActivityIntervals, idleGapMs: number): BurstMeasurement {
  let sendSpreadMs: number | null = null;
  for (const instant of instants) {
    if (instant.sent >= 2 && Number.isFinite(instant.maxSentMs - instant.minSentMs)) {
      sendSpreadMs = Math.max(sendSpreadMs ?? 0, instant.maxSentMs - instant.minSentMs);
    }
  }
  // A single request is not a burst (a `--size 1` phase paces requests one at a time).
  const bursts = instants.filter((instant) => instant.sent >= 2);
  if (bursts.length === 0) return { burst: null, confidence: 'none', instant: null, fromIdle: false, sendSpreadMs, tokenBurst: null };

  const fromIdle = bursts.filter((instant) => activity.idleBefore(instant.minSentMs) >= idleGapMs);
  const candidates = fromIdle.length > 0 ? fromIdle : bursts;
  let chosen = candidates[0]!;
  for (const instant of candidates) {
    if (instant.admitted > chosen.admitted) chosen = instant;
  }

  const refusedBy = (classes: RefusalClass[]): number => classes.reduce((sum, name) => sum + (chosen.refusedByClass[name] ?? 0), 0);
  let confidence: Confidence;
  if (fromIdle.length === 0) confidence = 'low';
  else if (refusedBy(REQUEST_CAP_CLASSES) > 0) confidence = 'high';
  else if (refusedBy(LIKELY_REQUEST_CAP_CLASSES) > 0) confidence = 'medium';
  else confidence = 'low';

  const tokenInstant = fromIdle.find((instant) => (instant.refusedByClass.tokens ?? 0) > 0);
  return {
    burst: chosen.admitted,
    confidence,
    instant: chosen,
    fromIdle: fromIdle.length > 0,
    sendSpreadMs,
    tokenBurst: tokenInstant?.admittedEstimatedTokens ?? null,
  };
}
