/** azure-ptu: the utilization leaky bucket over HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, chatPromptTokens, post } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/**
 * A body whose estimate equals its real usage, so the correction when the
 * answer ends is zero and sequential requests see the whole estimate: max_tokens
 * 1 (a one-token reply) and a prompt whose character estimate, ceil(chars / 4),
 * equals its billed tokens (content plus the chat format's 7). " the" is 4
 * characters and 1 token, " through" 8 characters and 1 token: seven of the
 * latter make up the 28 characters of the 7 format tokens. `promptTokens` ≥ 14.
 */
function exactBody(promptTokens: number): Record<string, unknown> {
  const content = ' through'.repeat(7) + ' the'.repeat(promptTokens - 14);
  const body = chatBody({ max_tokens: 1 }, content);
  expect(chatPromptTokens([{ role: 'user', content }])).toBe(promptTokens);
  expect(Math.ceil(content.length / 4)).toBe(promptTokens);
  return body;
}

describe('azure-ptu', () => {
  it('admits below 100 %, lets one request go over, refuses above with retry-after-ms until below 100 %', async () => {
    const clock = new FakeClock();
    // 6,000 TPM: a bucket of 6,000 tokens draining 100 per second.
    simulator = await startSimulator({ profile: 'azure-ptu', tpm: 6000, clock: clock.read });
    expect(simulator.describe()).toBe('azure-ptu, 6,000 TPM (utilization bucket of 6,000 tokens draining 100 per s)');
    const url = simulator.url + chatPath();
    const first = await post(url, exactBody(4000)); // 4,001
    const second = await post(url, exactBody(4000)); // 8,002: over 100 %, admitted because it was below before
    const third = await post(url, exactBody(15));
    expect([first.status, first.headers['azure-openai-deployment-utilization']]).toEqual([200, '66.7%']);
    expect([second.status, second.headers['azure-openai-deployment-utilization']]).toEqual([200, '133.4%']);
    expect([third.status, third.headers['azure-openai-deployment-utilization']]).toEqual([429, '133.4%']);
    // 2,002 above capacity, draining 100/s: below 100 % one millisecond after 20.02 s.
    expect(third.headers['retry-after-ms']).toBe('20021');
    expect(third.headers['retry-after']).toBe('21');
    expect(third.headers['x-ratelimit-remaining-tokens']).toBeUndefined();
    expect(third.json.error.code).toBe('RateLimitReached');
    expect(third.json.error.message).toContain('ProvisionedManaged');

    clock.advance(20_020);
    expect((await post(url, exactBody(15))).status).toBe(429);
    clock.advance(1);
    const back = await post(url, exactBody(15));
    // 5,999.9 + 16 = 6,015.9 of 6,000.
    expect([back.status, back.headers['azure-openai-deployment-utilization']]).toEqual([200, '100.3%']);
    // 60 s drain 6,000 of the 6,015.9 tokens; the next request adds 16: 31.9 of 6,000.
    clock.advance(60_000);
    expect((await post(url, exactBody(15))).headers['azure-openai-deployment-utilization']).toBe('0.5%');
    clock.advance(60_000);
    // Empty again; 16 of 6,000.
    expect((await post(url, exactBody(15))).headers['azure-openai-deployment-utilization']).toBe('0.3%');
  });

  it('corrects an estimate to the real usage when the answer ends', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({ profile: 'azure-ptu', tpm: 6000, clock: clock.read });
    const url = simulator.url + chatPath();
    // Estimated 5,999 + 1 = 6,000 (100 %); the real usage is the answer's.
    const big = await post(url, chatBody({ max_tokens: 5999 }));
    expect(big.headers['azure-openai-deployment-utilization']).toBe('100.0%');
    const used = big.json.usage.total_tokens as number;
    expect(used).toBeLessThan(400);
    // The answer has ended before the next request is sent, so the bucket holds its usage + 16 tokens.
    const next = await post(url, exactBody(15));
    expect([next.status, next.headers['azure-openai-deployment-utilization']]).toEqual([200, `${(((used + 16) / 6000) * 100).toFixed(1)}%`]);
  });
});
