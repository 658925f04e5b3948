/** azure-ptu: the utilization leaky bucket over HTTP (research/azure-limits-facts.md §1.6). */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, post } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

describe('azure-ptu', () => {
  it('admits below 100 %, lets a burst go just over, refuses above with retry-after-ms until below 100 %, then corrects to real usage', async () => {
    const clock = new FakeClock();
    // 6,000 TPM: a bucket of 6,000 tokens draining 100 per second.
    simulator = await startSimulator({ profile: 'azure-ptu', tpm: 6000, clock: clock.read, latency: { meanMs: 300, spreadMs: 0 } });
    expect(simulator.describe()).toBe('azure-ptu, 6,000 TPM (utilization bucket of 6,000 tokens draining 100 per s)');
    const body = chatBody({ max_tokens: 3999 }); // estimate 3999 + 1 = 4000
    // Three at once: the answers are delayed, so the estimates are all still in the bucket.
    const answers = await Promise.all([post(simulator.url + chatPath(), body), post(simulator.url + chatPath(), body), post(simulator.url + chatPath(), body)]);
    const admitted = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(admitted).toHaveLength(2);
    expect(refused).toHaveLength(1);
    expect(admitted.map((answer) => answer.headers['azure-openai-deployment-utilization']).sort()).toEqual(['133.3%', '66.7%']);
    expect(refused[0]!.headers['azure-openai-deployment-utilization']).toBe('133.3%');
    // 8,000 in a 6,000 bucket draining 100/s: below 100 % one millisecond after 20 s.
    expect(refused[0]!.headers['retry-after-ms']).toBe('20001');
    expect(refused[0]!.headers['retry-after']).toBe('21');
    expect(refused[0]!.headers['x-ratelimit-remaining-tokens']).toBeUndefined();
    expect(refused[0]!.json.error.code).toBe('RateLimitReached');

    // Each admitted request is corrected to its real usage (1 prompt + 2 completion tokens) when it ends.
    const after = await post(simulator.url + chatPath(), chatBody({ max_tokens: 1 }));
    expect(after.status).toBe(200);
    expect(after.headers['azure-openai-deployment-utilization']).toBe('0.1%'); // 3 + 3 + 2 of 6,000
  });

  it('drains at TPM/60 per second on the clock', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({ profile: 'azure-ptu', tpm: 6000, clock: clock.read, latency: { meanMs: 200, spreadMs: 0 } });
    const pending = post(simulator.url + chatPath(), chatBody({ max_tokens: 5999 })); // 100 %
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await post(simulator.url + chatPath(), chatBody({ max_tokens: 1 }));
    expect([refused.status, refused.headers['retry-after-ms']]).toEqual([429, '1']);
    await pending;
  });
});
