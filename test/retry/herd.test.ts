/**
 * The herd, measured: on the simulator's Azure profiles, callers refused together that
 * retry at once (`immediate`) or after the same un-jittered wait (`exponential`) come
 * back together, so their retries peak higher within 100 ms and more of them are refused
 * per caller served than under `header-jitter`. A property of the run, with a margin.
 *
 * Two runs of the same lab:
 *   - exact: the profiles' own limit policies (src/sim, clock-injected) answer on a fake
 *     clock, 10 ms after each send, so the waits the policies choose are the only timing
 *     there is and a loaded machine cannot blur the herd;
 *   - real: the simulator over HTTP on loopback in real time (20 callers, give up after
 *     10 s), where only the gross effect is asserted (`immediate`'s herd and waste).
 */
import { describe, expect, it } from 'vitest';
import type { RetryPolicyFigures } from '../../src/analysis/retry/types.js';
import { analyseLines } from '../../src/analysis/summarise.js';
import { createFakeClock } from '../../src/run/pacing/fake-clock.js';
import { runSource } from '../../src/run/loop.js';
import { RetryLabSource } from '../../src/run/retry-lab-source.js';
import type { Sender } from '../../src/run/source.js';
import { parsePolicy } from '../../src/retry/parse-policy.js';
import { createPolicyFactory, resolveSimulatorSettings, type RequestFacts } from '../../src/sim/index.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { runLab } from './lab-harness.js';

/** How much worse the herding policies must be: a clear effect, not noise. */
const HERD_MARGIN = 1.5;
const REFUSED_MARGIN = 1.2;
const LATENCY_MS = 10;
/** One small chat request (20 prompt tokens, max_tokens 10), as the simulator reads it. */
const CHAT_FACTS: RequestFacts = { operation: 'chat', model: 'gpt-4o', promptCharacters: 80, maxTokens: 10, choices: 1, stream: false, includeUsage: false, inputCount: 0, dimensions: undefined, encodingFormat: 'float' };

function refusedPerDone(figures: RetryPolicyFigures): number {
  return figures.callers.done === 0 ? Number.POSITIVE_INFINITY : figures.attempts.refused / figures.callers.done;
}

/** The lab on a fake clock, each lane answered by a fresh limit policy of `profile`. */
async function exactLab(profile: 'azure-seed' | 'azure-standard', policies: string[], callers: number): Promise<RetryPolicyFigures[]> {
  const clock = createFakeClock({ autoAdvance: true });
  const factory = createPolicyFactory(resolveSimulatorSettings({ profile }));
  const lines: RecordLine[] = [
    { type: 'run', v: 1, tool: { name: 'aoai-probe', version: 'test' }, command: 'retry', startedAt: '2026-01-01T00:00:00.000Z', advertised: { tpm: null, rpm: null, source: 'none' }, targets: [], payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false } },
  ];
  const parsed = policies.map((text) => parsePolicy(text, 'test'));
  const senders = parsed.map((): Sender => {
    const limit = factory.create();
    return {
      prepare: async () => undefined,
      send: async (request) => {
        const sentMs = clock.now();
        const admission = limit.admit({
          nowMs: sentMs,
          operation: 'chat',
          deployment: 'gpt-4o',
          model: 'gpt-4o',
          facts: CHAT_FACTS,
          apiVersion: '2024-10-21',
        });
        await clock.sleepUntil(sentMs + LATENCY_MS);
        admission.finish?.(clock.now(), admission.charge);
        const line: RequestLine = {
          type: 'request', seq: request.seq, phase: request.phase, target: request.target, plannedMs: request.plannedMs, sentMs, firstByteMs: clock.now(), doneMs: clock.now(),
          status: admission.status, errorKind: null, headers: admission.headers, error: admission.admitted ? null : { code: '429', message: admission.body ?? null, type: null },
          usage: null, estimatedTokens: 30, maxTokens: 10, clientRequestId: `r${request.seq}`,
        };
        return line;
      },
    };
  });
  const source = new RetryLabSource({
    lanes: parsed.map((policy) => ({ policy, target: policy.name })),
    callers,
    arrival: { kind: 'burst' },
    limits: { maxAttempts: 6, giveUpAfterMs: 60_000 },
    seed: 1,
    order: 'parallel',
    epochAt: (clockMs) => Date.parse('2026-01-01T00:00:00.000Z') + clockMs,
  });
  await runSource(source, { clock, sink: { write: (line) => lines.push(line) }, targets: parsed.map((policy, index) => ({ id: policy.name, sender: senders[index]! })), maxInFlight: 10_000, graceMs: 60_000 });
  return (await analyseLines(lines)).summary.retry!.policies;
}

function checkHerd(policies: RetryPolicyFigures[], herding: readonly string[]): void {
  const byName = new Map(policies.map((figures) => [figures.name, figures]));
  const jittered = byName.get('header-jitter')!;
  expect(jittered.callers.done).toBe(jittered.callers.total);
  for (const name of herding) {
    const figures = byName.get(name)!;
    expect(figures.callers.total).toBe(jittered.callers.total);
    expect(figures.herdPeak, `${name} herd peak vs header-jitter's ${jittered.herdPeak}`).toBeGreaterThanOrEqual(jittered.herdPeak * HERD_MARGIN);
    expect(refusedPerDone(figures), `${name} refused per done vs header-jitter's ${refusedPerDone(jittered)}`).toBeGreaterThanOrEqual(refusedPerDone(jittered) * REFUSED_MARGIN);
  }
}

describe.each(['azure-seed', 'azure-standard'] as const)('the herd on %s', (profile) => {
  it('exact (the profile limit on a fake clock): immediate and exponential herd and waste more than header-jitter', async () => {
    checkHerd(await exactLab(profile, ['immediate', 'exponential', 'header-jitter'], 30), ['immediate', 'exponential']);
  });

  it('real time (the simulator over loopback): immediate herds and wastes more than header-jitter', async () => {
    const { result } = await runLab({ simulator: { profile }, policies: ['immediate', 'header-jitter'], callers: 20, giveUpAfterMs: 10_000 });
    checkHerd(result.summary.retry!.policies, ['immediate']);
    expect(result.summary.retry!.best).toBe('header-jitter');
  }, 60_000);
});
