/**
 * The lean HTTP/1.1 transport: the same `Transport` contract and the same
 * RequestLine semantics as the undici transport (src/run/transport/transport.ts, the default
 * and the reference), with a write path built for bursts.
 *
 * Why it exists (bench/NOTES.md, findings 1, 3 and 5): undici's write path costs
 * 45–100 µs per request and defers each write on a reused socket by one
 * setImmediate, so a burst of N leaves the client over N × that; the burst's
 * spread then measures the client, not the limiter. Here:
 * - the request bytes are pre-serialised per payload variant, only the 36-character
 *   `x-ms-client-request-id` is copied in per request (lean-request-bytes.ts);
 * - `send()` writes to an idle, already-open connection synchronously, so the
 *   runner's one synchronous loop over a burst performs all of its writes, and
 *   `sentMs` is read right before each write;
 * - `prepare(n)` opens n connections (TCP, or TLS with SNI and normal certificate
 *   verification) and sends nothing, so a burst pays no handshake and no quota;
 * - one timeout sweep per transport (every {@link SWEEP_INTERVAL_MS}) instead of a
 *   timer per request;
 * - one response parser per connection, reused (lean-connection.ts).
 *
 * Pool rules (like undici's Pool with pipelining 1): at most `connections`
 * connections; one request in flight per connection; a request that finds no idle
 * connection waits in FIFO order and a new connection is opened for it while the
 * ceiling allows. A connection that fails to open fails the oldest waiting request
 * with its error (refused, dns, tls, timeout). An answer without keep-alive closes
 * its connection.
 *
 * Not covered: HTTP/2, proxies (an injected undici `dispatcher`), client
 * certificates, request pipelining, redirects (not followed, like the undici transport).
 */
import net from 'node:net';
import tls from 'node:tls';
import { createRedactor } from '../../record/redact.js';
import type { RequestLine } from '../../record/types.js';
import { RequestAbortedError, RequestTimeoutError } from './error-kind.js';
import { LeanConnection, type ConnectionOwner } from './lean-connection.js';
import { InFlightRequests } from './in-flight.js';
import { LeanExchange, type LeanExchangeContext } from './lean-exchange.js';
import { RequestBytes } from './lean-request-bytes.js';
import { PayloadCatalog, UNBUILDABLE_PAYLOAD, payloadContextOf, type PreparedPayload } from './payload.js';
import { ClientRequestIds } from './request-ids.js';
import type { HttpTransport, TransportOptions } from './transport.js';
import type { SendRequest } from '../types.js';

/**
 * How often in-flight requests are checked against their deadline, ms. A timeout
 * fires between 0 and this much late; one interval for the whole transport costs
 * nothing per request, where a timer per request costs two timer-list operations.
 */
export const SWEEP_INTERVAL_MS = 20;

/** What only the lean transport takes, beside the shared {@link TransportOptions}. */
export interface LeanTransportExtras {
  /**
   * Extra TLS settings, e.g. `ca` for a private certificate authority (tests, a
   * company gateway). Certificates are always verified; there is no switch to turn that off.
   */
  tls?: Pick<tls.ConnectionOptions, 'ca'>;
}

/**
 * Creates the lean transport for one target (http: or https:). Takes the same
 * options as `createTransport`, except `dispatcher`, which it cannot use (it
 * speaks HTTP itself): passing one is a programming error and throws.
 */
export function createLeanTransport(options: TransportOptions, extras: LeanTransportExtras = {}): HttpTransport {
  if (options.dispatcher !== undefined) throw new TypeError('the lean transport has its own connections; use the undici transport to pass a dispatcher (e.g. a proxy)');
  return new LeanTransport(options, extras);
}

/**
 * Same name as src/run/transport/transport.ts's factory, so either module can be loaded by
 * the bench's A/B scripts (kept in git history, removed from the tree), which call `createTransport`.
 */
export const createTransport = createLeanTransport;

/** Where and how to connect. */
interface Endpoint {
  secure: boolean;
  /** Host name or IP without IPv6 brackets. */
  host: string;
  port: number;
  /** SNI name: the host name, or undefined for an IP address (SNI may not carry one). */
  servername: string | undefined;
}

class LeanTransport implements HttpTransport, ConnectionOwner {
  readonly payloads: PayloadCatalog;
  private readonly endpoint: Endpoint;
  private readonly bytes: RequestBytes | null;
  /** Why no request can be sent (a header value that would break the request), or null. */
  private readonly unsendable: Error | null;
  private readonly requestIds = new ClientRequestIds();
  private readonly context: LeanExchangeContext;
  private readonly all = new Set<LeanConnection>();
  /** Connected and free; the last one parked is the first one used (warmest). */
  private readonly idle: LeanConnection[] = [];
  /** Requests waiting for a connection, oldest first. */
  private readonly waiting: LeanExchange[] = [];
  private opening = 0;
  private readonly inFlight = new InFlightRequests<LeanExchange>();
  private readonly sweeper: NodeJS.Timeout;
  /** Resolvers of prepare() calls waiting for their connections to open or fail. */
  private readonly preparing = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly options: TransportOptions,
    private readonly extras: LeanTransportExtras,
  ) {
    const url = new URL(options.target.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`the lean transport speaks http: and https: only, not ${url.protocol}`);
    const secure = url.protocol === 'https:';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.endpoint = { secure, host, port: Number(url.port || (secure ? 443 : 80)), servername: net.isIP(host) === 0 ? host : undefined };

    this.payloads = new PayloadCatalog(options.payload, payloadContextOf(url, options.target.deployment));
    this.payloads.warm(options.payloadVariants ?? []);

    const { auth } = options.target;
    const headers: [string, string][] = [
      ['content-type', 'application/json'],
      ['user-agent', options.userAgent ?? 'aoai-probe'],
    ];
    if (auth.apiKey !== undefined) headers.push(['api-key', auth.apiKey]);
    else if (auth.bearer !== undefined) headers.push(['authorization', `Bearer ${auth.bearer}`]);
    let bytes: RequestBytes | null = null;
    let unsendable: Error | null = null;
    try {
      bytes = new RequestBytes({ path: `${url.pathname}${url.search}`, host: url.host, headers });
    } catch (error) {
      // Like undici's header validation: every request fails (errorKind other), the run goes on.
      unsendable = error instanceof Error ? error : new Error(String(error));
    }
    this.bytes = bytes;
    this.unsendable = unsendable;

    this.context = {
      clock: options.clock,
      redactor: createRedactor([auth.apiKey, auth.bearer].filter((secret): secret is string => secret !== undefined)),
      strictBodies: options.target.kind !== 'http',
      release: (exchange) => this.release(exchange),
    };

    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    // The sweep alone must not keep a process alive; in-flight sockets do.
    this.sweeper.unref();
  }

  /**
   * Opens connections so that `connections` requests can start at once on open
   * connections (idle ones count), up to the ceiling. Sends nothing. Resolves when
   * they are open or have failed; failures are not errors here (the requests
   * themselves record refused, dns, tls...).
   */
  async prepare(connections: number): Promise<void> {
    if (this.closed) return;
    this.payloads.warm();
    if (this.bytes !== null) {
      // Build the templates now, so the first request of each variant pays nothing.
      this.bytes.templateOf(this.payloads.get());
      for (const overrides of this.options.payloadVariants ?? []) {
        try {
          this.bytes.templateOf(this.payloads.get(overrides));
        } catch {
          // A variant that cannot be built fails its own requests when they are sent.
        }
      }
    }
    const busy = this.all.size - this.idle.length - this.opening;
    const usable = Math.min(connections, this.options.connections - busy);
    const needed = usable - this.idle.length - this.opening;
    if (needed <= 0) return;
    const started: LeanConnection[] = [];
    for (let index = 0; index < needed; index++) started.push(this.open());
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.closed || started.every((connection) => connection.usable || !this.all.has(connection))) {
          this.preparing.delete(check);
          resolve();
        }
      };
      this.preparing.add(check);
      check();
    });
  }

  send(request: SendRequest, signal: AbortSignal): Promise<RequestLine> {
    const clock = this.options.clock;
    const clientRequestId = this.requestIds.next();
    let payload: PreparedPayload;
    try {
      payload = this.payloads.get(request.payload);
    } catch (error) {
      // A variant that cannot be built (e.g. an impossible prompt size) fails this request, not the run.
      const exchange = new LeanExchange(this.context, request, UNBUILDABLE_PAYLOAD, clientRequestId, clock.now(), this.options.timeoutMs);
      exchange.fail(error instanceof Error ? error : new Error(String(error)));
      return exchange.line;
    }
    const exchange = new LeanExchange(this.context, request, payload, clientRequestId, clock.now(), this.options.timeoutMs);
    if (this.unsendable !== null) {
      exchange.fail(this.unsendable);
      return exchange.line;
    }
    if (signal.aborted || this.closed) {
      exchange.fail(new RequestAbortedError(this.closed ? 'the transport was closed' : undefined));
      return exchange.line;
    }
    this.inFlight.add(exchange, signal);
    const connection = this.idle.pop();
    if (connection !== undefined) {
      connection.start(exchange, this.bytes!.build(payload, clientRequestId), clock);
    } else {
      this.waiting.push(exchange);
      this.openForWaiting();
    }
    return exchange.line;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.inFlight.failAll(new RequestAbortedError('the transport was closed'));
    const closing = new Error('the transport was closed');
    for (const connection of [...this.all]) connection.destroy(closing);
    for (const check of [...this.preparing]) check();
  }

  onReady(connection: LeanConnection): void {
    this.opening--;
    this.onIdle(connection);
    this.notifyPreparing();
  }

  onIdle(connection: LeanConnection): void {
    if (this.closed) {
      connection.destroy(new Error('the transport was closed'));
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      connection.start(next, this.bytes!.build(next.payload, next.clientRequestId), this.options.clock);
      return;
    }
    connection.park();
    this.idle.push(connection);
  }

  onGone(connection: LeanConnection, error: Error, everReady: boolean): void {
    this.all.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    if (!everReady) {
      this.opening--;
      // The connection opened for the oldest waiting request failed: so does that request.
      this.waiting.shift()?.fail(error);
    }
    this.notifyPreparing();
    if (!this.closed) this.openForWaiting();
  }

  /** Opens connections for waiting requests not yet covered by one being opened, within the ceiling. */
  private openForWaiting(): void {
    while (this.waiting.length > this.opening && this.all.size < this.options.connections) this.open();
  }

  private open(): LeanConnection {
    const { secure, host, port, servername } = this.endpoint;
    const socket = secure
      ? tls.connect({ ...this.extras.tls, host, port, servername, ALPNProtocols: ['http/1.1'], rejectUnauthorized: true })
      : net.connect({ host, port });
    // Each request is one write; Nagle would hold the next burst's segments behind an ACK.
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const connection = new LeanConnection(socket, secure ? 'secureConnect' : 'connect', this, this.options.timeoutMs);
    this.all.add(connection);
    this.opening++;
    return connection;
  }

  private notifyPreparing(): void {
    for (const check of [...this.preparing]) check();
  }

  /** Fails every in-flight request past its deadline (see {@link SWEEP_INTERVAL_MS}). */
  private sweep(): void {
    if (this.inFlight.size === 0) return;
    const now = this.options.clock.now();
    const expired: LeanExchange[] = [];
    for (const exchange of this.inFlight.all) if (now >= exchange.deadlineMs) expired.push(exchange);
    if (expired.length === 0) return;
    const error = new RequestTimeoutError(this.options.timeoutMs);
    // Waiting ones first: failing a written one frees its slot, and no connection
    // should be opened for a request that is about to time out too.
    for (const exchange of expired) if (exchange.carrier === null) exchange.fail(error);
    for (const exchange of expired) exchange.fail(error);
  }

  private release(exchange: LeanExchange): void {
    this.inFlight.delete(exchange);
    if (exchange.carrier === null && this.waiting.length > 0) {
      // Given up while waiting for a connection: it must never be written.
      const index = this.waiting.indexOf(exchange);
      if (index !== -1) this.waiting.splice(index, 1);
    }
  }
}
