/**
 * The `openai-sdk` replica against the real package: AzureOpenAI (openai 6.49.0, its
 * default two retries) is driven at the simulator, the simulator notes when each attempt
 * arrived, and the gaps between arrivals are compared with the waits the replica chooses
 * for the same refusals. Real time, so the tolerance is loose and one-sided where the
 * SDK can only be later than its sleep; its jitter is covered by the replica's bounds
 * (the waits for the smallest and the largest random draw).
 */
import { AzureOpenAI } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { parsePolicy } from '../../src/retry/parse-policy.js';
import { scriptedRandom } from '../../src/retry/random.js';
import type { AttemptOutcome } from '../../src/retry/types.js';

/** How much later than its sleep an attempt may arrive on a loaded two-core machine, ms. */
const LATE_TOLERANCE_MS = 400;
/** Timer and clock granularity: how much earlier, ms. */
const EARLY_TOLERANCE_MS = 5;

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

interface Arrival {
  atMs: number;
  line: string;
}

/** Starts a simulator that notes the arrival time of every chat request. */
async function observedSimulator(options: Parameters<typeof startSimulator>[0]): Promise<{ url: string; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  simulator = await startSimulator({ ...options, log: (line) => arrivals.push({ atMs: performance.now(), line }) });
  return { url: simulator.url, arrivals };
}

/** An AzureOpenAI client with its default retries whose fetch keeps every answer's status and headers. */
function recordingClient(url: string, answers: AttemptOutcome[]): AzureOpenAI {
  const observingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    answers.push({ status: response.status, errorKind: null, headers, answeredAtEpochMs: Date.now() });
    return response;
  };
  return new AzureOpenAI({ endpoint: url, apiKey: 'test-key', apiVersion: '2024-10-21', deployment: 'gpt-4o', fetch: observingFetch });
}

/** The replica's shortest and longest wait after attempt `attempt` answered `outcome`. */
function replicaBounds(outcome: AttemptOutcome, attempt: number): { low: number; high: number } {
  const policy = parsePolicy('openai-sdk');
  const waitFor = (draw: number): number => {
    const decision = policy.decide(outcome, { attempt, previousWaitMs: null }, scriptedRandom([draw]));
    if (!decision.retry) throw new Error(`the replica would not retry attempt ${attempt}`);
    return decision.waitMs;
  };
  const a = waitFor(0);
  const b = waitFor(1 - 2 ** -30);
  return { low: Math.min(a, b), high: Math.max(a, b) };
}

function gaps(arrivals: Arrival[]): number[] {
  return arrivals.slice(1).map((arrival, index) => arrival.atMs - arrivals[index]!.atMs);
}

const messages = [{ role: 'user' as const, content: 'Reply with one word.' }];

describe('openai-sdk replica vs openai 6.49.0', () => {
  it('on refusals without hints (503): three attempts, gaps within the replica default backoff', async () => {
    const { url, arrivals } = await observedSimulator({ profile: 'azure-standard', faultRate: 1, faults: ['503'] });
    const answers: AttemptOutcome[] = [];
    await expect(recordingClient(url, answers).chat.completions.create({ model: 'gpt-4o', messages })).rejects.toThrow();
    expect(arrivals).toHaveLength(3);
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503]);
    // After the third attempt the replica stops, as the SDK did.
    expect(parsePolicy('openai-sdk').decide(answers[2]!, { attempt: 3, previousWaitMs: null }, Math.random)).toEqual({ retry: false, reason: 'policy-limit' });
    gaps(arrivals).forEach((gap, index) => {
      const { low, high } = replicaBounds(answers[index]!, index + 1);
      expect(low).toBeLessThan(high);
      expect(gap).toBeGreaterThanOrEqual(low - EARLY_TOLERANCE_MS);
      expect(gap).toBeLessThanOrEqual(high + LATE_TOLERANCE_MS);
    });
  });

  it('on a 1-s cap refusal with retry-after-ms: the gap is the hint, as the replica waits', async () => {
    const { url, arrivals } = await observedSimulator({ profile: 'azure-seed' });
    const answers: AttemptOutcome[] = [];
    const client = recordingClient(url, answers);
    // Five admitted requests fill the seed's 1-s cap; the sixth is refused with a hint.
    await Promise.all(Array.from({ length: 5 }, () => client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 5 })));
    answers.length = 0;
    arrivals.length = 0;
    await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 5 });
    expect(answers[0]!.status).toBe(429);
    expect(answers[0]!.headers['retry-after-ms']).toBeDefined();
    expect(answers.at(-1)!.status).toBe(200);
    expect(answers.length).toBeGreaterThanOrEqual(2);
    expect(arrivals).toHaveLength(answers.length);
    gaps(arrivals).forEach((gap, index) => {
      const { low, high } = replicaBounds(answers[index]!, index + 1);
      // A hinted wait has no jitter: the replica gives one value.
      expect(high).toBe(low);
      expect(low).toBe(parseFloat(answers[index]!.headers['retry-after-ms']!));
      expect(gap).toBeGreaterThanOrEqual(low - EARLY_TOLERANCE_MS);
      expect(gap).toBeLessThanOrEqual(high + LATE_TOLERANCE_MS);
    });
  });
});
