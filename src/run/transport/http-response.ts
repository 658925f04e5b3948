/**
 * Reading response bodies into recording fields: the error body's `code`,
 * `message` and `type`; `usage` from a JSON answer or from the last chunks of a
 * server-sent-event stream; and whether a successful answer was whole.
 *
 * Kept apart from the transport so the parsing rules can be tested on plain
 * strings, without sockets.
 */
import type { RequestLine, StreamTiming } from '../../record/types.js';
import { StreamTimingRecorder } from '../stream-timing.js';

/** The `error` field of a request line. */
export type ErrorFields = NonNullable<RequestLine['error']>;
/** The `usage` field of a request line. */
export type UsageFields = NonNullable<RequestLine['usage']>;

/** Longest error message kept in a recording, characters. */
export const MAX_ERROR_MESSAGE_CHARS = 500;

/**
 * The fields of an error body. Understands the shapes seen in the wild:
 * Azure/OpenAI `{"error":{"code","message","type"}}`, Anthropic
 * `{"type":"error","error":{"type","message"}}`, APIM `{"statusCode":429,"message"}`
 * and `{"error":"text"}`. A body that is not JSON (an HTML page from a gateway, plain
 * text) keeps a tag-stripped, trimmed text as the message with `code` null and shape `text`.
 * Returns null for an empty body.
 */
export function errorFieldsOf(bodyText: string): ErrorFields | null {
  const text = bodyText.trim();
  if (text === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON at all (an HTML page, plain text): said so, because an API answers in JSON and a proxy's page does not.
    return { code: null, message: trimMessage(plainTextOf(text)), type: null, shape: 'text' };
  }
  if (!isObject(parsed)) return { code: null, message: trimMessage(text), type: null };
  const inner = parsed.error;
  if (isObject(inner)) {
    return {
      code: stringOrNull(inner.code),
      message: trimMessage(stringOrNull(inner.message)),
      type: stringOrNull(inner.type),
    };
  }
  if (typeof inner === 'string') {
    return { code: stringOrNull(parsed.code), message: trimMessage(inner), type: stringOrNull(parsed.type) };
  }
  if (parsed.message !== undefined) {
    return { code: stringOrNull(parsed.code ?? parsed.statusCode), message: trimMessage(stringOrNull(parsed.message)), type: stringOrNull(parsed.type), shape: 'flat' };
  }
  return { code: null, message: trimMessage(text), type: null };
}

/**
 * Token usage from a `usage` object: chat and embeddings (`prompt_tokens`,
 * `completion_tokens`, `total_tokens`), Responses API and Anthropic
 * (`input_tokens`, `output_tokens`). Null when there are no counts.
 */
export function usageOf(value: unknown): UsageFields | null {
  if (!isObject(value)) return null;
  const prompt = numberOrNull(value.prompt_tokens) ?? numberOrNull(value.input_tokens);
  const completion = numberOrNull(value.completion_tokens) ?? numberOrNull(value.output_tokens);
  const total = numberOrNull(value.total_tokens);
  if (prompt === null && completion === null && total === null) return null;
  const promptTokens = prompt ?? 0;
  const completionTokens = completion ?? 0;
  return { promptTokens, completionTokens, totalTokens: total ?? promptTokens + completionTokens };
}

/** Usage of a whole JSON answer (chat, embeddings, responses), or null. Throws on invalid JSON. */
export function usageOfJsonBody(bodyText: string): UsageFields | null {
  const parsed: unknown = JSON.parse(bodyText);
  return isObject(parsed) ? usageOf(parsed.usage) : null;
}

/** What a finished event stream said. */
export interface StreamSummary {
  /** The stream ended as the API promises: `data: [DONE]` (chat) or a final `response.*` event (Responses API). */
  complete: boolean;
  /** A `data:` line that should have been JSON was not. */
  invalid: boolean;
  usage: UsageFields | null;
  /** An `error` object sent inside the stream, if any. */
  error: ErrorFields | null;
  /** When its content chunks arrived (times as given to `push`). */
  timing: StreamTiming;
}

/** Event types that end a Responses API stream, and Anthropic's end of message. */
const FINAL_EVENT_TYPES: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed', 'message_stop']);

/**
 * Reads a server-sent-event stream chunk by chunk, keeping only what the
 * recording needs: the last usage seen, whether the stream ended properly, and
 * whether every data line parsed. Streams are slow (tokens arrive over seconds),
 * so parsing every data line costs nothing that matters.
 */
export class EventStreamReader {
  private partial = '';
  private complete = false;
  private invalid = false;
  private usage: UsageFields | null = null;
  private error: ErrorFields | null = null;
  private readonly timing = new StreamTimingRecorder();

  /**
   * Feeds decoded text (split anywhere, even mid-line) that arrived at `atMs` on the
   * run's clock; content events completed by this text are timed at `atMs`.
   */
  push(text: string, atMs = 0): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.readLine(line, atMs);
  }

  /** Ends the stream (at `atMs`, for a last line without its newline) and summarises it. */
  finish(atMs = 0): StreamSummary {
    if (this.partial !== '') this.readLine(this.partial, atMs);
    this.partial = '';
    return { complete: this.complete, invalid: this.invalid, usage: this.usage, error: this.error, timing: this.timing.result() };
  }

  private readLine(rawLine: string, atMs: number): void {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '') return;
    if (data === '[DONE]') {
      this.complete = true;
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      this.invalid = true;
      return;
    }
    if (!isObject(event)) return;
    if (carriesContent(event)) this.timing.content(atMs);
    const usage = usageOf(event.usage) ?? (isObject(event.response) ? usageOf(event.response.usage) : null);
    if (usage !== null) this.usage = usage;
    if (typeof event.type === 'string' && FINAL_EVENT_TYPES.has(event.type)) this.complete = true;
    if (isObject(event.error)) this.error = errorFieldsOf(JSON.stringify({ error: event.error }));
  }
}

/**
 * Whether a stream event carries generated output (a token): chat `delta.content` or
 * tool-call arguments, Responses API text or argument deltas, Anthropic content deltas.
 * Role-only chunks, usage, finish and end events carry none.
 */
export function carriesContent(event: Record<string, unknown>): boolean {
  const type = event.type;
  if (typeof type === 'string') {
    if (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta' || type === 'response.refusal.delta') {
      return typeof event.delta === 'string' && event.delta !== '';
    }
    if (type === 'content_block_delta') return isObject(event.delta);
  }
  const choices = event.choices;
  if (!Array.isArray(choices)) return false;
  for (const choice of choices) {
    if (!isObject(choice) || !isObject(choice.delta)) continue;
    const delta = choice.delta;
    if (typeof delta.content === 'string' && delta.content !== '') return true;
    if (typeof delta.refusal === 'string' && delta.refusal !== '') return true;
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) return true;
  }
  return false;
}

/** Trims to {@link MAX_ERROR_MESSAGE_CHARS}, marking the cut with an ellipsis. */
export function trimMessage(message: string | null): string | null {
  if (message === null) return null;
  const clean = message.trim();
  if (clean === '') return null;
  return clean.length > MAX_ERROR_MESSAGE_CHARS ? `${clean.slice(0, MAX_ERROR_MESSAGE_CHARS - 1)}…` : clean;
}

/**
 * The readable text of an HTML page (a gateway's 502, a proxy's block page):
 * scripts and styles dropped, tags removed, a few entities decoded, whitespace
 * collapsed. Hand-written because only a short message is needed, not a DOM.
 */
export function plainTextOf(text: string): string {
  return text
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
