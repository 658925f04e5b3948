/**
 * The lean transport against the project's simulator (the cases of
 * simulator.test.ts), and the §1 story through the runner (the case of
 * test/runner/runner-simulator.test.ts): real Azure-shaped answers on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { createLeanTransport } from '../../src/run/lean-transport.js';
import { LiveCounters } from '../../src/run/live-counters.js';
import { createRealClock } from '../../src/run/real-clock.js';
import { runPlan } from '../../src/run/runner.js';
import { simulatorTarget } from '../../src/run/target.js';
import type { HttpTransport } from '../../src/run/transport.js';
import type { PayloadSpec } from '../../src/run/types.js';
import { planScenario } from '../../src/schedule/plan.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { offsetClock } from './test-server.js';

let simulator: RunningSimulator | null = null;
let transport: HttpTransport | null = null;

afterEach(async () => {
  await transport?.close();
  await simulator?.close();
  transport = null;
  simulator = null;
});

const chat: PayloadSpec = { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false };

describe('lean transport against the simulator', () => {
  it('azure-seed: a burst of 6 on warm connections gets 5 answers counting down and one 429', async () => {
    simulator = await startSimulator({ profile: 'azure-seed' });
    transport = createLeanTransport({
      target: simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-seed', apiKey: 'test-key-0123456789' }),
      payload: chat,
      clock: offsetClock(0),
      timeoutMs: 5000,
      connections: 6,
    });
    await transport.prepare(6);
    const signal = new AbortController().signal;
    const lines = await Promise.all(Array.from({ length: 6 }, (_, seq) => transport!.send({ seq, phase: 'burst', target: 'default', plannedMs: 0 }, signal)));
    const admitted = lines.filter((line) => line.status === 200);
    const refused = lines.filter((line) => line.status === 429);
    expect(admitted).toHaveLength(5);
    expect(refused).toHaveLength(1);
    expect(admitted.map((line) => line.headers['x-ratelimit-remaining-requests']).sort()).toEqual(['45', '46', '47', '48', '49']);
    expect(admitted.every((line) => line.errorKind === null && line.usage !== null)).toBe(true);
    expect(refused[0]).toMatchObject({ errorKind: null, error: { code: expect.any(String) as string } });
    expect(refused[0]!.headers['retry-after'] ?? refused[0]!.headers['retry-after-ms']).toBeDefined();
    expect(lines.every((line) => line.headers['x-ms-region'] !== undefined)).toBe(true);
  });

  it('streams with usage, and records the estimate for the model default', async () => {
    simulator = await startSimulator({ profile: 'azure-standard', requireKey: false });
    transport = createLeanTransport({
      target: simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-standard' }),
      payload: { ...chat, stream: true, maxTokens: 20 },
      clock: offsetClock(0),
      timeoutMs: 5000,
      connections: 2,
    });
    const line = await transport.send({ seq: 0, phase: 'p', target: 'default', plannedMs: 0 }, new AbortController().signal);
    expect(line).toMatchObject({ status: 200, errorKind: null, maxTokens: 20, estimatedTokens: 6 + 20 });
    expect(line.usage?.totalTokens).toBeGreaterThan(0);
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
