/**
 * The HTTP transport: sends one request per SendRequest and turns every outcome,
 * good or bad, into a RequestLine (PRODUCT §5). Implements `Transport` of
 * src/run/types.ts; the runner decides when, this decides how.
 *
 * Design choices, each measured or required:
 * - undici `Pool` created per target, never the global dispatcher, so nothing
 *   else in the process shares (or exhausts) its connections. A dispatcher can be
 *   injected instead (tests, proxies).
 * - `dispatch()` with a handler object, the fastest undici layer
 *   (perf-baselines.md §1: ~44k req/s against ~30k for `request()`), and no
 *   await between `send()` and `dispatch()`, so the runner's synchronous loop
 *   hands a whole burst to undici in one go.
 * - Connections for a burst are opened in `prepare()` without sending anything
 *   (see transport-connections.ts).
 * - Bodies are pre-serialised per payload variant (payload.ts).
 * - Response bodies are always read to the end (undici cannot reuse a connection
 *   otherwise); only what the recording needs is kept: rate-limit headers
 *   (src/record/header-names.ts), error fields, usage.
 * - Request headers are never recorded, so a key cannot leak through them; error
 *   texts are redacted with the target's secrets before they enter the line.
 *
 * Status codes vs errorKind: 429 and 503 are refusals (what the probe measures),
 * so they keep errorKind null and their body in `error`. Any other status outside
 * 2xx (other 4xx, other 5xx, 1xx/3xx finals, since redirects are not followed)
 * gets errorKind `http`. A 2xx whose body breaks the API's promise (invalid JSON,
 * an event stream without its end marker) gets `bad-body`. For kind `http`
 * targets (any API), only a body labelled JSON is checked.
 */
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { Pool, buildConnector, type Dispatcher } from 'undici';
import { SERVER_DATE_HEADER, isRecordedHeader, keepsServerDate } from '../record/header-names.js';
import { createRedactor, type Redactor } from '../record/redact.js';
import type { ErrorKind, RequestLine } from '../record/types.js';
import type { Clock } from './clock.js';
import { RequestAbortedError, RequestTimeoutError, errorCodeOf, errorKindOf } from './error-kind.js';
import { EventStreamReader, errorFieldsOf, trimMessage, usageOfJsonBody, type ErrorFields, type UsageFields } from './http-response.js';
import { PayloadCatalog, type PayloadEndpoint, type PreparedPayload } from './payload.js';
import { WarmConnections } from './transport-connections.js';
import type { PayloadOverrides, PayloadSpec, SendRequest, TargetSpec, Transport } from './types.js';

/** Options of {@link createTransport}. */
export interface TransportOptions {
  target: TargetSpec;
  payload: PayloadSpec;
  /** The run's clock: every time on a line comes from `clock.now()`. */
  clock: Clock;
  /** Longest time from hand-off to the last body byte, ms; then errorKind `timeout`. */
  timeoutMs: number;
  /** Most connections to the target (the in-flight ceiling is a good value). */
  connections: number;
  /** Use this dispatcher instead of a Pool of our own (then `prepare` opens nothing and `close` leaves it open). */
  dispatcher?: Dispatcher;
  /** Payload variants to build now (e.g. each phase's overrides), so no request pays for building one. */
  payloadVariants?: readonly PayloadOverrides[];
  /** The `user-agent` header. Default "aoai-probe". */
  userAgent?: string;
}

/** The transport, plus the payload catalog for callers that want to warm variants later. */
export interface HttpTransport extends Transport {
  readonly payloads: PayloadCatalog;
}

/** Largest 2xx body kept to read `usage`; beyond it the body is still read, but usage is not known. */
const MAX_SUCCESS_BODY_BYTES = 4 * 1024 * 1024;
/** Largest error body kept to read its fields. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Stands in for a payload variant that could not be built; such a request is never sent. */
const UNBUILDABLE_PAYLOAD: PreparedPayload = { body: Buffer.alloc(0), estimatedTokens: 0, maxTokens: null, stream: false, promptTokens: null };

/** Creates the transport for one target. Builds the default payload at once. */
export function createTransport(options: TransportOptions): HttpTransport {
  return new UndiciTransport(options);
}

/** What every exchange of one transport shares. */
interface TransportContext {
  clock: Clock;
  redactor: Redactor;
  timeoutMs: number;
  /** Whether bodies must honour the OpenAI/Azure format (false for kind `http`). */
  strictBodies: boolean;
  release(exchange: Exchange): void;
}

class UndiciTransport implements HttpTransport {
  readonly payloads: PayloadCatalog;
  private readonly dispatcher: Dispatcher;
  private readonly pool: Pool | null;
  private readonly warm: WarmConnections | null;
  private readonly origin: string;
  private readonly path: string;
  private readonly baseHeaders: string[];
  private readonly requestIdPrefix: string;
  private requestCounter = 0;
  private readonly context: TransportContext;
  private readonly inFlight = new Set<Exchange>();
  private readonly bySignal = new WeakMap<AbortSignal, Set<Exchange>>();
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    const url = new URL(options.target.url);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    const endpoint = endpointOfPath(url.pathname);
    this.payloads = new PayloadCatalog(options.payload, {
      endpoint,
      // The deployment travels in the path for classic Azure URLs; elsewhere it is the model.
      fallbackModel: url.pathname.includes('/deployments/') ? null : options.target.deployment,
    });
    this.payloads.warm(options.payloadVariants ?? []);

    const { auth } = options.target;
    this.baseHeaders = ['content-type', 'application/json', 'user-agent', options.userAgent ?? 'aoai-probe'];
    if (auth.apiKey !== undefined) this.baseHeaders.push('api-key', auth.apiKey);
    else if (auth.bearer !== undefined) this.baseHeaders.push('authorization', `Bearer ${auth.bearer}`);

    // A per-run random prefix plus a counter: unique ids at the cost of a string concat.
    const random = randomBytes(9).toString('hex');
    this.requestIdPrefix = `${random.slice(0, 8)}-${random.slice(8, 12)}-4${random.slice(12, 15)}-8${random.slice(15, 18)}-`;

    if (options.dispatcher !== undefined) {
      this.dispatcher = options.dispatcher;
      this.pool = null;
      this.warm = null;
    } else {
      const connector = buildConnector({ timeout: options.timeoutMs });
      this.warm = new WarmConnections(connector, url);
      this.pool = new Pool(this.origin, {
        connections: options.connections,
        pipelining: 1,
        connect: this.warm.connect,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      this.dispatcher = this.pool;
    }

    this.context = {
      clock: options.clock,
      redactor: createRedactor([auth.apiKey, auth.bearer].filter((secret): secret is string => secret !== undefined)),
      timeoutMs: options.timeoutMs,
      strictBodies: options.target.kind !== 'http',
      release: (exchange) => this.release(exchange),
    };
  }

  /**
   * Opens connections so that `connections` requests can start at once on
   * established connections: idle pool connections count, warm sockets count, the
   * rest are opened now. Sends nothing.
   */
  async prepare(connections: number): Promise<void> {
    if (this.pool === null || this.warm === null || this.closed) return;
    this.payloads.warm();
    const stats = this.pool.stats;
    const busy = stats.connected - stats.free;
    const usable = Math.min(connections, this.options.connections - busy);
    const needed = usable - stats.free - this.warm.idleCount;
    if (needed > 0) await this.warm.open(needed);
  }

  send(request: SendRequest, signal: AbortSignal): Promise<RequestLine> {
    const clock = this.options.clock;
    const clientRequestId = this.requestIdPrefix + (this.requestCounter++).toString(16).padStart(12, '0');
    let payload: PreparedPayload;
    try {
      payload = this.payloads.get(request.payload);
    } catch (error) {
      // A variant that cannot be built (e.g. an impossible prompt size) fails this request, not the run.
      const exchange = new Exchange(this.context, request, UNBUILDABLE_PAYLOAD, clientRequestId, clock.now());
      exchange.fail(error instanceof Error ? error : new Error(String(error)));
      return exchange.line;
    }
    const exchange = new Exchange(this.context, request, payload, clientRequestId, clock.now());
    if (signal.aborted || this.closed) {
      exchange.fail(new RequestAbortedError(this.closed ? 'the transport was closed' : undefined));
      return exchange.line;
    }
    this.track(exchange, signal);
    exchange.startTimer();
    this.dispatcher.dispatch(
      {
        origin: this.origin,
        path: this.path,
        method: 'POST',
        headers: [...this.baseHeaders, 'x-ms-client-request-id', clientRequestId],
        body: payload.body,
      },
      exchange,
    );
    return exchange.line;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const exchange of [...this.inFlight]) exchange.fail(new RequestAbortedError('the transport was closed'));
    this.warm?.close();
    if (this.pool !== null) await this.pool.destroy();
  }

  /**
   * One abort listener per signal (the runner passes the same signal to every
   * request), not one per request: EventTarget listeners cost more than a Set.
   */
  private track(exchange: Exchange, signal: AbortSignal): void {
    this.inFlight.add(exchange);
    let group = this.bySignal.get(signal);
    if (group === undefined) {
      const members = new Set<Exchange>();
      group = members;
      this.bySignal.set(signal, members);
      signal.addEventListener(
        'abort',
        () => {
          for (const member of [...members]) member.fail(new RequestAbortedError());
        },
        { once: true },
      );
    }
    group.add(exchange);
    exchange.group = group;
  }

  private release(exchange: Exchange): void {
    this.inFlight.delete(exchange);
    exchange.group?.delete(exchange);
  }
}

/** How a response body is read. */
type BodyMode = 'none' | 'keep' | 'event-stream';

/**
 * One request and its answer: an undici dispatch handler (the legacy callback
 * form, which undici calls directly; the newer controller form is wrapped in an
 * adapter per request) that fills the recording line as the answer arrives.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly line: Promise<RequestLine>;
  group: Set<Exchange> | null = null;
  private resolveLine!: (line: RequestLine) => void;
  private settled = false;
  private timer: NodeJS.Timeout | null = null;
  private abortRequest: ((error?: Error) => void) | null = null;
  private sentMs: number;
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
    private readonly context: TransportContext,
    private readonly request: SendRequest,
    private readonly payload: PreparedPayload,
    private readonly clientRequestId: string,
    handedOffMs: number,
  ) {
    this.sentMs = handedOffMs;
    this.line = new Promise((resolve) => {
      this.resolveLine = resolve;
    });
  }

  startTimer(): void {
    const timeoutMs = this.context.timeoutMs;
    this.timer = setTimeout(() => this.fail(new RequestTimeoutError(timeoutMs)), timeoutMs);
  }

  /** Ends the exchange now with `reason` (timeout, abort) and cuts the request if it started. */
  fail(reason: Error): void {
    if (this.settled) return;
    this.finish(errorKindOf(reason), this.transportError(reason));
    this.abortRequest?.(reason);
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) {
      // Timed out or aborted while waiting for a connection: never write it.
      abort(new RequestAbortedError());
      return;
    }
    this.abortRequest = abort;
    // undici calls this right before writing the request to the socket.
    this.sentMs = this.context.clock.now();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[], _resume: () => void): boolean {
    if (statusCode < 200) return true; // 100 Continue and other interim answers
    this.firstByteMs = this.context.clock.now();
    this.status = statusCode;
    let serverDate: string | null = null;
    for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
      const name = headerText(rawHeaders[index]!).toLowerCase();
      if (name === 'content-type') this.contentType = headerText(rawHeaders[index + 1]!).toLowerCase();
      if (name === SERVER_DATE_HEADER) serverDate = headerText(rawHeaders[index + 1]!);
      if (!isRecordedHeader(name)) continue;
      let value = headerText(rawHeaders[index + 1]!);
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
    return true;
  }

  onData(chunk: Buffer): boolean {
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
    // Everything else is read and dropped: the body is always consumed.
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    const status = this.status!;
    if (status >= 200 && status < 300) {
      this.completeSuccess(status);
      return;
    }
    const error = errorFieldsOf(Buffer.concat(this.chunks).toString('utf8'));
    const kind: ErrorKind | null = status === 429 || status === 503 ? null : 'http';
    this.finish(kind, error === null ? null : this.redactFields(error));
  }

  onError(error: Error): void {
    if (this.settled) return;
    this.finish(errorKindOf(error), this.transportError(error));
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
    const text = Buffer.concat(this.chunks).toString('utf8');
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

  private finish(errorKind: ErrorKind | null, error: ErrorFields | null, usage: UsageFields | null = null): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== null) clearTimeout(this.timer);
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

function headerText(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}

function endpointOfPath(pathname: string): PayloadEndpoint {
  if (/\/embeddings\/?$/.test(pathname)) return 'embeddings';
  if (/\/responses\/?$/.test(pathname)) return 'responses';
  return 'chat';
}
