import { describe, expect, it } from 'vitest';
import { ActivityIntervals } from '../../src/analysis/activity.js';
import { BurstInstants, measureBurst, type InstantOutcome } from '../../src/analysis/bursts.js';
import { HeadroomTracker, type HeadroomEvent } from '../../src/analysis/headroom.js';
import { PhaseStats } from '../../src/analysis/phase-rates.js';
import { TimeBuckets } from '../../src/analysis/time-buckets.js';

function admitted(seq: number, timeMs: number, remainingRequests: number | null, remainingTokens: number | null = null, instant = false): HeadroomEvent {
  return { timeMs, instant, seq, refusalClass: null, remainingRequests, remainingTokens };
}

function refused(seq: number, timeMs: number, refusalClass: HeadroomEvent['refusalClass'], instant = false): HeadroomEvent {
  return { timeMs, instant, seq, refusalClass, remainingRequests: null, remainingTokens: null };
}

describe('HeadroomTracker', () => {
  it('uses admission order, not the order lines arrive', () => {
    const tracker = new HeadroomTracker();
    // The refusal (sent at 30) is recorded before the admitted answer sent at 20 that showed 3 left.
    tracker.add(refused(3, 30, 'requests'));
    tracker.add(admitted(1, 10, 0));
    tracker.add(admitted(2, 20, 3));
    expect(tracker.result()).toEqual({ whileHeadersShowedCapacity: 1, firstRefusal: { seq: 3, remainingRequests: 3, remainingTokens: null } });
  });

  it('a refusal after an answer showing 0 does not count; the dimension that refused decides', () => {
    const tracker = new HeadroomTracker();
    tracker.add(admitted(1, 10, 0, 500));
    tracker.add(refused(2, 20, 'requests'));
    tracker.add(refused(3, 21, 'tokens'));
    tracker.add(refused(4, 22, 'capacity'));
    tracker.add(refused(5, 23, 'unknown'));
    expect(tracker.result().whileHeadersShowedCapacity).toBe(1);
  });

  it('other classes count only when every known dimension showed capacity', () => {
    const tracker = new HeadroomTracker();
    tracker.add(admitted(1, 10, 4, 500));
    tracker.add(refused(2, 20, 'capacity'));
    tracker.add(refused(3, 21, 'gateway'));
    expect(tracker.result().whileHeadersShowedCapacity).toBe(2);
  });

  it('no header seen before a refusal: not counted', () => {
    const tracker = new HeadroomTracker();
    tracker.add(refused(1, 5, 'requests'));
    tracker.add(admitted(2, 10, 4));
    expect(tracker.result()).toEqual({ whileHeadersShowedCapacity: 0, firstRefusal: { seq: 1, remainingRequests: null, remainingTokens: null } });
  });

  it('a burst instant is simultaneous: the lowest remaining of its admitted answers is the reference', () => {
    const tracker = new HeadroomTracker();
    tracker.add(refused(7, 100, 'requests', true));
    tracker.add(admitted(0, 100, 49, null, true));
    tracker.add(admitted(4, 100, 45, null, true));
    tracker.add(admitted(2, 100, 47, null, true));
    expect(tracker.result().firstRefusal).toEqual({ seq: 7, remainingRequests: 45, remainingTokens: null });
  });

  it('is exact when events come more than the reorder window late only if they are in order; result() does not disturb adding', () => {
    const tracker = new HeadroomTracker(4);
    for (let index = 0; index < 10; index++) tracker.add(admitted(index, index * 10, 10 - index));
    tracker.add(refused(10, 95, 'requests'));
    expect(tracker.result().whileHeadersShowedCapacity).toBe(1);
    tracker.add(admitted(11, 100, 0));
    tracker.add(refused(12, 110, 'requests'));
    expect(tracker.result().whileHeadersShowedCapacity).toBe(1);
  });
});

function outcome(seq: number, plannedMs: number, result: InstantOutcome['outcome'], extra: Partial<InstantOutcome> = {}): InstantOutcome {
  return {
    phase: 'b',
    plannedMs,
    sentMs: plannedMs + seq * 0.01,
    seq,
    outcome: result,
    refusalClass: result === 'refused' ? 'requests' : null,
    remainingRequests: null,
    remainingTokens: null,
    estimatedTokens: 100,
    ...extra,
  };
}

describe('burst instants', () => {
  it('folds one instant and measures it', () => {
    const instants = new BurstInstants();
    const activity = new ActivityIntervals();
    for (let seq = 0; seq < 6; seq++) {
      const result = seq < 4 ? 'admitted' : 'refused';
      instants.add(outcome(seq, 1000, result, { remainingRequests: result === 'admitted' ? 9 - seq : null }));
      activity.add(1000 + seq * 0.01, 1200);
    }
    const [instant] = instants.list();
    expect(instant).toMatchObject({ sent: 6, admitted: 4, refused: 2, minSeq: 0, maxAdmittedSeq: 3, firstRefusedSeq: 4, minAdmittedRemainingRequests: 6, admittedEstimatedTokens: 400 });
    const measured = measureBurst(instants.list(), activity, 10_000);
    expect(measured).toMatchObject({ burst: 4, confidence: 'high', fromIdle: true, tokenBurst: null });
    expect(measured.sendSpreadMs).toBeCloseTo(0.05, 9);
  });

  it('an instant right after traffic is not from idle; with no idle instant the figure is low confidence', () => {
    const instants = new BurstInstants();
    const activity = new ActivityIntervals();
    activity.add(0, 5000);
    for (let seq = 0; seq < 3; seq++) {
      instants.add(outcome(seq, 8000, seq < 2 ? 'admitted' : 'refused'));
      activity.add(8000 + seq * 0.01, 8100);
    }
    expect(activity.idleBefore(8000)).toBe(3000);
    expect(measureBurst(instants.list(), activity, 10_000)).toMatchObject({ burst: 2, confidence: 'low', fromIdle: false });
    expect(measureBurst(instants.list(), activity, 2000)).toMatchObject({ burst: 2, confidence: 'high', fromIdle: true });
  });

  it('no instants, or only single requests: nothing measured', () => {
    expect(measureBurst([], new ActivityIntervals(), 10_000)).toEqual({ burst: null, confidence: 'none', instant: null, fromIdle: false, sendSpreadMs: null, tokenBurst: null });
    const singles = new BurstInstants();
    singles.add(outcome(0, 0, 'admitted'));
    singles.add(outcome(1, 1000, 'refused'));
    expect(measureBurst(singles.list(), new ActivityIntervals(), 10_000)).toMatchObject({ burst: null, confidence: 'none' });
  });
});

describe('ActivityIntervals', () => {
  it('merges spans closer than the gap and answers idleness', () => {
    const activity = new ActivityIntervals(1000);
    activity.add(0, 100);
    activity.add(500, 900);
    activity.add(20_000, 20_300);
    activity.add(5000, 6000);
    expect(activity.idleBefore(0)).toBe(Number.POSITIVE_INFINITY);
    expect(activity.idleBefore(20_000)).toBe(14_000);
    expect(activity.idleBefore(5500)).toBe(0);
    expect(activity.idleBefore(7000)).toBe(1000);
  });

  it('stays bounded: the gap widens when there are too many pauses', () => {
    const activity = new ActivityIntervals(1000, 100);
    for (let index = 0; index < 1000; index++) activity.add(index * 5000, index * 5000 + 10);
    // Pauses of 5 s were merged once the gap passed 5 s; the first activity still starts the record.
    expect(activity.idleBefore(0)).toBe(Number.POSITIVE_INFINITY);
    expect(activity.idleBefore(10_000_000)).toBeGreaterThan(0);
  });
});

describe('TimeBuckets', () => {
  it('widens from 50 ms to 500 ms without losing counts', () => {
    const buckets = new TimeBuckets({ create: () => ({ count: 0 }), merge: (into, from) => (into.count += from.count) }, 600);
    for (let time = 0; time < 60_000; time += 10) buckets.at(time).count++;
    expect(buckets.widthMs).toBe(500);
    const entries = [...buckets.entries()];
    expect(entries).toHaveLength(120);
    expect(entries.every(([, record]) => record.count === 50)).toBe(true);
    expect(entries[1]![0]).toBe(500);
  });
});

describe('PhaseStats', () => {
  it('throttled rate and knee of a steady phase', () => {
    const stats = new PhaseStats('s', 'steady');
    // 10/s for 10 s; refusals from 3 s on, every second request admitted.
    for (let index = 0; index < 100; index++) {
      const sentMs = index * 100;
      stats.add(sentMs, sentMs < 3000 || index % 2 === 0 ? 'admitted' : 'refused');
    }
    expect(stats.firstRefusalSentMs).toBe(3100);
    // 34 admitted over 6.9 s of arrivals: one request of noise at the stretch's edge (2 %).
    expect(Math.abs(stats.throttledRate()! - 5)).toBeLessThan(0.1);
    expect(stats.rateAtFirstRefusal()).toBeCloseTo(10, 0);
  });

  it('no refusal, or too short a throttled stretch: no rate', () => {
    const stats = new PhaseStats('s', 'steady');
    for (let index = 0; index < 10; index++) stats.add(index * 100, 'admitted');
    expect(stats.throttledRate()).toBeNull();
    expect(stats.rateAtFirstRefusal()).toBeNull();
    stats.add(950, 'refused');
    expect(stats.throttledRate()).toBeNull();
  });
});
