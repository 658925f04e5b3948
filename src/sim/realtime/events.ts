/**
 * The server events and close reasons the realtime simulator sends, with the
 * exact texts real services were seen to send (docs/realtime.md lists them):
 * Azure's failed `response.done` with `inference_rate_limit_exceeded`, the Speech
 * service's 1013 `ResourceExhausted` close, a gateway's `guardrail_error` before
 * its 1011, OpenAI's `session_expired` and its 1001.
 */
import type { RateLimitFigures } from './refill-bucket.js';

/** The close reason Azure Speech sends with 1013 when its token pool is empty. */
export const RESOURCE_EXHAUSTED_REASON = 'Status(StatusCode="ResourceExhausted", Detail="no tokens available for passthrough")';
/** The close reason sent with 4429. */
export const CONCURRENCY_REASON = 'Too many concurrent sessions: the concurrent request limit was exceeded';
/** A gateway's close reason after its in-band refusal (LiteLLM's wording). */
export const GATEWAY_REASON = 'Pre-call error';
/** The message of a failed response refused by the rate limit (Azure's wording). */
export const FAILED_RESPONSE_MESSAGE = "We're currently processing too many requests — please try again later.";

/** Any server event: a `type` and fields. */
export type ServerEvent = { type: string } & Record<string, unknown>;

/** Makes server event ids: event_0001, event_0002… per session. */
export class EventIds {
  private next = 0;
  constructor(private readonly prefix: string) {}
  /** The next id. */
  take(): string {
    this.next++;
    return `${this.prefix}_${String(this.next).padStart(4, '0')}`;
  }
}

/** `session_expired` text: "Your session hit the maximum duration of 60 minutes." */
export function expiryMessage(sessionMaxMs: number): string {
  const minutes = sessionMaxMs / 60_000;
  if (Number.isInteger(minutes)) return `Your session hit the maximum duration of ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  const seconds = Math.round(sessionMaxMs / 1000);
  return `Your session hit the maximum duration of ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

/** An `error` event. */
export function errorEvent(eventId: string, type: string, code: string | null, message: string, clientEventId: string | null = null): ServerEvent {
  return { type: 'error', event_id: eventId, error: { type, code, message, param: null, event_id: clientEventId } };
}

/** The in-band refusal of a rate limit, with the wait in its message. */
export function rateLimitErrorEvent(eventId: string, what: string, retryAfterMs: number, clientEventId: string | null): ServerEvent {
  const wait = Number.isFinite(retryAfterMs) ? ` Please try again in ${(Math.ceil(retryAfterMs) / 1000).toFixed(3)}s.` : '';
  return errorEvent(eventId, 'invalid_request_error', 'rate_limit_exceeded', `Rate limit reached for ${what}.${wait}`, clientEventId);
}

/** A gateway's refusal before it closes with 1011. */
export function gatewayErrorEvent(eventId: string, what: string): ServerEvent {
  return {
    type: 'error',
    event_id: eventId,
    error: { type: 'guardrail_error', code: '429', message: `429: Rate limit exceeded for key. Limit type: ${what}`, param: null, event_id: null },
  };
}

/** `rate_limits.updated`. */
export function rateLimitsEvent(eventId: string, figures: RateLimitFigures[]): ServerEvent {
  return { type: 'rate_limits.updated', event_id: eventId, rate_limits: figures };
}

/** Token counts of a response. */
export interface ResponseUsage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details: { text_tokens: number; audio_tokens: number; cached_tokens: number };
  output_token_details: { text_tokens: number; audio_tokens: number };
}

/** Usage with the given text tokens (all zeros for a refused response). */
export function usageOf(inputTokens: number, outputTokens: number): ResponseUsage {
  return {
    total_tokens: inputTokens + outputTokens,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    input_token_details: { text_tokens: inputTokens, audio_tokens: 0, cached_tokens: 0 },
    output_token_details: { text_tokens: outputTokens, audio_tokens: 0 },
  };
}

/** A failed `response.done` as Azure sends it when the rate limit refuses a response: the socket stays up. */
export function failedResponseDone(eventId: string, responseId: string): ServerEvent {
  return {
    type: 'response.done',
    event_id: eventId,
    response: {
      id: responseId,
      object: 'realtime.response',
      status: 'failed',
      status_details: {
        type: 'failed',
        error: { type: 'invalid_request_error', code: 'inference_rate_limit_exceeded', message: FAILED_RESPONSE_MESSAGE },
      },
      output: [],
      usage: usageOf(0, 0),
    },
  };
}
