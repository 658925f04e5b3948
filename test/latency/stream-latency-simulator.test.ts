/**
 * The latency figures against the real simulator on loopback, streaming at a set
 * pace (`tokensPerSecond`), through the runner with each transport. A prompt that
 * asks for no set length gets an answer cut at `max_tokens` (REPLY_TOKENS tokens): the role chunk
 * at once, then one token every 1/pace s, so the first token comes one pace after
 * the request reached it, tokens are one pace apart, and a request lasts at least
 * REPLY_TOKENS paces. Bounds are loose (a shared
 * machine delays reads and timers, never makes them early); the lower bounds are
 * the ones causality guarantees (nothing is read before the server wrote it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { createLeanTransport } from '../../src/run/transport/lean-transport.js';
import { createTransport, type HttpTransport, type TransportOptions } from '../../src/run/transport/transport.js';
import { simulatorTarget } from '../../src/run/target.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { runPlan } from '../../src/run/runner.js';
import { planScenario } from '../../src/schedule/plan.js';
import { analyseLines } from '../../src/analysis/summarise.js';
import { renderReport } from '../../src/report/render.js';
import { RECORDING_VERSION, type RecordLine, type RequestLine } from '../../src/record/types.js';

const TOKENS_PER_SECOND = 20;
const PACE_MS = 1000 / TOKENS_PER_SECOND;
/** Timer slack on a loaded machine: figures may be this many paces late, never early. */
const SLACK = 20;
/** Tokens in each answer (the generated answer is longer, so max_tokens cuts it here). */
const REPLY_TOKENS = 6;

const transports: [string, (options: TransportOptions) => HttpTransport][] = [
  ['undici transport', createTransport],
  ['lean transport', (options) => createLeanTransport(options)],
];

describe.each(transports)('streaming latency figures, %s + a paced simulator', (_name, create) => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ profile: 'azure-standard', port: 0, tpm: 1_000_000, tokensPerSecond: TOKENS_PER_SECOND });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('records chunk times and reports first token, between tokens, output speed and end-to-end', async () => {
    const clock = createRealClock();
    const target = { ...simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-standard' }), auth: { apiKey: 'simulator-key' } };
    // A fixed body whose prompt asks for no set length, so the answer runs to max_tokens.
    const body = { messages: [{ role: 'user', content: 'Tell me about the sea.' }], max_tokens: REPLY_TOKENS, stream: true, stream_options: { include_usage: true } };
    const payload = { kind: 'body' as const, model: 'gpt-4o', maxTokens: REPLY_TOKENS, promptTokens: null, stream: true, body };
    const transport = create({ target, payload, clock, timeoutMs: 10_000, connections: 8 });
    const lines: RecordLine[] = [
      {
        type: 'run',
        v: RECORDING_VERSION,
        tool: { name: 'aoai-probe', version: 'test' },
        command: 'steady',
        startedAt: new Date().toISOString(),
        advertised: { tpm: null, rpm: null, source: 'none' },
        targets: [{ id: 'default', kind: 'simulator', url: target.url, deployment: 'gpt-4o' }],
        payload,
      },
    ];
    try {
      const result = await runPlan(planScenario([{ kind: 'steady', name: 'paced', ratePerSecond: 10, durationMs: 800 }]), {
        clock,
        transport,
        sink: { write: (line) => lines.push(line) },
        maxInFlight: 8,
        graceMs: 10_000,
      });
      expect(result.reason).toBe('completed');
      lines.push({ type: 'end', reason: 'completed', endMs: clock.now(), sent: result.sent, dropped: result.dropped });
    } finally {
      await transport.close();
    }

    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const line of requests) {
      expect(line.status).toBe(200);
      expect(line.stream).toBeDefined();
      const stream = line.stream!;
      expect(stream.chunks).toBe(REPLY_TOKENS);
      expect(line.usage?.completionTokens).toBe(REPLY_TOKENS);
      expect(stream.gapsMs).toHaveLength(REPLY_TOKENS - 1);
      expect(stream.firstTokenMs!).toBeGreaterThanOrEqual(line.firstByteMs!);
      expect(stream.firstTokenMs! - line.sentMs).toBeGreaterThanOrEqual(PACE_MS * 0.9);
      expect(stream.lastTokenMs! - line.sentMs).toBeGreaterThanOrEqual(REPLY_TOKENS * PACE_MS * 0.9);
      const gapSum = stream.gapsMs.reduce((sum, gap) => sum + gap, 0);
      expect(gapSum).toBeCloseTo(stream.lastTokenMs! - stream.firstTokenMs!, 0);
    }
    const gaps = requests.flatMap((line) => line.stream!.gapsMs).sort((a, b) => a - b);

    const { summary } = await analyseLines(lines);
    const { firstToken, firstByte, betweenTokens } = summary.latency;
    expect(firstToken!.p50).toBeGreaterThanOrEqual(PACE_MS * 0.9);
    expect(firstToken!.p50).toBeLessThan(PACE_MS * SLACK);
    expect(firstToken!.p50).toBeGreaterThanOrEqual(firstByte!.p50!);
    // The median of the recorded gaps (nearest rank), to the summary's one decimal.
    expect(betweenTokens!.p50).toBeCloseTo(gaps[Math.ceil(gaps.length / 2) - 1]!, 0);
    expect(betweenTokens!.p50).toBeGreaterThan(0);
    expect(betweenTokens!.p50).toBeLessThan(PACE_MS * SLACK);
    expect(betweenTokens!.p99).toBeGreaterThanOrEqual(betweenTokens!.p50!);
    expect(summary.latency.p50).toBeGreaterThan(firstToken!.p50!);
    // N tokens in at least N paces: at most the pace itself, per request.
    const perRequest = summary.tokens.outputPerSecond!.p50!;
    expect(perRequest).toBeGreaterThan(0);
    expect(perRequest).toBeLessThanOrEqual(TOKENS_PER_SECOND * 1.05);
    expect(summary.tokens.outputPerSecond!.total).toBeGreaterThan(0);
    expect(summary.latencyByPhase).toHaveLength(1);
    expect(summary.latencyByPhase![0]).toMatchObject({ phase: 'paced', target: 'default', streamed: requests.length });

    const table = renderReport({ ...(await analyseLines(lines)) }, { format: 'table', color: false, width: 80 });
    expect(table).toContain('time to first token');
  });
});
