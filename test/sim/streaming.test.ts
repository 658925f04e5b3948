/** Streamed chat completions: SSE chunks, usage in the last chunk, [DONE], pacing. */
import { afterEach, describe, expect, it } from 'vitest';
import { replyTo, startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { chatBody, chatPath, chatPromptTokens, post, tiktokenCount } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

function events(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

describe('streaming', () => {
  it('sends chat.completion.chunk events and data: [DONE]', async () => {
    simulator = await startSimulator();
    const answer = await post(simulator.url + chatPath(), chatBody({ stream: true }));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(answer.headers['x-ratelimit-remaining-requests']).toBe('49');
    const data = events(answer.text);
    expect(data.at(-1)).toBe('[DONE]');
    // Azure's first chunk carries only the prompt's filter results (content-filter.test.ts checks it in full).
    const [promptFilter, ...chunks] = data.slice(0, -1).map((event) => JSON.parse(event));
    expect(promptFilter.choices).toEqual([]);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'gpt-4o')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(replyTo('hi', 0, undefined).text);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
  });

  it('adds usage in a last chunk with empty choices when stream_options.include_usage is set', async () => {
    simulator = await startSimulator();
    const answer = await post(simulator.url + chatPath(), chatBody({ stream: true, stream_options: { include_usage: true }, max_tokens: 1 }, 'abcd'));
    const chunks = events(answer.text).slice(0, -1).map((event) => JSON.parse(event));
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    const prompt = chatPromptTokens([{ role: 'user', content: 'abcd' }]);
    expect(last.usage).toEqual({ prompt_tokens: prompt, completion_tokens: 1, total_tokens: prompt + 1 });
    expect(tiktokenCount('o200k_base', replyTo('abcd', 0, 1).text)).toBe(1);
    expect(chunks.slice(1, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('length');
  });

  it('paces reply tokens at --tokens-per-second', async () => {
    simulator = await startSimulator({ tokensPerSecond: 5 }); // 200 ms per token, two tokens (max_tokens 2)
    // Timed from before sending: the pacing cannot start earlier, however late the headers are read.
    const started = performance.now();
    const response = await fetch(simulator.url + chatPath(), {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify(chatBody({ stream: true, max_tokens: 2 })),
    });
    const arrivals: Array<[number, string]> = [];
    const decoder = new TextDecoder();
    for await (const piece of response.body!) arrivals.push([performance.now() - started, decoder.decode(piece)]);
    const text = arrivals.map(([, piece]) => piece).join('');
    expect(events(text).at(-1)).toBe('[DONE]');
    const total = arrivals.at(-1)![0];
    expect(total).toBeGreaterThanOrEqual(395);
    expect(total).toBeLessThan(3000);
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
  });
});
