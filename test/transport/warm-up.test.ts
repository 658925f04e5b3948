/**
 * The warm-up before a fast run (src/run/warm-up.ts): which plans get one, and that it
 * runs the run's code against its own loopback server without touching the target.
 * How much it helps is a timing question for `npm run bench`, not here.
 */
import { describe, expect, it } from 'vitest';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { createLeanTransport } from '../../src/run/transport/lean-transport.js';
import { createTransport } from '../../src/run/transport/transport.js';
import { planNeedsWarmUp, warmUp } from '../../src/run/warm-up.js';
import { planScenario } from '../../src/schedule/plan.js';
import type { Phase } from '../../src/schedule/types.js';
import { azureTarget, chat, testOptions, useTransportHarness, type CreateTransport } from './transport-harness.js';

const steady = (ratePerSecond: number, durationMs: number): Phase => ({ kind: 'steady', name: 's', ratePerSecond, durationMs });
const burst = (size: number, bursts = 1, gapMs = 1000): Phase => ({ kind: 'burst', name: 'b', size, bursts, gapMs });
const needs = (...phases: Phase[]): boolean => planNeedsWarmUp(planScenario(phases));

describe('planNeedsWarmUp', () => {
  it('warms up fast steady runs and bursts', () => {
    expect(needs(steady(1000, 5000))).toBe(true);
    expect(needs(steady(200, 10_000))).toBe(true);
    expect(needs(burst(100))).toBe(true);
    expect(needs(burst(20, 3, 60_000))).toBe(true);
    expect(needs(steady(1, 1000), { kind: 'pause', name: 'p', durationMs: 5000 }, burst(500))).toBe(true);
  });

  it('leaves slow and tiny plans alone', () => {
    expect(needs(steady(10, 60_000))).toBe(false);
    expect(needs(steady(150, 60_000))).toBe(false);
    expect(needs(steady(1000, 10))).toBe(false);
    expect(needs(burst(5, 10, 1000))).toBe(false);
    expect(needs({ kind: 'ramp', name: 'r', fromPerSecond: 1, toPerSecond: 20, durationMs: 4000 })).toBe(false);
    expect(needs()).toBe(false);
  });
});

describe.each<[string, CreateTransport]>([
  ['undici', createTransport],
  ['lean', createLeanTransport],
])('warmUp with the %s transport', (_name, create) => {
  const harness = useTransportHarness(create);

  async function warm(payload = chat) {
    const target = await harness.server();
    const lines: RecordLine[] = [];
    const clock = createRealClock();
    const result = await warmUp({
      targetUrl: azureTarget(target.url).url,
      clock,
      sink: { write: (line) => lines.push(line) },
      createTransport: (url) => create(testOptions({ ...azureTarget(target.url), url }, { clock, payload })),
      requests: 300,
      ratePerSecond: 20_000,
      // Room for all of them: at this rate a cold process would otherwise drop a few.
      maxInFlight: 300,
      settleMs: 0,
      // The 3-s default deadline is for a real run; on a loaded test machine 300 cold
      // requests can take longer, and this test is about where they go, not how fast.
      deadlineMs: 30_000,
    });
    return { target, lines, result, requests: lines.filter((line): line is RequestLine => line.type === 'request') };
  }

  it('answers every request itself and sends nothing to the target', async () => {
    const { target, result, requests } = await warm();
    expect(result).toMatchObject({ sent: 300, answered: 300 });
    expect(requests).toHaveLength(300);
    expect(requests.every((line) => line.status === 200 && line.errorKind === null && line.usage?.totalTokens === 15)).toBe(true);
    expect(requests.every((line) => line.headers['x-ratelimit-remaining-requests'] === '999')).toBe(true);
    // The path and query are the target's; the host is the loopback server's.
    expect(target.requests).toHaveLength(0);
    expect(target.connections).toBe(0);
  });

  it('answers streamed requests with a well-formed event stream', async () => {
    const { requests } = await warm({ ...chat, stream: true });
    expect(requests).toHaveLength(300);
    expect(requests.every((line) => line.status === 200 && line.errorKind === null && line.usage?.totalTokens === 15)).toBe(true);
  });
});

describe('warmUp failures', () => {
  it('never throws: a transport that cannot be built only means no warm-up', async () => {
    const result = await warmUp({
      targetUrl: 'http://127.0.0.1:9/openai/deployments/x/chat/completions',
      clock: createRealClock(),
      sink: { write: () => undefined },
      createTransport: () => {
        throw new Error('no transport');
      },
      settleMs: 0,
    });
    expect(result).toMatchObject({ sent: 0, answered: 0 });
  });
});
