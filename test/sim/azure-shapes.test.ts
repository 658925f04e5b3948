/**
 * Contract tests: what the official `openai` client sees from the simulator is
 * what it would see from Azure. Streams are read chunk by chunk through the
 * SDK: the first chunk has empty `choices` and the prompt's filter results, the
 * role and finish chunks an empty `content_filter_results`, every token chunk
 * the four severity categories. Whole answers carry `prompt_filter_results`
 * and per-choice `content_filter_results`. Usage is tiktoken's count for the
 * model; chat on an embeddings deployment is Azure's 400 OperationNotSupported.
 */
import { APIError, AzureOpenAI, OpenAI } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { replyTo, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { chatPromptTokens, tiktokenCount } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

const SAFE = { filtered: false, severity: 'safe' };
const NOT_DETECTED = { filtered: false, detected: false };
const CATEGORIES = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };

async function azure(options: SimulatorOptions = {}, deployment = 'gpt-4o'): Promise<AzureOpenAI> {
  simulator = await startSimulator(options);
  return new AzureOpenAI({ endpoint: simulator.url, apiKey: 'test-key', apiVersion: '2024-10-21', deployment, maxRetries: 0 });
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

describe('Azure streams, chunk by chunk through the SDK', () => {
  it('opens with the prompt-filter chunk, annotates every token chunk, ends with finish and usage', async () => {
    const client = await azure();
    const content = 'Tell me about rivers and bridges.';
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], max_tokens: 12, stream: true, stream_options: { include_usage: true } });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const [first, role, ...rest] = chunks;
    expect(first).toEqual({
      choices: [],
      created: 0,
      id: '',
      model: '',
      object: '',
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: { ...CATEGORIES, jailbreak: NOT_DETECTED } }],
    });
    expect(role.choices).toEqual([{ content_filter_results: {}, index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    const usage = rest.at(-1);
    const finish = rest.at(-2);
    const tokens = rest.slice(0, -2);
    const reply = replyTo(content, 0, 12);
    expect(tokens).toHaveLength(12);
    tokens.forEach((chunk, index) => {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toBe(role.id);
      expect(chunk.choices).toEqual([{ content_filter_results: CATEGORIES, index: 0, delta: { content: reply.pieces[index] }, logprobs: null, finish_reason: null }]);
    });
    expect(finish.choices).toEqual([{ content_filter_results: {}, index: 0, delta: {}, logprobs: null, finish_reason: 'length' }]);
    const prompt = chatPromptTokens([{ role: 'user', content }]);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: prompt, completion_tokens: 12, total_tokens: prompt + 12 });
    expect(tiktokenCount('o200k_base', reply.text)).toBe(12);
  });

  it('streams legacy completions with the same annotations', async () => {
    const client = await azure({ deployments: [{ name: 'instruct', model: 'gpt-35-turbo-instruct' }] }, 'instruct');
    const stream = await client.completions.create({ model: 'instruct', prompt: 'Write about stone.', max_tokens: 5, stream: true });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]).toMatchObject({ choices: [], id: '', object: '', prompt_filter_results: [{ prompt_index: 0 }] });
    const tokens = chunks.slice(1, -1);
    expect(tokens.map((chunk) => chunk.choices[0].text).join('')).toBe(replyTo('Write about stone.', 0, 5).text);
    for (const chunk of tokens) expect(chunk.choices[0]).toMatchObject({ finish_reason: null, content_filter_results: CATEGORIES });
    expect(chunks.at(-1).choices[0]).toMatchObject({ text: '', finish_reason: 'length' });
  });
});

describe('Azure whole answers', () => {
  it('carry prompt_filter_results and per-choice content_filter_results; usage is tiktoken for the model', async () => {
    const client = await azure({ deployments: [{ name: 'mini', model: 'gpt-4o-mini' }, { name: 'classic', model: 'gpt-4' }] }, 'mini');
    const messages = [
      { role: 'system' as const, content: 'You are brief.' },
      { role: 'user' as const, content: 'Name a colour, in one word.', name: 'ada' },
    ];
    const completion = (await client.chat.completions.create({ model: 'mini', messages })) as any;
    expect(completion.prompt_filter_results).toEqual([{ prompt_index: 0, content_filter_results: { ...CATEGORIES, jailbreak: NOT_DETECTED } }]);
    expect(completion.choices[0].content_filter_results).toEqual({ ...CATEGORIES, protected_material_code: NOT_DETECTED, protected_material_text: NOT_DETECTED });
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0].finish_reason).toBe('stop');
    const text = completion.choices[0].message.content as string;
    expect(text.split(' ')).toHaveLength(1);
    expect(completion.usage).toEqual({
      prompt_tokens: chatPromptTokens(messages, 'o200k_base'),
      completion_tokens: tiktokenCount('o200k_base', text),
      total_tokens: chatPromptTokens(messages, 'o200k_base') + tiktokenCount('o200k_base', text),
    });

    // gpt-4 counts with cl100k_base: a prompt whose two counts differ shows which one was used.
    const content = 'Bonjour, ¿qué tal? 東京タワー';
    expect(tiktokenCount('cl100k_base', content)).not.toBe(tiktokenCount('o200k_base', content));
    const classic = new AzureOpenAI({ endpoint: simulator!.url, apiKey: 'k', apiVersion: '2024-10-21', deployment: 'classic', maxRetries: 0 });
    const old = await classic.chat.completions.create({ model: 'classic', messages: [{ role: 'user', content }], max_tokens: 3 });
    expect(old.usage?.prompt_tokens).toBe(chatPromptTokens([{ role: 'user', content }], 'cl100k_base'));
  });

  it('a 100-token prompt is billed 100 tokens plus the chat format, whatever its characters', async () => {
    const client = await azure();
    const content = ' river'.repeat(100);
    expect(tiktokenCount('o200k_base', content)).toBe(100);
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], max_tokens: 1 });
    expect(completion.usage?.prompt_tokens).toBe(chatPromptTokens([{ role: 'user', content }]));
    expect(completion.usage?.prompt_tokens).toBeLessThan(Math.ceil(content.length / 4));
  });

  it('answers follow max_tokens: cut at exactly max_tokens with "length", else a natural stop', async () => {
    const client = await azure();
    const messages = [{ role: 'user' as const, content: 'Describe the old castle by the river.' }];
    const natural = await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(natural.choices[0]!.finish_reason).toBe('stop');
    const length = natural.usage!.completion_tokens;
    expect(length).toBeGreaterThanOrEqual(16);
    expect(natural.choices[0]!.message.content).toMatch(/\.$/);
    for (const max of [1, 7, length - 1]) {
      const cut = await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: max });
      expect(cut.choices[0]!.finish_reason).toBe('length');
      expect(cut.usage!.completion_tokens).toBe(max);
      expect(tiktokenCount('o200k_base', cut.choices[0]!.message.content!)).toBe(max);
      expect(natural.choices[0]!.message.content!.startsWith(cut.choices[0]!.message.content!)).toBe(true);
    }
    const roomy = await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: length + 50 });
    expect([roomy.choices[0]!.finish_reason, roomy.usage!.completion_tokens]).toEqual(['stop', length]);
  });

  it('the same seed gives the same text; another seed another', async () => {
    const messages = [{ role: 'user' as const, content: 'Say something about winter.' }];
    const texts: string[] = [];
    for (const seed of [7, 7, 8]) {
      const client = await azure({ seed });
      texts.push((await client.chat.completions.create({ model: 'gpt-4o', messages })).choices[0]!.message.content!);
      await simulator!.close();
      simulator = undefined;
    }
    expect(texts[0]).toBe(texts[1]);
    expect(texts[2]).not.toBe(texts[0]);
  });

  it('legacy completions: text_completion with filter results, cut at the API default of 16 tokens', async () => {
    const client = await azure({ deployments: [{ name: 'instruct', model: 'gpt-35-turbo-instruct' }] }, 'instruct');
    const completion = (await client.completions.create({ model: 'instruct', prompt: 'Once upon a time' })) as any;
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'length', content_filter_results: { hate: SAFE } });
    expect(completion.usage).toEqual({ prompt_tokens: tiktokenCount('cl100k_base', 'Once upon a time'), completion_tokens: 16, total_tokens: tiktokenCount('cl100k_base', 'Once upon a time') + 16 });
    expect(completion.prompt_filter_results).toHaveLength(1);
  });

  it('embeddings usage is tiktoken of every input', async () => {
    const client = await azure({ deployments: [{ name: 'embed', model: 'text-embedding-3-small' }] }, 'embed');
    const input = ['hello world', 'the quick brown fox'];
    const result = await client.embeddings.create({ model: 'embed', input });
    const tokens = tiktokenCount('cl100k_base', input[0]!) + tiktokenCount('cl100k_base', input[1]!);
    expect(result.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });
});

describe('OperationNotSupported', () => {
  it('chat on an embeddings deployment, embeddings on a chat one, completions on a chat one: 400 as Azure words it', async () => {
    const client = await azure({ deployments: [{ name: 'embed', model: 'text-embedding-3-large' }, { name: 'chat', model: 'gpt-4o' }] }, 'embed');
    const chat = await refusalOf(client.chat.completions.create({ model: 'embed', messages: [{ role: 'user', content: 'hi' }] }));
    expect(chat.status).toBe(400);
    expect(chat.code).toBe('OperationNotSupported');
    expect(chat.message).toContain(
      'The chatCompletion operation does not work with the specified model, text-embedding-3-large. Please choose different model and try again. You can learn more about which models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.',
    );
    const chatClient = new AzureOpenAI({ endpoint: simulator!.url, apiKey: 'k', apiVersion: '2024-10-21', deployment: 'chat', maxRetries: 0 });
    const embeddings = await refusalOf(chatClient.embeddings.create({ model: 'chat', input: 'hi' }));
    expect([embeddings.status, embeddings.code]).toEqual([400, 'OperationNotSupported']);
    expect(embeddings.message).toContain('The embeddings operation does not work with the specified model, gpt-4o.');
    const legacy = await refusalOf(chatClient.completions.create({ model: 'chat', prompt: 'hi' }));
    expect(legacy.message).toContain('The completion operation does not work with the specified model, gpt-4o.');
    // Nothing was charged: the chat deployment's window is untouched.
    expect(legacy.headers?.get('x-ratelimit-remaining-requests')).toBe('50');
  });
});

describe('the openai profile', () => {
  it('sends no Azure annotations', async () => {
    simulator = await startSimulator({ profile: 'openai' });
    const client = new OpenAI({ baseURL: `${simulator.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const completion = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 })) as any;
    expect(completion.prompt_filter_results).toBeUndefined();
    expect(completion.choices[0].content_filter_results).toBeUndefined();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((chunk) => chunk.choices.every((choice: any) => choice.content_filter_results === undefined))).toBe(true);
  });
});
