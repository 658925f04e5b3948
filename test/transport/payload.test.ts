import { describe, expect, it } from 'vitest';
import { PayloadCatalog, describePayload, type PayloadContext } from '../../src/run/transport/payload.js';
import {
  DEFAULT_PROMPT,
  DEFAULT_PROMPT_TOKENS,
  defaultMaxTokensForModel,
  encodingForModel,
  lastTokenizerLoadMs,
  withTokenizer,
} from '../../src/run/transport/tokens.js';
import type { PayloadSpec } from '../../src/run/types.js';

const chatSpec = (changes: Partial<PayloadSpec> = {}): PayloadSpec => ({ kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false, ...changes });
const classic: PayloadContext = { endpoint: 'chat', fallbackModel: null };
const parse = (buffer: Buffer): Record<string, unknown> => JSON.parse(buffer.toString('utf8')) as Record<string, unknown>;

describe('tokens', () => {
  it('knows the token count of the default prompt in both encodings', () => {
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      expect(withTokenizer(encoding, (tokenizer) => tokenizer.count(DEFAULT_PROMPT))).toBe(DEFAULT_PROMPT_TOKENS);
    }
    expect(lastTokenizerLoadMs()).toBeGreaterThan(0);
  });

  it('builds prompts of exactly N tokens in both encodings', () => {
    const sizes = [...Array.from({ length: 40 }, (_, index) => index + 1), 64, 100, 257, 1000, 4096];
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      withTokenizer(encoding, (tokenizer) => {
        for (const size of sizes) {
          const prompt = tokenizer.promptOfTokens(size);
          expect(tokenizer.count(prompt), `${encoding} ${size}`).toBe(size);
          if (size >= 7) expect(prompt.startsWith(`${DEFAULT_PROMPT}.`)).toBe(true);
        }
      });
    }
  });

  it('does not repeat a short pattern in long prompts (Azure refuses "repetitive patterns")', () => {
    const prompt = withTokenizer('o200k_base', (tokenizer) => tokenizer.promptOfTokens(2000));
    const words = prompt.split(' ');
    const pairs = new Set(words.slice(1).map((word, index) => `${words[index]} ${word}`));
    expect(pairs.size).toBeGreaterThan(words.length / 4);
  });

  it('maps model names to encodings and unset max_tokens defaults', () => {
    const o200k = ['gpt-4o', 'gpt-4o-mini', 'GPT-4.1', 'gpt-5-chat', 'o1', 'o3-mini', 'my-deployment', null];
    const cl100k = ['gpt-35-turbo', 'gpt-3.5-turbo', 'gpt-4', 'gpt-4-32k', 'text-embedding-3-small', 'text-embedding-ada-002'];
    for (const model of o200k) expect(encodingForModel(model), String(model)).toBe('o200k_base');
    for (const model of cl100k) expect(encodingForModel(model), model).toBe('cl100k_base');
    expect(defaultMaxTokensForModel('gpt-35-turbo')).toBe(16);
    expect(defaultMaxTokensForModel('gpt-4o')).toBe(650);
    expect(defaultMaxTokensForModel(null)).toBe(650);
  });
});

describe('PayloadCatalog', () => {
  it('builds the default chat body: a one-word-reply prompt, charged prompt + model default', () => {
    const payload = new PayloadCatalog(chatSpec(), classic).get();
    expect(parse(payload.body)).toEqual({ messages: [{ role: 'user', content: DEFAULT_PROMPT }] });
    expect(payload).toMatchObject({ estimatedTokens: DEFAULT_PROMPT_TOKENS + 650, maxTokens: null, stream: false, promptTokens: null });
    const old = new PayloadCatalog(chatSpec({ model: 'gpt-35-turbo' }), classic).get();
    expect(old.estimatedTokens).toBe(DEFAULT_PROMPT_TOKENS + 16);
    expect(parse(old.body).model).toBe('gpt-35-turbo');
  });

  it('sends max_tokens, or max_completion_tokens for reasoning models, and streams with usage', () => {
    const payload = new PayloadCatalog(chatSpec({ maxTokens: 100, stream: true }), classic).get();
    expect(parse(payload.body)).toEqual({
      messages: [{ role: 'user', content: DEFAULT_PROMPT }],
      max_tokens: 100,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(payload).toMatchObject({ estimatedTokens: DEFAULT_PROMPT_TOKENS + 100, maxTokens: 100, stream: true });
    const reasoning = new PayloadCatalog(chatSpec({ maxTokens: 50 }), { endpoint: 'chat', fallbackModel: 'o3-mini' }).get();
    expect(parse(reasoning.body)).toMatchObject({ model: 'o3-mini', max_completion_tokens: 50 });
  });

  it('builds a prompt of exactly promptTokens tokens for the model encoding', () => {
    for (const model of ['gpt-4o', 'gpt-4']) {
      const payload = new PayloadCatalog(chatSpec({ model, promptTokens: 500, maxTokens: 10 }), classic).get();
      const content = (parse(payload.body).messages as { content: string }[])[0]!.content;
      expect(withTokenizer(encodingForModel(model), (tokenizer) => tokenizer.count(content))).toBe(500);
      expect(payload).toMatchObject({ estimatedTokens: 510, promptTokens: 500, maxTokens: 10 });
    }
  });

  it('reuses one Buffer per distinct variant', () => {
    const catalog = new PayloadCatalog(chatSpec({ maxTokens: 5 }), classic);
    const phaseA = { maxTokens: 20 };
    const phaseB = { maxTokens: 20 };
    expect(catalog.get().body).toBe(catalog.get().body);
    expect(catalog.get(phaseA).body).toBe(catalog.get(phaseA).body);
    expect(catalog.get(phaseB).body).toBe(catalog.get(phaseA).body);
    expect(catalog.get({ maxTokens: 5 }).body).toBe(catalog.get().body);
    expect(catalog.get(phaseA).body).not.toBe(catalog.get().body);
    expect(catalog.get({ maxTokens: null }).maxTokens).toBeNull();
  });

  it('warms variants ahead of time, loading the tokenizer once', () => {
    const catalog = new PayloadCatalog(chatSpec(), classic);
    const variant = { promptTokens: 50 };
    catalog.warm([variant, { stream: true }]);
    const started = performance.now();
    const payload = catalog.get(variant);
    // Building it would take 100+ ms (an encoder load); a cache hit takes microseconds.
    expect(performance.now() - started).toBeLessThan(50);
    expect(payload.promptTokens).toBe(50);
  });

  it('builds embeddings bodies charged ceil(characters / 4), without max tokens', () => {
    const payload = new PayloadCatalog({ ...chatSpec(), kind: 'embeddings' }, { endpoint: 'embeddings', fallbackModel: null }).get();
    expect(parse(payload.body)).toEqual({ input: DEFAULT_PROMPT });
    expect(payload).toMatchObject({ estimatedTokens: Math.ceil(DEFAULT_PROMPT.length / 4), maxTokens: null, stream: false });
  });

  it('builds responses bodies with the deployment as model', () => {
    const payload = new PayloadCatalog({ ...chatSpec({ maxTokens: 32, stream: true }), kind: 'responses' }, { endpoint: 'responses', fallbackModel: 'gpt-4o' }).get();
    expect(parse(payload.body)).toEqual({ model: 'gpt-4o', input: DEFAULT_PROMPT, max_output_tokens: 32, stream: true });
    expect(payload.estimatedTokens).toBe(DEFAULT_PROMPT_TOKENS + 32);
  });

  it('sends a --body file as is, estimating its prompt with tiktoken and its own max_tokens', () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Hello there' }] }], max_tokens: 40, temperature: 0 };
    const catalog = new PayloadCatalog({ kind: 'body', model: null, maxTokens: null, promptTokens: null, stream: false, body }, classic);
    const payload = catalog.get();
    expect(parse(payload.body)).toEqual(body);
    const promptTokens = withTokenizer('o200k_base', (tokenizer) => tokenizer.count('Be brief.\nHello there'));
    expect(payload).toMatchObject({ estimatedTokens: promptTokens + 40, maxTokens: 40, stream: false });
    const overridden = catalog.get({ maxTokens: 7, stream: true });
    expect(parse(overridden.body)).toMatchObject({ max_tokens: 7, stream: true, temperature: 0 });
    expect(overridden).toMatchObject({ maxTokens: 7, stream: true, estimatedTokens: promptTokens + 7 });
  });

  it('describes a payload for the run line without the body file content', () => {
    expect(describePayload({ kind: 'body', model: 'gpt-4o', maxTokens: null, promptTokens: null, stream: false, body: { messages: [] } })).toEqual({
      kind: 'body',
      model: 'gpt-4o',
      maxTokens: null,
      promptTokens: null,
      stream: false,
    });
  });
});
