/**
 * The runner with each real transport (undici, lean) against the embedded simulator
 * on loopback: the §1 story end to end (a burst of 20 at one instant; the 1-second
 * cap admits 5). Each transport gets its own simulator, so its cap starts full.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { createLeanTransport } from '../../src/run/transport/lean-transport.js';
import { createTransport, type HttpTransport, type TransportOptions } from '../../src/run/transport/transport.js';
import { simulatorTarget } from '../../src/run/target.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { runPlan } from '../../src/run/runner.js';
import { LiveCounters } from '../../src/run/live-counters.js';
import { planScenario } from '../../src/schedule/plan.js';
import type { PhaseLine, RecordLine, RequestLine } from '../../src/record/types.js';

const transports: [string, (options: TransportOptions) => HttpTransport][] = [
  ['transport', createTransport],
  ['lean transport', (options) => createLeanTransport(options)],
];

describe.each(transports)('runner + %s + simulator', (_name, create) => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ profile: 'azure-seed', port: 0 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('sends a burst of 20 in one instant: 5 admitted, 15 refused', async () => {
    const clock = createRealClock();
    const transport = create({
      // The simulator wants a key like Azure does; any value passes.
      target: { ...simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-seed' }), auth: { apiKey: 'simulator-key' } },
      payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false },
      clock,
      timeoutMs: 10_000,
      connections: 20,
    });
    const lines: RecordLine[] = [];
    const counters = new LiveCounters({ write: (line) => lines.push(line) });
    try {
      const result = await runPlan(planScenario([{ kind: 'burst', name: 'seed', size: 20, bursts: 1, gapMs: 0 }]), {
        clock,
        transport,
        sink: counters,
        maxInFlight: 20,
        graceMs: 10_000,
      });
      expect(result).toMatchObject({ reason: 'completed', sent: 20, dropped: 0, unsent: 0, cut: 0 });
    } finally {
      await transport.close();
    }
    const phase = lines.find((line): line is PhaseLine => line.type === 'phase');
    expect(phase).toMatchObject({ name: 'seed', kind: 'burst', params: { size: 20, requests: 20 } });
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests).toHaveLength(20);
    expect(requests.filter((line) => line.status === 200)).toHaveLength(5);
    expect(requests.filter((line) => line.status === 429)).toHaveLength(15);
    expect({ admitted: counters.admitted, refused: counters.refused, failed: counters.failed }).toEqual({ admitted: 5, refused: 15, failed: 0 });
    // All 20 share one planned instant and left within a loose bound of it.
    expect(new Set(requests.map((line) => line.plannedMs)).size).toBe(1);
    const sent = requests.map((line) => line.sentMs);
    expect(Math.max(...sent) - Math.min(...sent)).toBeLessThan(200);
  });
});
