/**
 * The runner on the real clock. Tolerances are loose on purpose: this 2-core box is
 * shared, so only what must hold on any machine is asserted (exact counts; lag bounds
 * far above the typical sub-millisecond figure).
 */
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/run/runner.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { planScenario } from '../../src/schedule/plan.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { createFakeTransport } from './fake-transport.js';

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

describe('runner on the real clock', () => {
  it('sends exactly 50 requests for steady 50/s over 1 s, on time', async () => {
    const clock = createRealClock();
    const transport = createFakeTransport({ clock, latencyMs: 20 });
    const lines: RecordLine[] = [];
    const result = await runPlan(planScenario([{ kind: 'steady', name: 's', ratePerSecond: 50, durationMs: 1000 }]), {
      clock,
      transport,
      sink: { write: (line) => lines.push(line) },
      maxInFlight: 100,
      graceMs: 5000,
    });
    expect(result).toMatchObject({ reason: 'completed', sent: 50, dropped: 0, unsent: 0, cut: 0 });
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests).toHaveLength(50);
    const lags = requests.map((line) => line.sentMs - line.plannedMs).sort((a, b) => a - b);
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(percentile(lags, 0.99)).toBeLessThan(25);
    expect(result.endMs - result.startMs).toBeGreaterThanOrEqual(1000);
    expect(result.endMs - result.startMs).toBeLessThan(2500);
  });

  it('hands a burst of 200 to the transport in one synchronous loop', async () => {
    const clock = createRealClock();
    const transport = createFakeTransport({ clock, latencyMs: 5 });
    const result = await runPlan(planScenario([{ kind: 'burst', name: 'b', size: 200, bursts: 2, gapMs: 100 }]), {
      clock,
      transport,
      sink: { write: () => undefined },
      maxInFlight: 500,
      graceMs: 5000,
    });
    expect(result.sent).toBe(400);
    const batches = new Set(transport.sent.map((sent) => sent.batch));
    expect(batches.size).toBe(2);
    const first = transport.sent.slice(0, 200).map((sent) => sent.atMs);
    // Typically well under 1 ms; loose because a busy box can deschedule the process mid-loop.
    expect(Math.max(...first) - Math.min(...first)).toBeLessThan(200);
  });
});
