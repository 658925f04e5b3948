/**
 * OpenAI-shaped answers of admitted requests: chat completions (whole and as SSE
 * chunks), embeddings and responses. Built from string templates with the few
 * per-request values spliced in, because the simulator must answer tens of
 * thousands of requests per second and JSON.stringify of a nested object per
 * request is the slow part of a naive server.
 *
 * The reply is always "Hello!" (two tokens), or "Hello" with finish_reason
 * "length" when max_tokens is 1: a one-word answer, as the prober's default
 * prompt asks for.
 */

/** The reply's tokens, in order. */
export const REPLY_TOKENS: readonly string[] = ['Hello', '!'];

/** The part of the reply a request gets within its max_tokens. */
export interface Reply {
  tokens: readonly string[];
  /** The whole reply text as a JSON string literal (quotes included). */
  textJson: string;
  finishReason: 'stop' | 'length';
}

const FULL_REPLY: Reply = { tokens: REPLY_TOKENS, textJson: JSON.stringify(REPLY_TOKENS.join('')), finishReason: 'stop' };
const SHORT_REPLIES: Reply[] = REPLY_TOKENS.map((_, index) => {
  const tokens = REPLY_TOKENS.slice(0, index);
  return { tokens, textJson: JSON.stringify(tokens.join('')), finishReason: 'length' as const };
});

/** The reply for a request with the given max_tokens (undefined: the full reply). */
export function replyFor(maxTokens: number | undefined): Reply {
  if (maxTokens === undefined || maxTokens >= REPLY_TOKENS.length) return FULL_REPLY;
  return SHORT_REPLIES[maxTokens] ?? FULL_REPLY;
}

/** Per-request values every success body needs. */
export interface AnswerValues {
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model as a JSON string literal (quotes included). */
  modelJson: string;
  promptTokens: number;
}

function usageJson(promptTokens: number, completionTokens: number): string {
  return `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${promptTokens + completionTokens}}`;
}

/** A `chat.completion` object. */
export function chatCompletionBody(values: AnswerValues, reply: Reply): string {
  return (
    `{"id":"chatcmpl-${values.id}","object":"chat.completion","created":${values.created},"model":${values.modelJson},` +
    `"choices":[{"index":0,"message":{"role":"assistant","content":${reply.textJson},"refusal":null},"logprobs":null,"finish_reason":"${reply.finishReason}"}],` +
    `"usage":${usageJson(values.promptTokens, reply.tokens.length)},"system_fingerprint":"fp_simulator"}`
  );
}

/**
 * The SSE events of a streamed chat completion, each a complete `data: …\n\n`
 * event: a role chunk, one chunk per reply token, a finish chunk, the usage chunk
 * when `include_usage` was asked for (empty `choices`, as OpenAI sends it), then
 * `data: [DONE]`.
 */
export function chatCompletionEvents(values: AnswerValues, reply: Reply, includeUsage: boolean): string[] {
  const head = `{"id":"chatcmpl-${values.id}","object":"chat.completion.chunk","created":${values.created},"model":${values.modelJson},"system_fingerprint":"fp_simulator",`;
  const usageNull = includeUsage ? ',"usage":null' : '';
  const chunk = (delta: string, finish: string): string =>
    `data: ${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]${usageNull}}\n\n`;
  const events = [chunk('{"role":"assistant","content":"","refusal":null}', 'null')];
  for (const token of reply.tokens) events.push(chunk(`{"content":${JSON.stringify(token)}}`, 'null'));
  events.push(chunk('{}', `"${reply.finishReason}"`));
  if (includeUsage) events.push(`data: ${head}"choices":[],"usage":${usageJson(values.promptTokens, reply.tokens.length)}}\n\n`);
  events.push('data: [DONE]\n\n');
  return events;
}

/** Default embedding size (text-embedding-3-small and ada-002). */
export const DEFAULT_EMBEDDING_DIMENSIONS = 1536;
const MAX_EMBEDDING_DIMENSIONS = 3072;
const vectorCache = new Map<string, string>();

/** One embedding vector (unit length, all components equal) as JSON: a float array or a base64 string of little-endian float32. */
function vectorJson(dimensions: number, format: 'float' | 'base64'): string {
  const key = `${format}:${dimensions}`;
  let text = vectorCache.get(key);
  if (text === undefined) {
    const component = 1 / Math.sqrt(dimensions);
    if (format === 'float') {
      text = `[${new Array<string>(dimensions).fill(String(Math.fround(component))).join(',')}]`;
    } else {
      const floats = new Float32Array(dimensions).fill(component);
      text = JSON.stringify(Buffer.from(floats.buffer).toString('base64'));
    }
    if (vectorCache.size < 32) vectorCache.set(key, text);
  }
  return text;
}

/** An embeddings `list` with `count` vectors. */
export function embeddingsBody(values: AnswerValues, count: number, dimensions: number | undefined, format: 'float' | 'base64'): string {
  const vector = vectorJson(Math.min(dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS, MAX_EMBEDDING_DIMENSIONS), format);
  const items: string[] = [];
  for (let index = 0; index < count; index++) items.push(`{"object":"embedding","index":${index},"embedding":${vector}}`);
  return `{"object":"list","data":[${items.join(',')}],"model":${values.modelJson},"usage":{"prompt_tokens":${values.promptTokens},"total_tokens":${values.promptTokens}}}`;
}

/** A Responses API `response` object (non-streamed). */
export function responsesBody(values: AnswerValues, reply: Reply): string {
  const status = reply.finishReason === 'stop' ? 'completed' : 'incomplete';
  const incomplete = status === 'incomplete' ? '{"reason":"max_output_tokens"}' : 'null';
  return (
    `{"id":"resp_${values.id}","object":"response","created_at":${values.created},"status":"${status}","incomplete_details":${incomplete},"model":${values.modelJson},` +
    `"output":[{"type":"message","id":"msg_${values.id}","status":"${status}","role":"assistant","content":[{"type":"output_text","text":${reply.textJson},"annotations":[]}]}],` +
    `"usage":{"input_tokens":${values.promptTokens},"output_tokens":${reply.tokens.length},"total_tokens":${values.promptTokens + reply.tokens.length}}}`
  );
}
