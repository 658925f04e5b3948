/**
 * One keep-alive HTTP/1.1 connection of the lean transport: a socket (plain TCP or
 * TLS) and its response parser, carrying one exchange at a time (no pipelining).
 *
 * Why http-parser-js: it is the maintained pure-JS HTTP/1.x parser that autocannon
 * (a devDependency here) and websocket libraries use; it handles Content-Length,
 * chunked and read-until-close bodies, keep-alive and interim 1xx answers, and is
 * synchronous, so a response's bytes become line fields in the same turn they
 * arrive. Node's own llhttp binding is internal (`process.binding`), and undici's
 * llhttp build is not exported; hand-writing a parser would be the riskiest part
 * of a transport. One parser is created per connection and reused for every answer.
 *
 * Caveats of the parser: header text is decoded as `ascii` (the high bit of a
 * non-ASCII byte is dropped; undici decodes latin1), which only matters for
 * non-ASCII header values, not seen in the recorded families. Nothing in this
 * process may read `HTTPParser.kOnExecute` (that switches the library to an older
 * callback form for every parser).
 */
import type { Socket } from 'node:net';
import { HTTPParser } from 'http-parser-js';
import type { Clock } from '../pacing/clock.js';
import type { ExchangeCarrier, LeanExchange } from './lean-exchange.js';

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** Connected (and TLS handshake done): ready for a first exchange. */
  onReady(connection: LeanConnection): void;
  /** An answer completed and the connection may carry another. */
  onIdle(connection: LeanConnection): void;
  /** The connection is gone; `error` says why, `everReady` whether it had connected. */
  onGone(connection: LeanConnection, error: Error, everReady: boolean): void;
}

/** The server closed, or the socket ended, before the answer was complete (Node's http uses the same code). */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up: the server closed the connection before the answer was complete'), { code: 'ECONNRESET' });
}

/** A connection could not be opened within the transport's timeout. */
function connectTimeout(timeoutMs: number): Error {
  return Object.assign(new Error(`could not connect within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
}

/** One socket and its parser; see the file comment. */
export class LeanConnection implements ExchangeCarrier {
  private current: LeanExchange | null = null;
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  private ready = false;
  private gone = false;
  /** The answer being parsed is an interim 1xx: its completion is not the exchange's. */
  private interim = false;
  /** Whether the final answer allows another request on this connection. */
  private keepAlive = true;

  /**
   * @param socket a socket being opened; `readyEvent` is `connect` for TCP, `secureConnect` for TLS.
   * @param connectTimeoutMs longest wait for the connection to open (one timer per connection, not per request).
   */
  constructor(
    readonly socket: Socket,
    readyEvent: 'connect' | 'secureConnect',
    private readonly owner: ConnectionOwner,
    connectTimeoutMs: number,
  ) {
    socket.setTimeout(connectTimeoutMs);
    socket.once('timeout', () => this.die(connectTimeout(connectTimeoutMs)));
    socket.once(readyEvent, () => {
      socket.setTimeout(0);
      this.ready = true;
      this.owner.onReady(this);
    });
    socket.on('data', (chunk: Buffer) => {
      const result = this.parser.execute(chunk);
      if (result instanceof Error) this.die(result);
    });
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.die(hangUp()));
    socket.on('error', (error: Error) => this.die(error));

    const parser = this.parser;
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      if (info.statusCode < 200) {
        this.interim = true;
        return 0;
      }
      const exchange = this.current;
      if (exchange === null) {
        // An answer nobody asked for: the connection's framing cannot be trusted any more.
        this.die(new Error(`an unsolicited ${info.statusCode} answer arrived on an idle connection`));
        return 0;
      }
      this.keepAlive = info.shouldKeepAlive;
      exchange.readHeaders(info.statusCode, info.headers);
      return 0;
    };
    parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
      this.current?.readBody(chunk.subarray(offset, offset + length));
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      if (this.interim) {
        this.interim = false;
        return;
      }
      const exchange = this.current;
      this.current = null;
      if (exchange !== null) {
        exchange.carrier = null;
        exchange.readComplete();
      }
      if (this.gone) return;
      if (this.keepAlive) this.owner.onIdle(this);
      else this.die(hangUp());
    };
  }

  /** True once connected and not gone. */
  get usable(): boolean {
    return this.ready && !this.gone;
  }

  /** True when it carries no exchange. */
  get free(): boolean {
    return this.current === null;
  }

  /**
   * Writes `bytes` for `exchange` now, synchronously: `sentMs` is read right before
   * the write, so it is the time the request left for the kernel.
   */
  start(exchange: LeanExchange, bytes: Buffer, clock: Clock): void {
    this.current = exchange;
    this.keepAlive = true;
    exchange.carrier = this;
    this.socket.ref();
    exchange.sentMs = clock.now();
    this.socket.write(bytes);
  }

  /** Marks an idle connection as not keeping the process alive. */
  park(): void {
    this.socket.unref();
  }

  abandon(exchange: LeanExchange): void {
    if (this.current !== exchange) return;
    this.current = null;
    this.die(new Error('the exchange was given up'));
  }

  /** Closes it, failing nothing (the exchanges are ended by the caller). */
  destroy(error: Error): void {
    this.current = null;
    this.die(error);
  }

  private onEnd(): void {
    // An answer read until the connection closes (no length, not chunked) ends here.
    if (this.current !== null) this.parser.finish();
    this.die(hangUp());
  }

  private die(error: Error): void {
    if (this.gone) return;
    this.gone = true;
    this.socket.destroy();
    const exchange = this.current;
    this.current = null;
    if (exchange !== null) {
      exchange.carrier = null;
      exchange.fail(error);
    }
    this.owner.onGone(this, error, this.ready);
  }
}
