/**
 * The official `openai` package as a real client: AzureOpenAI against the Azure
 * profiles, OpenAI against the openai profile (and the Azure v1 path). With
 * maxRetries 0 every 429 reaches the caller with its headers; with maxRetries 2
 * the SDK's own retries succeed after waiting what the headers say.
 */
import { APIError, AzureOpenAI, OpenAI } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { replyTo, startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { FakeClock, chatPromptTokens, tiktokenCount } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

const messages = [{ role: 'user' as const, content: 'Reply with one word.' }];
/** The simulator's answer to `messages` (seed 0): one word, as the prompt asks. */
const oneWord = replyTo(messages[0]!.content, 0, undefined).text;

function azureClient(url: string, maxRetries: number): AzureOpenAI {
  return new AzureOpenAI({ endpoint: url, apiKey: 'test-key', apiVersion: '2024-10-21', deployment: 'gpt-4o', maxRetries });
}

async function refusalOf(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(APIError);
    return error as APIError;
  }
  throw new Error('the request was not refused');
}

describe('AzureOpenAI client', () => {
  it('parses completions, and gets 429s with retry-after and retry-after-ms when retries are off', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({ profile: 'azure-seed', clock: clock.read });
    const client = azureClient(simulator.url, 0);
    for (let index = 0; index < 5; index++) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 5 });
      expect(completion.choices[0]!.message.content).toBe(oneWord);
      expect(oneWord.split(' ')).toHaveLength(1);
      expect(completion.usage?.completion_tokens).toBe(tiktokenCount('o200k_base', oneWord));
    }
    const response = await refusalOf(client.chat.completions.create({ model: 'gpt-4o', messages }));
    expect(response.status).toBe(429);
    expect(response.headers?.get('retry-after')).toBe('1');
    expect(response.headers?.get('retry-after-ms')).toBe('1000');
    expect(response.headers?.get('x-ratelimit-remaining-requests')).toBe('45');
    expect((response.error as { code?: string }).code).toBe('RateLimitReached');
  });

  it('streams chunks with usage in the last one', async () => {
    simulator = await startSimulator();
    const client = azureClient(simulator.url, 0);
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let usage: unknown;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThanOrEqual(4);
    expect(text).toBe(oneWord);
    const prompt = chatPromptTokens(messages);
    const completion = tiktokenCount('o200k_base', oneWord);
    expect(usage).toEqual({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
  });

  it('decodes embeddings (the SDK asks for base64)', async () => {
    simulator = await startSimulator();
    const client = azureClient(simulator.url, 0);
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(1536);
    const norm = Math.sqrt(result.data[0]!.embedding.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 4);
    const small = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi', dimensions: 8, encoding_format: 'float' });
    expect(small.data[0]!.embedding).toHaveLength(8);
  });

  it('with maxRetries 2, the SDK waits what retry-after-ms says and then succeeds', async () => {
    const lines: string[] = [];
    // 60 RPM over a 1-s request window: one request per second.
    simulator = await startSimulator({ rpm: 60, requestWindowMs: 1000, log: (line) => lines.push(line) });
    const client = azureClient(simulator.url, 2);
    await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 5 });
    const started = performance.now();
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 5 });
    const waited = performance.now() - started;
    expect(completion.choices[0]!.message.content).toBe(oneWord);
    expect(lines.map((line) => line.split(' ')[3])).toEqual(['200', '429', '200']);
    expect(waited).toBeGreaterThanOrEqual(850);
    expect(waited).toBeLessThan(5000);
  });
});

describe('OpenAI client', () => {
  it('against the openai profile: completions, a 429 with its headers and body, then SDK retries that succeed', async () => {
    const lines: string[] = [];
    // 60 RPM over a 1-s window: a bucket of 1 request refilled at 1 per second.
    simulator = await startSimulator({ profile: 'openai', rpm: 60, requestWindowMs: 1000, log: (line) => lines.push(line) });
    const noRetries = new OpenAI({ baseURL: `${simulator.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const completion = await noRetries.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 });
    expect(completion.choices[0]!.message.content).toBe(oneWord);
    const refused = await refusalOf(noRetries.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 }));
    expect(refused.status).toBe(429);
    expect(refused.headers?.get('retry-after')).toBe('1');
    expect(refused.headers?.get('x-ratelimit-reset-requests')).toMatch(/^\d+ms$|^1s$/);
    expect(refused.code).toBe('rate_limit_exceeded');
    expect(refused.type).toBe('requests');

    const withRetries = new OpenAI({ baseURL: `${simulator.url}/v1`, apiKey: 'sk-test', maxRetries: 2 });
    const started = performance.now();
    const retried = await withRetries.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 });
    expect(retried.choices[0]!.message.content).toBe(oneWord);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(lines.map((line) => line.split(' ')[3])).toEqual(['200', '429', '429', '200']);
  });

  it('against the Azure v1 path with the deployment as model', async () => {
    simulator = await startSimulator();
    const client = new OpenAI({ baseURL: `${simulator.url}/openai/v1`, apiKey: 'azure-key', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'my-deployment', messages });
    expect(completion.model).toBe('gpt-4o');
    const response = await client.responses.create({ model: 'my-deployment', input: 'Reply with one word.' });
    expect(response.output_text).toBe(oneWord);
  });
});
