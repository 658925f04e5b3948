/**
 * Per-phase send and admission counts by send time, for the steady-state rate of a
 * throttled steady or ramp phase (`effective.requests.perSecond`) and the knee of a
 * ramp (`effective.requests.kneePerSecond`).
 */
import type { PhaseLine } from '../record/types.js';
import { TimeBuckets } from './time-buckets.js';

/** Kinds a phase can have; `unknown` when neither a phase line nor the command says. */
export type PhaseKind = PhaseLine['kind'] | 'unknown';

interface SendCounts {
  sent: number;
  admitted: number;
}

const SEND_COUNTS = {
  create: (): SendCounts => ({ sent: 0, admitted: 0 }),
  merge: (into: SendCounts, from: SendCounts): void => {
    into.sent += from.sent;
    into.admitted += from.admitted;
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
  /** Send time of the earliest-sent refused request. */
  firstRefusalSentMs: number | null = null;
  private readonly bySendTime = new TimeBuckets(SEND_COUNTS);

  constructor(name: string, kind: PhaseKind) {
    this.name = name;
    this.kind = kind;
  }

  add(sentMs: number, outcome: 'admitted' | 'refused' | 'failed'): void {
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
    }
  }

  /**
   * The admitted rate once refusals began, requests per second; null when the phase
   * saw no refusal or the throttled stretch is too short to measure.
   *
   * Why from the first refusal: before it the limiter was spending its initial
   * allowance (a bucket's burst), which would inflate the rate; after it, an
   * open-loop sender keeps the limiter saturated, so what gets through is its
   * sustained rate (a token bucket's refill; lower for limiters that also count
   * refused requests). Counted from the stored bucket holding the first refusal
   * to the last send; the stretch covers `sent` arrivals, i.e. `sent` intervals of
   * the offered rate, hence the `sent / (sent − 1)` stretch correction.
   */
  throttledRate(minimumStretchMs = 2000): number | null {
    if (this.firstRefusalSentMs === null) return null;
    const from = Math.floor(this.firstRefusalSentMs / this.bySendTime.widthMs) * this.bySendTime.widthMs;
    let sent = 0;
    let admitted = 0;
    for (const [startMs, counts] of this.bySendTime.entries()) {
      if (startMs < from) continue;
      sent += counts.sent;
      admitted += counts.admitted;
    }
    const stretchMs = this.lastSentMs - Math.max(from, this.firstSentMs);
    if (sent < 2 || stretchMs < minimumStretchMs) return null;
    const coveredMs = (stretchMs * sent) / (sent - 1);
    return (admitted * 1000) / coveredMs;
  }

  /**
   * The offered rate around the first refusal: sends per second over the stored
   * buckets covering the second before it (fewer when the phase began later);
   * null without a refusal.
   */
  rateAtFirstRefusal(): number | null {
    if (this.firstRefusalSentMs === null) return null;
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
