import { describe, expect, it } from 'vitest';
import { LiveCounters, formatProgress } from '../../src/run/live-counters.js';
import type { RecordLine } from '../../src/record/types.js';
import { requestLine } from './fake-transport.js';

function answered(seq: number, doneMs: number, status: number | null, errorKind: 'reset' | null = null): RecordLine {
  return requestLine({ seq, phase: 'p', target: 'default', plannedMs: doneMs - 10 }, { sentMs: doneMs - 10, doneMs, status, errorKind });
}

describe('LiveCounters', () => {
  it('counts admitted, refused, failed and dropped, and forwards every line', () => {
    const forwarded: RecordLine[] = [];
    const counters = new LiveCounters({ write: (line) => forwarded.push(line) });
    const lines: RecordLine[] = [
      { type: 'phase', name: 'p', kind: 'steady', startMs: 0, params: {} },
      answered(0, 100, 200),
      answered(1, 110, 201),
      answered(2, 120, 429),
      answered(3, 130, 503),
      answered(4, 140, 500),
      answered(5, 150, null, 'reset'),
      { type: 'dropped', seq: 6, phase: 'p', target: 'default', plannedMs: 160, reason: 'max-in-flight' },
    ];
    for (const line of lines) counters.write(line);
    expect(forwarded).toEqual(lines);
    expect({ ...counters }).toMatchObject({ sent: 6, admitted: 2, refused: 2, failed: 2, dropped: 1 });
  });

  it('measures the rate over the last second from the answers’ done times', () => {
    const counters = new LiveCounters();
    // 50/s for 3 s: one answer every 20 ms.
    for (let index = 0; index < 150; index++) counters.write(answered(index, index * 20, 200));
    // At 2990 ms the window is buckets 20..29, i.e. 2000..2990 ms: 50 answers in 0.99 s.
    expect(counters.ratePerSecond(2990)).toBeCloseTo(50 / 0.99, 6);
    // Early in a run the window is as long as the run so far.
    const early = new LiveCounters();
    for (let index = 0; index < 5; index++) early.write(answered(index, 10 + index * 100, 200));
    expect(early.ratePerSecond(500)).toBeCloseTo(10, 6);
    // Nothing finished in the last second: 0.
    expect(counters.ratePerSecond(10_000)).toBe(0);
  });

  it('ignores answers older than its window', () => {
    const counters = new LiveCounters();
    counters.write(answered(0, 5000, 200));
    counters.write(answered(1, 100, 200));
    expect(counters.sent).toBe(2);
    expect(counters.ratePerSecond(5050)).toBeCloseTo(1 / 0.95, 6);
  });
});

describe('formatProgress', () => {
  it('prints one plain line', () => {
    const counters = new LiveCounters();
    for (let index = 0; index < 600; index++) counters.write(answered(index, index * 20, index % 5 === 0 ? 429 : 200));
    expect(formatProgress(counters, 12_000)).toBe('  12.0 s  sent 600  admitted 480  refused 120  failed 0  rate 50.0/s');
  });

  it('adds the dropped count once something was dropped', () => {
    const counters = { sent: 3, admitted: 3, refused: 0, failed: 0, dropped: 2, ratePerSecond: () => 2.5 };
    expect(formatProgress(counters, 1500)).toBe('   1.5 s  sent 3  admitted 3  refused 0  failed 0  dropped 2  rate 2.5/s');
  });
});
