/**
 * azure-standard over real HTTP on a fake clock: the 1-s cap, the 10-s request
 * window, the 60-s token window, the charge at admission, the headers and the
 * 429 bodies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { replyTo, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, chatPromptTokens, post, tiktokenCount, type Answer } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<{ clock: FakeClock; url: string }> {
  const clock = new FakeClock();
  simulator = await startSimulator({ clock: clock.read, ...options });
  return { clock, url: simulator.url };
}

/** Sends `count` requests one after another (the fake clock does not move: a burst at one instant). */
async function burst(url: string, count: number, body: unknown = chatBody({ max_tokens: 1 })): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let index = 0; index < count; index++) answers.push(await post(url, body));
  return answers;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('azure-standard at 50,000 TPM', () => {
  it('describes itself with the derived caps', async () => {
    await start();
    expect(simulator!.profile).toBe('azure-standard');
    expect(simulator!.describe()).toBe('azure-standard, 50,000 TPM (300 RPM: 50 per 10 s, 5 per 1 s)');
    expect(simulator!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('a burst of 20 admits 5: the 1-s cap refuses the rest with call-rate wording while the headers count the 10-s bucket', async () => {
    const { url } = await start();
    const answers = await burst(url + chatPath('gpt-4o'), 20);
    expect(answers.map((answer) => answer.status)).toEqual([...Array(5).fill(200), ...Array(15).fill(429)]);
    expect(answers.map((answer) => answer.headers['x-ratelimit-remaining-requests'])).toEqual(['49', '48', '47', '46', ...Array(16).fill('45')]);
    const refused = answers[5]!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['retry-after-ms']).toBe('1000');
    expect(refused.headers['x-ratelimit-reset-requests']).toBe('1');
    expect(refused.headers['x-ratelimit-reset-tokens']).toBe('0');
    expect(refused.json).toEqual({
      error: {
        code: 'RateLimitReached',
        message:
          'Your requests to gpt-4o for gpt-4o in East US have exceeded the call rate limit for your current AIServices S0 pricing tier. ' +
          'This request was for ChatCompletions_Create under Azure OpenAI API version 2024-10-21. Please retry after 1 second. ' +
          'To increase your default rate limit, visit: https://aka.ms/oai/quotaincrease.',
      },
    });
  });

  it('without the 1-s cap a burst of 60 admits 50 (the 10-s window) and the 51st waits 10 s', async () => {
    const { clock, url } = await start({ subsecondCap: false });
    expect(simulator!.describe()).toBe('azure-standard, 50,000 TPM (300 RPM: 50 per 10 s, no 1-s cap)');
    const answers = await burst(url + chatPath(), 60);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(50);
    expect(answers.slice(0, 50).every((answer) => answer.status === 200)).toBe(true);
    expect(answers[50]!.headers['retry-after-ms']).toBe('10000');
    expect(answers[50]!.headers['retry-after']).toBe('10');
    expect(answers[50]!.json.error.message).toContain('exceeded the call rate limit');
    clock.advance(9999);
    expect((await post(url + chatPath(), chatBody({ max_tokens: 1 }))).headers['retry-after-ms']).toBe('1');
    clock.advance(1);
    const back = await post(url + chatPath(), chatBody({ max_tokens: 1 }));
    expect([back.status, back.headers['x-ratelimit-remaining-requests']]).toEqual([200, '49']);
  });

  it('a burst of 20 with max_tokens 4000 admits 12 (the token window), and the tokens come back 60 s after each charge', async () => {
    const { clock, url } = await start({ subsecondCap: false });
    const body = chatBody({ max_tokens: 4000 }); // charge 4000 + ceil(2/4) = 4001
    const answers = await burst(url + chatPath(), 20, body);
    expect(answers.map((answer) => answer.status)).toEqual([...Array(12).fill(200), ...Array(8).fill(429)]);
    expect(answers[11]!.headers['x-ratelimit-remaining-tokens']).toBe(String(50_000 - 12 * 4001));
    const refused = answers[12]!;
    expect(refused.json.error.message).toContain('exceeded the token rate limit');
    expect(refused.json.error.message).toContain('Please retry after 60 seconds.');
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['retry-after-ms']).toBe('60000');
    expect(refused.headers['x-ratelimit-reset-tokens']).toBe('60');
    expect(refused.headers['x-ratelimit-reset-requests']).toBe('0');
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('38');

    clock.advance(30_000); // a sliding window: nothing comes back half-way
    const halfway = await post(url + chatPath(), body);
    expect([halfway.status, halfway.headers['x-ratelimit-remaining-tokens'], halfway.headers['retry-after-ms']]).toEqual([429, '1988', '30000']);
    clock.advance(29_999);
    expect((await post(url + chatPath(), body)).status).toBe(429);
    clock.advance(1);
    const back = await post(url + chatPath(), body);
    expect([back.status, back.headers['x-ratelimit-remaining-tokens']]).toEqual([200, String(50_000 - 4001)]);
  });

  it('charges spread over time come back one by one, 60 s after each', async () => {
    const { clock, url } = await start({ subsecondCap: false });
    const body = chatBody({ max_tokens: 9999 }); // 10 000 each: five fill the window
    const remaining: string[] = [];
    for (let second = 0; second < 5; second++) {
      clock.nowMs = second * 1000;
      remaining.push((await post(url + chatPath(), body)).headers['x-ratelimit-remaining-tokens']!);
    }
    expect(remaining).toEqual(['40000', '30000', '20000', '10000', '0']);
    clock.nowMs = 60_500;
    expect((await post(url + chatPath(), chatBody({ max_tokens: 1 }))).headers['x-ratelimit-remaining-tokens']).toBe('9998');
    clock.nowMs = 62_000;
    expect((await post(url + chatPath(), chatBody({ max_tokens: 1 }))).headers['x-ratelimit-remaining-tokens']).toBe('29996');
  });

  it('a single request larger than the whole TPM gets "retry after 86400 seconds" and is not charged', async () => {
    const { url } = await start();
    const answer = await post(url + chatPath(), chatBody({ max_tokens: 60_000 }));
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('86400');
    expect(answer.headers['retry-after-ms']).toBe('86400000');
    expect(answer.json.error.message).toContain('exceeded the token rate limit');
    expect(answer.json.error.message).toContain('Please retry after 86400 seconds.');
    expect(answer.headers['x-ratelimit-remaining-tokens']).toBe('50000');
    expect(answer.headers['x-ratelimit-remaining-requests']).toBe('50');
  });

  it('charges at admission as measured: gpt-4o max_tokens + ceil(chars/4) (1008), a 640 default (648), gpt-35 a flat 16, embeddings ceil(chars/4) per input', async () => {
    const { clock, url } = await start({ subsecondCap: false });
    const content = 'Reply with one word: hello there'; // 32 characters: a ~90-character body
    expect(JSON.stringify(chatBody({ max_tokens: 1000 }, content)).length).toBeGreaterThanOrEqual(85);
    const spent = async (path: string, body: unknown): Promise<number> => {
      clock.advance(120_000); // every window empty again
      const answer = await post(url + path, body);
      expect(answer.status).toBe(200);
      return Number(answer.headers['x-ratelimit-limit-tokens']) - Number(answer.headers['x-ratelimit-remaining-tokens']);
    };
    expect(await spent(chatPath('gpt-4o'), chatBody({ max_tokens: 1000 }, content))).toBe(1008);
    expect(await spent(chatPath('gpt-4o'), chatBody({}, content))).toBe(648);
    expect(await spent(chatPath('gpt-4o'), chatBody({ max_completion_tokens: 2000 }, content))).toBe(2008);
    expect(await spent(chatPath('my-deployment'), chatBody({ max_tokens: 1000 }, content))).toBe(1008);
    expect(await spent(chatPath('gpt-35-turbo'), chatBody({}, content))).toBe(16);
    expect(await spent(chatPath('gpt-35-turbo'), chatBody({}, 'x'.repeat(3000)))).toBe(16);
    expect(await spent(chatPath('gpt-35-turbo'), chatBody({ max_tokens: 1000 }, content))).toBe(1000);
    expect(await spent('/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21', { input: 'x'.repeat(44) })).toBe(11);
    // A list is rounded per input: ceil(10/4) + ceil(10/4), not ceil(20/4).
    expect(await spent('/openai/deployments/ada/embeddings?api-version=2024-10-21', { input: ['x'.repeat(10), 'y'.repeat(10)] })).toBe(6);
  });

  it('sends the Azure headers on every answer and echoes x-ms-client-request-id', async () => {
    const { url } = await start({ region: 'Sweden Central' });
    const answer = await post(url + chatPath('prod-chat'), chatBody(), { 'api-key': 'k', 'x-ms-client-request-id': 'my-id-1' });
    expect(answer.headers['x-ms-region']).toBe('Sweden Central');
    expect(answer.headers['x-ms-deployment-name']).toBe('prod-chat');
    expect(answer.headers['x-ms-client-request-id']).toBe('my-id-1');
    expect(answer.headers['apim-request-id']).toMatch(UUID);
    expect(answer.headers['x-request-id']).toMatch(UUID);
    expect(answer.headers['apim-request-id']).not.toBe(answer.headers['x-request-id']);
    const withoutId = await post(url + chatPath('prod-chat'), chatBody());
    expect(withoutId.headers['x-ms-client-request-id']).toBe(withoutId.headers['apim-request-id']);
  });

  it('answers OpenAI-shaped completions', async () => {
    const { url } = await start();
    const answer = await post(url + chatPath('gpt-4o'), chatBody({}, 'abcdefgh'));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    const reply = replyTo('abcdefgh', 0, undefined);
    const prompt = chatPromptTokens([{ role: 'user', content: 'abcdefgh' }]);
    const completion = tiktokenCount('o200k_base', reply.text);
    expect(answer.json).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    });
    expect(answer.json.id).toMatch(/^chatcmpl-/);
    expect(Math.abs(answer.json.created - Date.now() / 1000)).toBeLessThan(60);
    const short = await post(url + chatPath('gpt-4o'), chatBody({ max_tokens: 1 }));
    expect(short.json.choices[0]).toMatchObject({ message: { content: replyTo('hi', 0, 1).text }, finish_reason: 'length' });
    expect(short.json.usage.completion_tokens).toBe(1);
  });

  it('serves the v1 API (deployment in model) and words its 429s "under OpenAI Language Model Instance API"', async () => {
    const { url } = await start();
    const answers = await burst(url + '/openai/v1/chat/completions', 6, { model: 'team-a', messages: [{ role: 'user', content: 'hi' }] });
    expect(answers[0]!.json.model).toBe('gpt-4o');
    expect(answers[0]!.headers['x-ms-deployment-name']).toBe('team-a');
    expect(answers[5]!.status).toBe(429);
    expect(answers[5]!.json.error.message).toContain('Your requests to team-a for gpt-4o in East US');
    expect(answers[5]!.json.error.message).toContain('This request was for ChatCompletions_Create under OpenAI Language Model Instance API.');
  });

  it('names the operation and api-version in 429s (embeddings, a preview version)', async () => {
    const { url } = await start();
    const path = '/openai/deployments/emb/embeddings?api-version=2025-03-01-preview';
    const answers = await burst(url + path, 6, { input: 'hello' });
    expect(answers[5]!.json.error.message).toContain('This request was for Embeddings_Create under Azure OpenAI API version 2025-03-01-preview.');
    expect(answers[5]!.json.error.message).toContain('for text-embedding-3-small in East US');
  });

  it('derives caps from --rpm and the windows when given', async () => {
    const { url } = await start({ tpm: 20_000, rpm: 120 });
    expect(simulator!.describe()).toBe('azure-standard, 20,000 TPM (120 RPM: 20 per 10 s, 2 per 1 s)');
    const answers = await burst(url + chatPath(), 3);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[0]!.headers['x-ratelimit-limit-requests']).toBe('20');
    await simulator!.close();
    await start({ tpm: 6000, requestWindowMs: 2000, tokenWindowMs: 10_000, subsecondCap: false });
    expect(simulator!.describe()).toBe('azure-standard, 6,000 TPM (36 RPM: 2 per 2 s, no 1-s cap; 1,000 tokens per 10 s)');
  });

  it('--tpm 1 says its RPM as it is and why the caps are 1, not "0 RPM: 1 per 10 s"', async () => {
    const { url } = await start({ tpm: 1 });
    expect(simulator!.describe()).toBe('azure-standard, 1 TPM (0.006 RPM, rounded up to at least 1 per window: 1 per 10 s, 1 per 1 s)');
    expect((await burst(url + chatPath(), 1))[0]!.headers['x-ratelimit-limit-requests']).toBe('1');
  });

  it('keeps separate limits per deployment', async () => {
    const { url } = await start({ deployments: ['a', 'b'] });
    expect((await burst(url + chatPath('a'), 6)).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const first = await post(url + chatPath('b'), chatBody({ max_tokens: 1 }));
    expect([first.status, first.headers['x-ratelimit-remaining-requests']]).toEqual([200, '49']);
  });
});
