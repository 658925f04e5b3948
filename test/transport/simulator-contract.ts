/**
 * A transport against the project's simulator: real Azure-shaped answers, headers
 * and refusals, on loopback. Both transports run these same cases
 * (simulator.test.ts for undici, lean-simulator.test.ts for the lean one).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { simulatorTarget } from '../../src/run/target.js';
import type { HttpTransport } from '../../src/run/transport/transport.js';
import type { PayloadSpec } from '../../src/run/types.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { offsetClock } from './test-server.js';
import type { CreateTransport } from './transport-harness.js';

const chat: PayloadSpec = { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false };

/**
 * Registers `${name} against the simulator` for the transport `create` builds.
 * Call it at the top level of a test file; it closes what its cases start.
 */
export function describeSimulatorContract(name: string, create: CreateTransport): void {
  let simulator: RunningSimulator | null = null;
  let transport: HttpTransport | null = null;

  afterEach(async () => {
    await transport?.close();
    await simulator?.close();
    transport = null;
    simulator = null;
  });

  describe(`${name} against the simulator`, () => {
    it('azure-seed: a burst of 6 on warm connections gets 5 answers counting down and one 429', async () => {
      simulator = await startSimulator({ profile: 'azure-seed' });
      const started = create({
        target: simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-seed', apiKey: 'test-key-0123456789' }),
        payload: chat,
        clock: offsetClock(0),
        timeoutMs: 5000,
        connections: 6,
      });
      transport = started;
      await started.prepare(6);
      const signal = new AbortController().signal;
      const lines = await Promise.all(Array.from({ length: 6 }, (_, seq) => started.send({ seq, phase: 'burst', target: 'default', plannedMs: 0 }, signal)));
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
      const started = create({
        target: simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-standard' }),
        payload: { ...chat, stream: true, maxTokens: 20 },
        clock: offsetClock(0),
        timeoutMs: 5000,
        connections: 2,
      });
      transport = started;
      const line = await started.send({ seq: 0, phase: 'p', target: 'default', plannedMs: 0 }, new AbortController().signal);
      expect(line).toMatchObject({ status: 200, errorKind: null, maxTokens: 20, estimatedTokens: 6 + 20 });
      expect(line.usage?.totalTokens).toBeGreaterThan(0);
    });
  });
}
