/**
 * Answers of admitted requests: chat completions (whole and as SSE chunks),
 * legacy completions, embeddings and responses, in the family's shape. Built
 * from string templates with the few per-request values spliced in, because the
 * simulator must answer tens of thousands of requests per second and
 * JSON.stringify of a nested object per request is the slow part of a naive
 * server.
 *
 * Azure adds content-filter annotations to what OpenAI sends, and clients that
 * were only tried against OpenAI break on them, so the Azure family sends them
 * as the service does
 * (https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter-annotations):
 * - whole answers carry `prompt_filter_results` (one entry per prompt) and a
 *   `content_filter_results` object in each choice;
 * - a stream opens with a chunk whose `choices` is empty and whose `id`,
 *   `object` and `model` are empty strings, carrying `prompt_filter_results`;
 *   then the role chunk (`content_filter_results: {}`), one chunk per token,
 *   each with the four severity categories, and the finish chunk
 *   (`content_filter_results: {}`).
 */
import type { Reply } from '../reply-text.js';

/** Per-request values every success body needs. */
export interface AnswerValues {
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model as a JSON string literal (quotes included). */
  modelJson: string;
  promptTokens: number;
  /** Whether to add Azure's content-filter annotations. */
  azure: boolean;
  /** How many prompts the request had (legacy completions and embeddings can send several); default 1. */
  prompts?: number;
}

const SAFE = '{"filtered":false,"severity":"safe"}';
const NOT_DETECTED = '{"filtered":false,"detected":false}';
/** The four severity categories, as every streamed token chunk carries them. */
export const CHUNK_FILTER_RESULTS = `{"hate":${SAFE},"self_harm":${SAFE},"sexual":${SAFE},"violence":${SAFE}}`;
/** A whole answer's per-choice results: the categories plus the protected-material checks. */
export const CHOICE_FILTER_RESULTS = `{"hate":${SAFE},"protected_material_code":${NOT_DETECTED},"protected_material_text":${NOT_DETECTED},"self_harm":${SAFE},"sexual":${SAFE},"violence":${SAFE}}`;
const PROMPT_FILTER_RESULT = `{"hate":${SAFE},"jailbreak":${NOT_DETECTED},"self_harm":${SAFE},"sexual":${SAFE},"violence":${SAFE}}`;

const promptFilterCache: string[] = [];
/** `prompt_filter_results` for `count` prompts. */
export function promptFilterResults(count = 1): string {
  let text = promptFilterCache[count];
  if (text === undefined) {
    const entries: string[] = [];
    for (let index = 0; index < count; index++) entries.push(`{"prompt_index":${index},"content_filter_results":${PROMPT_FILTER_RESULT}}`);
    text = `[${entries.join(',')}]`;
    if (count <= 64) promptFilterCache[count] = text;
  }
  return text;
}

function usageJson(promptTokens: number, completionTokens: number): string {
  return `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${promptTokens + completionTokens}}`;
}

/** A `chat.completion` object. */
export function chatCompletionBody(values: AnswerValues, reply: Reply, completionTokens: number): string {
  const filter = values.azure ? `"content_filter_results":${CHOICE_FILTER_RESULTS},` : '';
  const prompts = values.azure ? `"prompt_filter_results":${promptFilterResults()},` : '';
  return (
    `{"id":"chatcmpl-${values.id}","object":"chat.completion","created":${values.created},"model":${values.modelJson},` +
    `"choices":[{${filter}"index":0,"message":{"role":"assistant","content":${reply.textJson},"refusal":null},"logprobs":null,"finish_reason":"${reply.finishReason}"}],` +
    `${prompts}"usage":${usageJson(values.promptTokens, completionTokens)},"system_fingerprint":"fp_simulator"}`
  );
}

/** The SSE events of a stream and where its token events are, for pacing. */
export interface StreamEvents {
  /** Complete `data: …\n\n` events, in order. */
  events: string[];
  /** Index of the first token event: the events before it are sent at once. */
  firstToken: number;
  /** How many token events follow it. */
  tokens: number;
}

/**
 * The SSE events of a streamed chat completion: (Azure: the prompt-filter
 * chunk), a role chunk, one chunk per reply token, a finish chunk, the usage
 * chunk when `include_usage` was asked for (empty `choices`, as OpenAI sends
 * it), then `data: [DONE]`.
 */
export function chatCompletionEvents(values: AnswerValues, reply: Reply, completionTokens: number, includeUsage: boolean): StreamEvents {
  const head = `{"id":"chatcmpl-${values.id}","object":"chat.completion.chunk","created":${values.created},"model":${values.modelJson},"system_fingerprint":"fp_simulator",`;
  const usageNull = includeUsage ? ',"usage":null' : '';
  const emptyFilter = values.azure ? '"content_filter_results":{},' : '';
  const tokenFilter = values.azure ? `"content_filter_results":${CHUNK_FILTER_RESULTS},` : '';
  const chunk = (filter: string, delta: string, finish: string): string =>
    `data: ${head}"choices":[{${filter}"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]${usageNull}}\n\n`;
  const events: string[] = [];
  if (values.azure) events.push(`data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":${promptFilterResults()}}\n\n`);
  events.push(chunk(emptyFilter, '{"role":"assistant","content":"","refusal":null}', 'null'));
  const firstToken = events.length;
  for (const piece of reply.piecesJson) events.push(chunk(tokenFilter, `{"content":${piece}}`, 'null'));
  events.push(chunk(emptyFilter, '{}', `"${reply.finishReason}"`));
  if (includeUsage) events.push(`data: ${head}"choices":[],"usage":${usageJson(values.promptTokens, completionTokens)}}\n\n`);
  events.push('data: [DONE]\n\n');
  return { events, firstToken, tokens: reply.pieces.length };
}

/** A legacy `text_completion` object (one choice per prompt is not modelled: one choice). */
export function completionBody(values: AnswerValues, reply: Reply, completionTokens: number): string {
  const filter = values.azure ? `,"content_filter_results":${CHOICE_FILTER_RESULTS}` : '';
  const prompts = values.azure ? `,"prompt_filter_results":${promptFilterResults(values.prompts ?? 1)}` : '';
  return (
    `{"id":"cmpl-${values.id}","object":"text_completion","created":${values.created},"model":${values.modelJson},` +
    `"choices":[{"text":${reply.textJson},"index":0,"finish_reason":"${reply.finishReason}","logprobs":null${filter}}],` +
    `"usage":${usageJson(values.promptTokens, completionTokens)}${prompts}}`
  );
}

/** The SSE events of a streamed legacy completion: (Azure: the prompt-filter chunk), one chunk per token, the finish chunk, (usage), [DONE]. */
export function completionEvents(values: AnswerValues, reply: Reply, completionTokens: number, includeUsage: boolean): StreamEvents {
  const head = `{"id":"cmpl-${values.id}","object":"text_completion","created":${values.created},`;
  const tail = `,"model":${values.modelJson}}\n\n`;
  const tokenFilter = values.azure ? `,"content_filter_results":${CHUNK_FILTER_RESULTS}` : '';
  const events: string[] = [];
  if (values.azure) {
    events.push(`data: {"id":"","object":"","created":0,"choices":[],"model":"","prompt_filter_results":${promptFilterResults(values.prompts ?? 1)}}\n\n`);
  }
  const firstToken = events.length;
  for (const piece of reply.piecesJson) events.push(`data: ${head}"choices":[{"text":${piece},"index":0,"logprobs":null,"finish_reason":null${tokenFilter}}]${tail}`);
  events.push(`data: ${head}"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"${reply.finishReason}"${values.azure ? ',"content_filter_results":{}' : ''}}]${tail}`);
  if (includeUsage) events.push(`data: ${head}"choices":[],"usage":${usageJson(values.promptTokens, completionTokens)}${tail}`);
  events.push('data: [DONE]\n\n');
  return { events, firstToken, tokens: reply.pieces.length };
}

/** Default embedding size (text-embedding-3-small and ada-002). */
export const DEFAULT_EMBEDDING_DIMENSIONS = 1536;
const MAX_EMBEDDING_DIMENSIONS = 3072;
const vectorCache = new Map<string, string>();
/** Vectors kept for texts seen again (a load generator repeats its input); emptied when full. */
const MAX_CACHED_VECTORS = 256;

/**
 * One embedding vector of unit length for `text`, as JSON: a float array or a base64
 * string of little-endian float32.
 *
 * Why one per text and not one constant vector: a client that compares embeddings (a
 * similarity search under load) must see different texts land apart and the same text
 * land on the same point. The components come from a small seeded generator (FNV-1a of
 * the text, then mulberry32): no meaning, only identity, which is all a load test needs.
 */
function vectorJson(text: string, dimensions: number, format: 'float' | 'base64'): string {
  const key = `${format}:${dimensions}:${text}`;
  let json = vectorCache.get(key);
  if (json === undefined) {
    const floats = new Float32Array(dimensions);
    let state = fnv1a(text);
    let sumOfSquares = 0;
    for (let index = 0; index < dimensions; index++) {
      state = (state + 0x6d2b79f5) | 0;
      let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
      mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
      const component = ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296 - 0.5;
      floats[index] = component;
      sumOfSquares += component * component;
    }
    const scale = 1 / Math.sqrt(sumOfSquares || 1);
    for (let index = 0; index < dimensions; index++) floats[index] = floats[index]! * scale;
    json = format === 'float' ? `[${Array.from(floats, (value) => String(value)).join(',')}]` : JSON.stringify(Buffer.from(floats.buffer).toString('base64'));
    if (vectorCache.size >= MAX_CACHED_VECTORS) vectorCache.clear();
    if (text.length <= 4096) vectorCache.set(key, json);
  }
  return json;
}

/** 32-bit FNV-1a of a string's UTF-16 units: a seed, not a checksum. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** An embeddings `list` with one vector per input (`inputs` as the request gave them; a token array counts by its text). */
export function embeddingsBody(values: AnswerValues, inputs: ReadonlyArray<string | number>, dimensions: number | undefined, format: 'float' | 'base64'): string {
  const size = Math.min(dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS, MAX_EMBEDDING_DIMENSIONS);
  const items: string[] = [];
  inputs.forEach((input, index) => items.push(`{"object":"embedding","index":${index},"embedding":${vectorJson(String(input), size, format)}}`));
  return `{"object":"list","data":[${items.join(',')}],"model":${values.modelJson},"usage":{"prompt_tokens":${values.promptTokens},"total_tokens":${values.promptTokens}}}`;
}

/** A Responses API `response` object (non-streamed). */
export function responsesBody(values: AnswerValues, reply: Reply, completionTokens: number): string {
  const status = reply.finishReason === 'stop' ? 'completed' : 'incomplete';
  const incomplete = status === 'incomplete' ? '{"reason":"max_output_tokens"}' : 'null';
  return (
    `{"id":"resp_${values.id}","object":"response","created_at":${values.created},"status":"${status}","incomplete_details":${incomplete},"model":${values.modelJson},` +
    `"output":[{"type":"message","id":"msg_${values.id}","status":"${status}","role":"assistant","content":[{"type":"output_text","text":${reply.textJson},"annotations":[]}]}],` +
    `"usage":{"input_tokens":${values.promptTokens},"output_tokens":${completionTokens},"total_tokens":${values.promptTokens + completionTokens}}}`
  );
}
