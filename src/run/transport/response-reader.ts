/**
 * Reading one answer into its RequestLine (docs/recording.md): the half of an exchange
 * both transports share, so a recording cannot tell which transport wrote it.
 * `Exchange` (transport.ts, an undici handler) and `LeanExchange`
 * (lean-exchange.ts, fed by lean-connection.ts's parser) extend it and add only
 * how they are sent, timed out and cut.
 *
 * The rules, in order:
 * - only recorded header families (isRecordedHeader), values redacted when they
 *   might hold a secret, `date` kept beside a `retry-after`;
 * - 2xx: JSON bodies parsed for `usage` (invalid → `bad-body`), event streams read
 *   chunk by chunk (no end marker or a non-JSON data line → `bad-body`); a kind
 *   `http` target is only held to JSON when the answer says it is JSON;
 * - 429 and 503 are refusals (errorKind null), any other non-2xx is `http`, both
 *   with the error body's fields, trimmed and redacted;
 * - every failure becomes its stable errorKind (error-kind.ts).
 *
 * Why a base class and not a reader object the exchange holds: a burst creates
 * thousands of exchanges at once, and inheritance costs no extra object, closure
 * or indirection per request (the lean transport is tuned for burst latency).
 */
import { StringDecoder } from 'node:string_decoder';
import { REDIRECT_LOCATION_HEADER, SERVER_DATE_HEADER, isRecordedHeader, keepsRedirectLocation, keepsServerDate } from '../../record/header-names.js';
import { redactUrl, type Redactor } from '../../record/redact.js';
import type { ErrorKind, RequestLine, StreamTiming } from '../../record/types.js';
import type { Clock } from '../pacing/clock.js';
import { errorCodeOf, errorKindOf } from './error-kind.js';
import { EventStreamReader, errorFieldsOf, trimMessage, usageOfJsonBody, type ErrorFields, type UsageFields } from './http-response.js';
import type { PreparedPayload } from './payload.js';
import type { SendRequest } from '../types.js';

/** Largest 2xx body kept to read `usage`; beyond it the body is still read, but usage is not known. */
export const MAX_SUCCESS_BODY_BYTES = 4 * 1024 * 1024;
/** Largest error body kept to read its fields (they sit at the start; gateways send whole HTML pages). */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** What every answer of one transport is read with; the transport's context object carries it. */
export interface ResponseRules {
  /** The run's clock: `firstByteMs` and `doneMs` come from it. */
  clock: Clock;
  /** Cleans the target's secrets out of header values and error texts. */
  redactor: Redactor;
  /** Whether bodies must honour the OpenAI/Azure format (false for kind `http`). */
  strictBodies: boolean;
}

/** How a response body is read. */
type BodyMode = 'none' | 'keep' | 'event-stream';

/**
 * One request's answer, read into its RequestLine. `line` resolves exactly once
 * and never rejects; the subclass feeds the answer (readHeaders, readBody,
 * readComplete) or ends it early (settleWithError), and says what settling means
 * for it (onSettled).
 */
export abstract class ResponseReader {
  /** The recording line; resolves once, whatever the outcome. */
  readonly line: Promise<RequestLine>;
  /** Time right before the request was written (the hand-off time until then). */
  sentMs: number;
  private resolveLine!: (line: RequestLine) => void;
  private settledFlag = false;
  private firstByteMs: number | null = null;
  private status: number | null = null;
  private readonly headers: Record<string, string> = {};
  private contentType = '';
  private mode: BodyMode = 'none';
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private bodyLimit = 0;
  private overflow = false;
  private stream: EventStreamReader | null = null;
  private decoder: StringDecoder | null = null;
  /** The content timing of a finished event stream, for the line's `stream` field. */
  private streamTiming: StreamTiming | null = null;

  protected constructor(
    private readonly rules: ResponseRules,
    private readonly request: SendRequest,
    /** The body sent; its estimate and max tokens go on the line. */
    readonly payload: PreparedPayload,
    /** The `x-ms-client-request-id` sent, recorded to match server-side logs. */
    readonly clientRequestId: string,
    handedOffMs: number,
  ) {
    this.sentMs = handedOffMs;
    this.line = new Promise((resolve) => {
      this.resolveLine = resolve;
    });
  }

  /** True once the line is resolved. */
  get settled(): boolean {
    return this.settledFlag;
  }

  /**
   * Called once, right before the line resolves, whatever the outcome: the
   * subclass forgets the exchange everywhere (in-flight sets, timers).
   */
  protected abstract onSettled(): void;

  /**
   * The final (non-1xx) status line and headers arrived. `rawHeaders` alternates
   * names and values, as Buffers (undici) or strings (http-parser-js).
   */
  readHeaders(statusCode: number, rawHeaders: readonly (Buffer | string)[]): void {
    if (this.settledFlag) return;
    const rules = this.rules;
    this.firstByteMs = rules.clock.now();
    this.status = statusCode;
    let serverDate: string | null = null;
    for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
      const name = headerText(rawHeaders[index]!).toLowerCase();
      if (name === 'content-type') this.contentType = headerText(rawHeaders[index + 1]!).toLowerCase();
      if (name === SERVER_DATE_HEADER) serverDate = headerText(rawHeaders[index + 1]!);
      if (name === REDIRECT_LOCATION_HEADER && keepsRedirectLocation(statusCode)) {
        // A redirect's target, without user information or secret query values (see header-names.ts).
        this.headers[name] = redactUrl(rules.redactor.text(headerText(rawHeaders[index + 1]!)));
        continue;
      }
      if (!isRecordedHeader(name)) continue;
      let value = headerText(rawHeaders[index + 1]!);
      // A gateway could echo a credential in a request-id header; clean it before it enters the line.
      if (rules.redactor.mightContainSecret(value)) value = rules.redactor.text(value);
      const previous = this.headers[name];
      this.headers[name] = previous === undefined ? value : `${previous}, ${value}`;
    }
    // A Retry-After date becomes a wait against the server's own clock (see header-names.ts).
    if (serverDate !== null && keepsServerDate(this.headers)) this.headers[SERVER_DATE_HEADER] = serverDate;
    if (statusCode >= 200 && statusCode < 300) {
      if (this.contentType.includes('text/event-stream')) {
        this.mode = 'event-stream';
        this.stream = new EventStreamReader();
        this.decoder = new StringDecoder('utf8');
      } else {
        this.mode = 'keep';
        this.bodyLimit = MAX_SUCCESS_BODY_BYTES;
      }
    } else {
      this.mode = 'keep';
      this.bodyLimit = MAX_ERROR_BODY_BYTES;
    }
  }

  /** A piece of the (de-chunked) body. Everything must be read; only what the line needs is kept. */
  readBody(chunk: Buffer): void {
    if (this.settledFlag) return;
    if (this.mode === 'event-stream') {
      this.stream!.push(this.decoder!.write(chunk), this.rules.clock.now());
    } else if (this.mode === 'keep') {
      if (this.keptBytes + chunk.length <= this.bodyLimit) {
        this.chunks.push(chunk);
        this.keptBytes += chunk.length;
      } else {
        // Past the limit the rest is dropped, and a cut JSON body is not judged.
        this.overflow = true;
      }
    }
  }

  /** The whole answer arrived: interpret it and resolve the line. */
  readComplete(): void {
    if (this.settledFlag) return;
    const status = this.status!;
    if (status >= 200 && status < 300) {
      this.completeSuccess(status);
      return;
    }
    const error = errorFieldsOf(this.bodyText());
    const kind: ErrorKind | null = status === 429 || status === 503 ? null : 'http';
    this.finish(kind, error === null ? null : this.redactFields(error));
  }

  /**
   * Ends the exchange with a failure that is not an answer (timeout, abort,
   * socket error...): its stable errorKind (error-kind.ts), and its code and
   * redacted, trimmed message as the line's `error`. Does nothing once settled.
   */
  protected settleWithError(reason: Error): void {
    if (this.settledFlag) return;
    this.finish(errorKindOf(reason), { code: errorCodeOf(reason), message: trimMessage(this.rules.redactor.text(reason.message || reason.name)), type: null });
  }

  private completeSuccess(status: number): void {
    if (this.mode === 'event-stream') {
      const now = this.rules.clock.now();
      this.stream!.push(this.decoder!.end(), now);
      const summary = this.stream!.finish(now);
      this.streamTiming = summary.timing;
      const broken = this.rules.strictBodies && (summary.invalid || !summary.complete);
      const error = broken
        ? { code: null, message: summary.invalid ? 'the event stream had a data line that is not JSON' : 'the event stream ended without its end marker ([DONE])', type: null }
        : summary.error;
      this.finish(broken ? 'bad-body' : null, error === null ? null : this.redactFields(error), summary.usage);
      return;
    }
    const labelledJson = /[/+]json\b/.test(this.contentType);
    // 204 and 205 have no body by definition; an overflowed body is cut, so not judged.
    const mustParse = (labelledJson || this.rules.strictBodies) && status !== 204 && status !== 205 && !this.overflow;
    if (!mustParse) {
      this.finish(null, null);
      return;
    }
    const text = this.bodyText();
    let usage: UsageFields | null;
    try {
      usage = usageOfJsonBody(text);
    } catch {
      const preview = trimMessage(text.slice(0, 200)) ?? '(empty body)';
      this.finish('bad-body', this.redactFields({ code: null, message: `a ${status} answer whose body is not JSON: ${preview}`, type: null }));
      return;
    }
    this.finish(null, null, usage);
  }

  private bodyText(): string {
    // One chunk is the common case (a small answer in one segment): no copy.
    return this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
  }

  private finish(errorKind: ErrorKind | null, error: ErrorFields | null, usage: UsageFields | null = null): void {
    if (this.settledFlag) return;
    this.settledFlag = true;
    this.chunks = [];
    this.onSettled();
    const request = this.request;
    const line: RequestLine = {
      type: 'request',
      seq: request.seq,
      phase: request.phase,
      target: request.target,
      plannedMs: request.plannedMs,
      sentMs: this.sentMs,
      firstByteMs: this.firstByteMs,
      doneMs: this.rules.clock.now(),
      status: this.status,
      errorKind,
      headers: this.headers,
      error,
      usage,
      estimatedTokens: this.payload.estimatedTokens,
      maxTokens: this.payload.maxTokens,
      clientRequestId: this.clientRequestId,
    };
    if (this.streamTiming !== null) line.stream = this.streamTiming;
    this.resolveLine(line);
  }

  private redactFields(error: ErrorFields): ErrorFields {
    const fields: ErrorFields = { code: error.code, message: error.message === null ? null : this.rules.redactor.text(error.message), type: error.type };
    if (error.shape !== undefined) fields.shape = error.shape;
    return fields;
  }
}

/** undici hands header names and values over as latin1 Buffers; http-parser-js as strings. */
function headerText(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}
