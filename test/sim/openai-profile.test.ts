/** The openai profile: token buckets, OpenAI headers (Go durations) and 429 bodies (facts §2.2, §3.3). */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { formatGoDuration } from '../../src/sim/index.js';
import { FakeClock, post } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

const bearer = { authorization: 'Bearer sk-test' };
const chat = (model: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('formatGoDuration', () => {
  it('prints like Go time.Duration', () => {
    expect([0, 12, 999, 1000, 6596, 20_000, 60_000, 360_000, 179_560, 3_723_500, 85_656_648].map(formatGoDuration)).toEqual([
      '0s',
      '12ms',
      '999ms',
      '1s',
      '6.596s',
      '20s',
      '1m0s',
      '6m0s',
      '2m59.56s',
      '1h2m3.5s',
      '23h47m36.648s',
    ]);
  });
});

describe('openai profile', () => {
  it('a request bucket of RPM: headers with Go-duration resets, then the documented 429 body', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({ profile: 'openai', rpm: 3, tpm: 30_000, clock: clock.read });
    expect(simulator.describe()).toBe('openai, 30,000 TPM, 3 RPM (token buckets: 3 requests, 30,000 tokens)');
    const url = simulator.url + '/v1/chat/completions';
    const answers = [];
    for (let index = 0; index < 4; index++) answers.push(await post(url, chat('gpt-4o-mini', { max_tokens: 10 }), bearer));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((answer) => answer.headers['x-ratelimit-remaining-requests'])).toEqual(['2', '1', '0', '0']);
    expect(answers.map((answer) => answer.headers['x-ratelimit-reset-requests'])).toEqual(['20s', '40s', '1m0s', '1m0s']);
    expect(answers[0]!.headers['x-ratelimit-limit-requests']).toBe('3');
    expect(answers[0]!.headers['x-ratelimit-limit-tokens']).toBe('30000');
    expect(answers[0]!.headers['x-ratelimit-remaining-tokens']).toBe('29990');
    expect(answers[0]!.headers['x-ratelimit-reset-tokens']).toBe('20ms');
    expect(answers[0]!.headers['openai-organization']).toBe('org-sim');
    expect(answers[0]!.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(answers[0]!.headers['x-ms-region']).toBeUndefined();
    const refused = answers[3]!;
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.headers['retry-after-ms']).toBe('20000');
    expect(refused.json).toEqual({
      error: {
        message:
          'Rate limit reached for gpt-4o-mini in organization org-sim on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    // Refused requests count: knocking again half-way restarts the wait.
    clock.advance(10_000);
    const again = await post(url, chat('gpt-4o-mini'), bearer);
    expect([again.status, again.headers['retry-after']]).toEqual([429, '20']);
    clock.advance(20_000);
    expect((await post(url, chat('gpt-4o-mini'), bearer)).status).toBe(200);
  });

  it('a token bucket of TPM charged the larger of max_tokens and the character estimate; tokens wording; request too large', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({ profile: 'openai', tpm: 30_000, clock: clock.read });
    const url = simulator.url + '/v1/chat/completions';
    const first = await post(url, chat('gpt-4o', { max_tokens: 20_000 }), bearer);
    expect([first.status, first.headers['x-ratelimit-remaining-tokens'], first.headers['x-ratelimit-reset-tokens']]).toEqual([200, '10000', '40s']);
    const second = await post(url, chat('gpt-4o', { max_tokens: 20_000 }), bearer);
    expect(second.status).toBe(429);
    expect(second.json.error.type).toBe('tokens');
    // The refusal is charged too (the bucket empties), so the wait is for 20,000 tokens from empty.
    expect(second.json.error.message).toBe(
      'Rate limit reached for gpt-4o in organization org-sim on tokens per min (TPM): Limit 30000, Used 30000, Requested 20000. Please try again in 40s. Visit https://platform.openai.com/account/rate-limits to learn more.',
    );
    expect(second.headers['retry-after-ms']).toBe('40000');
    const tooLarge = await post(url, chat('gpt-4o', { max_tokens: 40_000 }), bearer);
    expect(tooLarge.status).toBe(429);
    expect(tooLarge.json.error.message).toContain('Request too large for gpt-4o in organization org-sim on tokens per min (TPM): Limit 30000, Requested 40000.');
    expect(tooLarge.headers['retry-after']).toBeUndefined();
    clock.advance(60_000);
    const prompt = 'x'.repeat(400); // 100 tokens by characters > max_tokens 10
    const byCharacters = await post(url, { model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], max_tokens: 10 }, bearer);
    expect(byCharacters.headers['x-ratelimit-remaining-tokens']).toBe('29900');
  });
});
