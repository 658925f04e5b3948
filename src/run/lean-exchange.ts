/**
 * One request of the lean transport and its answer: fills the RequestLine
 * (PRODUCT §5) from what the connection's parser hands over, exactly as the undici
 * transport's exchange does (src/run/transport.ts), so a recording cannot tell
 * which transport wrote it.
 *
 * The same rules, in the same order:
 * - only recorded header families (isRecordedHeader), values redacted when they
 *   might hold a secret, `date` kept beside a `retry-after`;
 * - 2xx: JSON bodies parsed for `usage` (invalid → `bad-body`), event streams read
 *   chunk by chunk (no end marker or a non-JSON data line → `bad-body`); a kind
 *   `http` target is only held to JSON when the answer says it is JSON;
 * - 429 and 503 are refusals (errorKind null), any other non-2xx is `http`, both
 *   with the error body's fields, trimmed and redacted;
 * - every failure becomes its stable errorKind (error-kind.ts).
 *
 * Why not shared code with transport.ts: that file is the reference and stays as
 * it is; its exchange is an undici handler. The rules here are a copy of its
 * rules, held to the same tests (test/transport/lean-transport.test.ts).
 */
import { StringDecoder } from 'node:string_decoder';
import { SERVER_DATE_HEADER, isRecordedHeader, keepsServerDate } from '../record/header-names.js';
import type { Redactor } from '../record/redact.js';
import type { ErrorKind, RequestLine } from '../record/types.js';
import type { Clock } from './clock.js';
import { errorCodeOf, errorKindOf } from './error-kind.js';
import { EventStreamReader, errorFieldsOf, trimMessage, usageOfJsonBody, type ErrorFields, type UsageFields } from './http-response.js';
import type { PreparedPayload } from './payload.js';
import type { SendRequest } from './types.js';

/** Largest 2xx body kept to read `usage`; beyond it the body is still read, but usage is not known. */
const MAX_SUCCESS_BODY_BYTES = 4 * 1024 * 1024;
/** Largest error body kept to read its fields. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** What every exchange of one lean transport shares. */
export interface LeanExchangeContext {
  clock: Clock;
  redactor: Redactor;
  /** Whether bodies must honour the OpenAI/Azure format (false for kind `http`). */
  strictBodies: boolean;
  /** Called once when the exchange settles, whatever the outcome: forget it everywhere. */
  release(exchange: LeanExchange): void;
}

/** The part of a connection an exchange needs: cutting it when the exchange fails from outside. */
export interface ExchangeCarrier {
  /** The exchange gave up (timeout, abort): the connection cannot be reused mid-answer. */
  abandon(exchange: LeanExchange): void;
}

/** How a response body is read. */
type BodyMode = 'none' | 'keep' | 'event-stream';

/** One request and its answer; `line` resolves exactly once and never rejects. */
export class LeanExchange {
  readonly line: Promise<RequestLine>;
  /** Transport bookkeeping: the abort group it belongs to. */
  group: Set<LeanExchange> | null = null;
  /** The connection carrying it, once written; null while it waits for one. */
  carrier: ExchangeCarrier | null = null;
  /** Clock time after which the sweep fails it with `timeout`. */
  readonly deadlineMs: number;
  /** Time right before its bytes were written (the hand-off time until then). */
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

  constructor(
    private readonly context: LeanExchangeContext,
    private readonly request: SendRequest,
    readonly payload: PreparedPayload,
    readonly clientRequestId: string,
    handedOffMs: number,
    timeoutMs: number,
  ) {
    this.sentMs = handedOffMs;
    // Like the undici transport, the timeout counts from the hand-off (waiting for a connection included).
    this.deadlineMs = handedOffMs + timeoutMs;
    this.line = new Promise((resolve) => {
      this.resolveLine = resolve;
    });
  }

  /** True once the line is resolved. */
  get settled(): boolean {
    return this.settledFlag;
  }

  /** Ends the exchange now with `reason` and cuts its connection if it was written. */
  fail(reason: Error): void {
    if (this.settledFlag) return;
    const carrier = this.carrier;
    this.carrier = null;
    this.finish(errorKindOf(reason), this.transportError(reason));
    carrier?.abandon(this);
  }

  /** The final (non-1xx) status line and headers arrived. `rawHeaders` alternates names and values. */
  onHeaders(statusCode: number, rawHeaders: readonly string[]): void {
    if (this.settledFlag) return;
    this.firstByteMs = this.context.clock.now();
    this.status = statusCode;
    let serverDate: string | null = null;
    for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
      const name = rawHeaders[index]!.toLowerCase();
      if (name === 'content-type') this.contentType = rawHeaders[index + 1]!.toLowerCase();
      if (name === SERVER_DATE_HEADER) serverDate = rawHeaders[index + 1]!;
      if (!isRecordedHeader(name)) continue;
      let value = rawHeaders[index + 1]!;
      // A gateway could echo a credential in a request-id header; clean it before it enters the line.
      if (this.context.redactor.mightContainSecret(value)) value = this.context.redactor.text(value);
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

  /** A piece of the (de-chunked) body. Everything is read; only what the line needs is kept. */
  onBody(chunk: Buffer): void {
    if (this.settledFlag) return;
    if (this.mode === 'event-stream') {
      this.stream!.push(this.decoder!.write(chunk));
    } else if (this.mode === 'keep') {
      if (this.keptBytes + chunk.length <= this.bodyLimit) {
        this.chunks.push(chunk);
        this.keptBytes += chunk.length;
      } else {
        this.overflow = true;
      }
    }
  }

  /** The whole answer arrived. */
  onComplete(): void {
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

  private completeSuccess(status: number): void {
    if (this.mode === 'event-stream') {
      this.stream!.push(this.decoder!.end());
      const summary = this.stream!.finish();
      const broken = this.context.strictBodies && (summary.invalid || !summary.complete);
      const error = broken
        ? { code: null, message: summary.invalid ? 'the event stream had a data line that is not JSON' : 'the event stream ended without its end marker ([DONE])', type: null }
        : summary.error;
      this.finish(broken ? 'bad-body' : null, error === null ? null : this.redactFields(error), summary.usage);
      return;
    }
    const labelledJson = /[/+]json\b/.test(this.contentType);
    const mustParse = (labelledJson || this.context.strictBodies) && status !== 204 && status !== 205 && !this.overflow;
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
    this.context.release(this);
    const request = this.request;
    this.resolveLine({
      type: 'request',
      seq: request.seq,
      phase: request.phase,
      target: request.target,
      plannedMs: request.plannedMs,
      sentMs: this.sentMs,
      firstByteMs: this.firstByteMs,
      doneMs: this.context.clock.now(),
      status: this.status,
      errorKind,
      headers: this.headers,
      error,
      usage,
      estimatedTokens: this.payload.estimatedTokens,
      maxTokens: this.payload.maxTokens,
      clientRequestId: this.clientRequestId,
    });
  }

  private transportError(error: Error): ErrorFields {
    return { code: errorCodeOf(error), message: trimMessage(this.context.redactor.text(error.message || error.name)), type: null };
  }

  private redactFields(error: ErrorFields): ErrorFields {
    return { code: error.code, message: error.message === null ? null : this.context.redactor.text(error.message), type: error.type };
  }
}
