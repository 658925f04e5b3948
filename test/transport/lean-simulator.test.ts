/**
 * The lean transport against the project's simulator: the shared cases
 * (simulator-contract.ts), and the §1 story through the runner (the case of
 * test/runner/runner-simulator.test.ts, which runs it with the undici transport).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { createLeanTransport } from '../../src/run/lean-transport.js';
import { LiveCounters } from '../../src/run/live-counters.js';
import { createRealClock } from '../../src/run/real-clock.js';
import { runPlan } from '../../src/run/runner.js';
import { simulatorTarget } from '../../src/run/target.js';
import type { HttpTransport } from '../../src/run/transport.js';
import { planScenario } from '../../src/schedule/plan.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { describeSimulatorContract } from './simulator-contract.js';

describeSimulatorContract('lean transport', (options) => createLeanTransport(options));

describe('lean transport against the simulator', () => {
  let simulator: RunningSimulator | null = null;
  let transport: HttpTransport | null = null;

  afterEach(async () => {
    await transport?.close();
    await simulator?.close();
    transport = null;
    simulator = null;
  });

  it('through the runner: a burst of 20 in one instant → 5 admitted, 15 refused', async () => {
    simulator = await startSimulator({ profile: 'azure-seed', port: 0 });
    const clock = createRealClock();
    transport = createLeanTransport({
      target: { ...simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-seed' }), auth: { apiKey: 'simulator-key' } },
      payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false },
      clock,
      timeoutMs: 10_000,
      connections: 20,
    });
    const lines: RecordLine[] = [];
    const counters = new LiveCounters({ write: (line) => lines.push(line) });
    const result = await runPlan(planScenario([{ kind: 'burst', name: 'seed', size: 20, bursts: 1, gapMs: 0 }]), { clock, transport, sink: counters, maxInFlight: 20, graceMs: 10_000 });
    expect(result).toMatchObject({ reason: 'completed', sent: 20, dropped: 0, unsent: 0, cut: 0 });
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests.filter((line) => line.status === 200)).toHaveLength(5);
    expect(requests.filter((line) => line.status === 429)).toHaveLength(15);
    expect({ admitted: counters.admitted, refused: counters.refused, failed: counters.failed }).toEqual({ admitted: 5, refused: 15, failed: 0 });
    const sent = requests.map((line) => line.sentMs);
    expect(Math.max(...sent) - Math.min(...sent)).toBeLessThan(200);
  });
});
