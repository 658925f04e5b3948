/**
 * The HTTP transport: sends one request per SendRequest and turns every outcome,
 * good or bad, into a RequestLine (docs/recording.md). Implements `Transport` of
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
import type { Dispatcher, Pool } from 'undici';
import { createRedactor } from '../../record/redact.js';
import type { RequestLine } from '../../record/types.js';
import type { Clock } from '../pacing/clock.js';
import { RequestAbortedError, RequestTimeoutError } from './error-kind.js';
import { InFlightRequests, type AbortGroup } from './in-flight.js';
import { PayloadCatalog, UNBUILDABLE_PAYLOAD, payloadContextOf, type PreparedPayload } from './payload.js';
import { ClientRequestIds } from './request-ids.js';
import { ResponseReader, type ResponseRules } from './response-reader.js';
import { WarmConnections } from './transport-connections.js';
import { loadUndici } from './undici-module.js';
import type { PayloadOverrides, PayloadSpec, SendRequest, TargetSpec, Transport } from '../types.js';

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

/** Creates the transport for one target. Builds the default payload at once. */
export function createTransport(options: TransportOptions): HttpTransport {
  return new UndiciTransport(options);
}

/** What every exchange of one transport shares. */
interface TransportContext extends ResponseRules {
  timeoutMs: number;
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
  private readonly requestIds = new ClientRequestIds();
  private readonly context: TransportContext;
  private readonly inFlight = new InFlightRequests<Exchange>();
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    const url = new URL(options.target.url);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    this.payloads = new PayloadCatalog(options.payload, payloadContextOf(url, options.target.deployment));
    this.payloads.warm(options.payloadVariants ?? []);

    const { auth } = options.target;
    this.baseHeaders = ['content-type', 'application/json', 'user-agent', options.userAgent ?? 'aoai-probe'];
    if (auth.apiKey !== undefined) this.baseHeaders.push('api-key', auth.apiKey);
    else if (auth.bearer !== undefined) this.baseHeaders.push('authorization', `Bearer ${auth.bearer}`);

    if (options.dispatcher !== undefined) {
      this.dispatcher = options.dispatcher;
      this.pool = null;
      this.warm = null;
    } else {
      const { Pool, buildConnector } = loadUndici();
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
      release: (exchange) => this.inFlight.delete(exchange),
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
    const clientRequestId = this.requestIds.next();
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
    this.inFlight.add(exchange, signal);
    exchange.startTimer();
    const bearerSource = this.options.target.auth.bearerSource;
    const headers = [...this.baseHeaders, 'x-ms-client-request-id', clientRequestId];
    // A refreshing token (Entra ID) is read per request; it changes during long runs.
    if (bearerSource !== undefined) headers.push('authorization', `Bearer ${bearerSource.current()}`);
    this.dispatcher.dispatch(
      {
        origin: this.origin,
        path: this.path,
        method: 'POST',
        headers,
        body: payload.body,
      },
      exchange,
    );
    return exchange.line;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inFlight.failAll(new RequestAbortedError('the transport was closed'));
    this.warm?.close();
    if (this.pool !== null) await this.pool.destroy();
  }
}

/**
 * One request and its answer: an undici dispatch handler (the legacy callback
 * form, which undici calls directly; the newer controller form is wrapped in an
 * adapter per request) that feeds the answer to its ResponseReader half, which
 * fills the recording line.
 */
class Exchange extends ResponseReader implements Dispatcher.DispatchHandler {
  /** The abort group of its signal, kept by {@link InFlightRequests}. */
  group: AbortGroup<Exchange> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private abortRequest: ((error?: Error) => void) | null = null;

  constructor(
    private readonly context: TransportContext,
    request: SendRequest,
    payload: PreparedPayload,
    clientRequestId: string,
    handedOffMs: number,
  ) {
    super(context, request, payload, clientRequestId, handedOffMs);
  }

  startTimer(): void {
    const timeoutMs = this.context.timeoutMs;
    this.timer = setTimeout(() => this.fail(new RequestTimeoutError(timeoutMs)), timeoutMs);
  }

  /** Ends the exchange now with `reason` (timeout, abort) and cuts the request if it started. */
  fail(reason: Error): void {
    if (this.settled) return;
    this.settleWithError(reason);
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
    // 100 Continue and other interim answers are not the answer.
    if (statusCode >= 200) this.readHeaders(statusCode, rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.readBody(chunk);
    // Always true: the body is always consumed, so the connection can be reused.
    return true;
  }

  onComplete(): void {
    this.readComplete();
  }

  onError(error: Error): void {
    this.settleWithError(error);
  }

  protected onSettled(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.context.release(this);
  }
}
