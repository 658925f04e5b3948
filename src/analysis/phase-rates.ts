/**
 * Per-phase send and admission counts by send time, for the steady-state rate of a
 * throttled steady or ramp phase (`effective.requests.perSecond`) and the knee of a
 * ramp (`effective.requests.kneePerSecond`).
 */
import type { PhaseLine } from '../record/types.js';
import type { RefusalClass } from './summary-types.js';
import { TimeBuckets } from './time-buckets.js';

/**
 * Refusals that say (or probably say) the request rate was too high. Why not every
 * refusal: a token refusal says the token budget ran out, and the requests still
 * admitted after it (cheap ones) are no measure of the request cap; the same for a
 * request that can never fit, an exhausted quota, or a busy service.
 */
const REQUEST_RATE_CLASSES: ReadonlySet<RefusalClass> = new Set(['requests', 'unknown', 'gateway']);

/** Kinds a phase can have; `unknown` when neither a phase line nor the command says. */
export type PhaseKind = PhaseLine['kind'] | 'unknown';

interface SendCounts {
  sent: number;
  admitted: number;
  /** Refusals for the request rate (see REQUEST_RATE_CLASSES). */
  rateRefused: number;
}

const SEND_COUNTS = {
  create: (): SendCounts => ({ sent: 0, admitted: 0, rateRefused: 0 }),
  merge: (into: SendCounts, from: SendCounts): void => {
    into.sent += from.sent;
    into.admitted += from.admitted;
    into.rateRefused += from.rateRefused;
  },
};

/** One phase's requests, folded. */
export class PhaseStats {
  readonly name: string;
  kind: PhaseKind;
  sent = 0;
  admitted = 0;
  refused = 0;
  firstSentMs = Number.POSITIVE_INFINITY;
  lastSentMs = Number.NEGATIVE_INFINITY;
  /** Send time of the earliest-sent refused request (any class). */
  firstRefusalSentMs: number | null = null;
  /** Planned time of the earliest-planned refused request (any class): where a ramp's knee is read. */
  firstRefusalPlannedMs: number | null = null;
  /** Send time of the earliest-sent refusal for the request rate (see REQUEST_RATE_CLASSES). */
  firstRateRefusalSentMs: number | null = null;
  private readonly bySendTime = new TimeBuckets(SEND_COUNTS);

  constructor(name: string, kind: PhaseKind) {
    this.name = name;
    this.kind = kind;
  }

  add(sentMs: number, outcome: 'admitted' | 'refused' | 'failed', refusalClass: RefusalClass | null = null, plannedMs: number = sentMs): void {
    if (!Number.isFinite(sentMs)) return;
    this.sent++;
    this.firstSentMs = Math.min(this.firstSentMs, sentMs);
    this.lastSentMs = Math.max(this.lastSentMs, sentMs);
    const bucket = this.bySendTime.at(sentMs);
    bucket.sent++;
    if (outcome === 'admitted') {
      this.admitted++;
      bucket.admitted++;
    } else if (outcome === 'refused') {
      this.refused++;
      if (this.firstRefusalSentMs === null || sentMs < this.firstRefusalSentMs) this.firstRefusalSentMs = sentMs;
      if (Number.isFinite(plannedMs) && (this.firstRefusalPlannedMs === null || plannedMs < this.firstRefusalPlannedMs)) this.firstRefusalPlannedMs = plannedMs;
      if (REQUEST_RATE_CLASSES.has(refusalClass ?? 'unknown')) {
        bucket.rateRefused++;
        if (this.firstRateRefusalSentMs === null || sentMs < this.firstRateRefusalSentMs) this.firstRateRefusalSentMs = sentMs;
      }
    }
  }

  /**
   * The admitted rate once refusals for the request rate began, requests per second;
   * null when the phase saw no such refusal (token refusals alone say nothing about
   * the request cap) or the throttled stretch is too short to measure.
   *
   * Why from the first refusal: before it the limiter was spending its initial
   * allowance (a bucket's burst), which would inflate the rate; after it, an
   * open-loop sender keeps the limiter saturated, so what gets through is its
   * sustained rate (a token bucket's refill; lower for limiters that also count
   * refused requests).
   *
   * Why between like points of the limiter's cycle: a window limiter admits its
   * allowance at each window's start and refuses the rest, so a stretch from the first
   * refusal to the last send holds one window's refused tail more than its admitted
   * heads (a 5-per-second window offered 8/s for 5 s read 4.54/s). The stretch
   * therefore runs between starts of refusal runs (a stored bucket with a refusal whose
   * previous non-empty bucket admitted something): from the first such start after
   * the first refusal to the last one. Both ends are "where refusals begin", so the
   * stretch holds whole cycles. Why not from the first refusal itself: a phase that
   * starts in the middle of a window reaches its first refusal early, in a cycle cut
   * short. A token bucket refuses between admissions all along, so for it those
   * starts span nearly the whole throttled stretch. When there are no two such starts
   * far enough apart, the count runs from the first refusal to the last send; that
   * stretch covers `sent` arrivals, i.e. `sent` intervals of the offered rate, hence the
   * `sent / (sent − 1)` stretch correction.
   */
  throttledRate(minimumStretchMs = 2000): number | null {
    if (this.firstRateRefusalSentMs === null) return null;
    const from = Math.floor(this.firstRateRefusalSentMs / this.bySendTime.widthMs) * this.bySendTime.widthMs;
    let sent = 0;
    let admitted = 0;
    // Starts of refusal runs after the first one: [start ms, admitted before it since `from`].
    let firstRunStart: [number, number] | null = null;
    let lastRunStart: [number, number] | null = null;
    let previousAdmitted = false;
    for (const [startMs, counts] of this.bySendTime.entries()) {
      if (startMs < from) continue;
      if (startMs > from && counts.rateRefused > 0 && previousAdmitted) {
        lastRunStart = [startMs, admitted];
        firstRunStart ??= lastRunStart;
      }
      previousAdmitted = counts.admitted > 0;
      sent += counts.sent;
      admitted += counts.admitted;
    }
    if (firstRunStart !== null && lastRunStart !== null && lastRunStart[0] - firstRunStart[0] >= minimumStretchMs) {
      return ((lastRunStart[1] - firstRunStart[1]) * 1000) / (lastRunStart[0] - firstRunStart[0]);
    }
    const stretchMs = this.lastSentMs - Math.max(from, this.firstSentMs);
    if (sent < 2 || stretchMs < minimumStretchMs) return null;
    const coveredMs = (stretchMs * sent) / (sent - 1);
    return (admitted * 1000) / coveredMs;
  }

  /**
   * The offered rate at the first refusal, requests per second; null without a refusal.
   *
   * Why from the plan when the phase line gives it: a ramp offers `from + (to − from) ·
   * elapsed / duration` requests per second at each planned instant, so the rate at the
   * first refused request's planned time is exact. Counting sends in the second before
   * it (the fallback, for phase lines without the ramp's figures) reads the limiter's
   * own cap instead (e.g. 6 sends in 1.05 s against a 5-per-second cap), not the ramp.
   */
  rateAtFirstRefusal(phase?: PhaseLine): number | null {
    if (this.firstRefusalSentMs === null) return null;
    const planned = phase === undefined ? null : plannedRate(phase, this.firstRefusalPlannedMs);
    if (planned !== null) return planned;
    const width = this.bySendTime.widthMs;
    const fromBucket = Math.floor(Math.max(this.firstSentMs, this.firstRefusalSentMs - 1000) / width) * width;
    const endBucket = Math.floor(this.firstRefusalSentMs / width) * width;
    let sent = 0;
    for (const [startMs, counts] of this.bySendTime.entries()) {
      if (startMs >= fromBucket && startMs <= endBucket) sent += counts.sent;
    }
    return (sent * 1000) / (endBucket + width - fromBucket);
  }
}

/** A ramp phase's offered rate at run time `atMs`, from its phase line's figures; null when they are missing. */
function plannedRate(phase: PhaseLine, atMs: number | null): number | null {
  const { fromPerSecond, toPerSecond, durationMs } = phase.params;
  if (atMs === null || typeof fromPerSecond !== 'number' || typeof toPerSecond !== 'number' || typeof durationMs !== 'number') return null;
  if (!Number.isFinite(fromPerSecond) || !Number.isFinite(toPerSecond) || !(durationMs > 0)) return null;
  const share = Math.min(1, Math.max(0, (atMs - phase.startMs) / durationMs));
  return fromPerSecond + (toPerSecond - fromPerSecond) * share;
}
