/**
 * Shared helpers of the simulator tests: a settable fake clock and small
 * request functions over real HTTP on loopback.
 */

/** A clock the test moves by hand. */
export class FakeClock {
  nowMs = 0;
  readonly read = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** A deterministic stand-in for Math.random: returns the given values in turn, repeating the last. */
export function sequenceRandom(values: number[]): () => number {
  let index = 0;
  return () => values[Math.min(index++, values.length - 1)]!;
}

/** The answer of one request: status, lower-case headers, body text and parsed JSON (when it is JSON). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

/** POSTs a JSON body (object or raw text) with an api-key, unless other headers are given. */
export async function post(url: string, body: unknown, headers: Record<string, string> = { 'api-key': 'test-key' }): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return toAnswer(response);
}

/** Any request. */
export async function request(url: string, init: RequestInit): Promise<Answer> {
  return toAnswer(await fetch(url, init));
}

async function toAnswer(response: Response): Promise<Answer> {
  const text = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers, text, json };
}

/** The classic Azure chat path for a deployment. */
export function chatPath(deployment = 'gpt-4o', apiVersion = '2024-10-21'): string {
  return `/openai/deployments/${deployment}/chat/completions?api-version=${apiVersion}`;
}

/** A small chat body; `content` defaults to "hi". */
export function chatBody(extra: Record<string, unknown> = {}, content = 'hi'): Record<string, unknown> {
  return { messages: [{ role: 'user', content }], ...extra };
}

// Token counts straight from tiktoken, independent of the simulator's own tokenizer module.
import { get_encoding, type Tiktoken } from 'tiktoken';

const testEncoders = new Map<string, Tiktoken>();

/** tiktoken's count of `text` in `encoding`. */
export function tiktokenCount(encoding: 'o200k_base' | 'cl100k_base', text: string): number {
  let encoder = testEncoders.get(encoding);
  if (encoder === undefined) {
    encoder = get_encoding(encoding);
    testEncoders.set(encoding, encoder);
  }
  return encoder.encode_ordinary(text).length;
}

/**
 * The prompt tokens the service bills for chat messages, by OpenAI's cookbook
 * (https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb):
 * 3 per message plus its role and content (1 more plus the name's tokens with a name), 3 to prime the reply.
 */
export function chatPromptTokens(messages: Array<{ role: string; content: string; name?: string }>, encoding: 'o200k_base' | 'cl100k_base' = 'o200k_base'): number {
  let total = 3;
  for (const message of messages) {
    total += 3 + tiktokenCount(encoding, message.role) + tiktokenCount(encoding, message.content);
    if (message.name !== undefined) total += 1 + tiktokenCount(encoding, message.name);
  }
  return total;
}
