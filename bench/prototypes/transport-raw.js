/**
 * Prototype transport (HTTP/1.1 over plain TCP only, no TLS, no streaming): what a lean
 * write path gains over undici, on the same runner, writer and payloads as the product.
 *
 * What it does differently from dist/run/transport.js, each a "known-good" technique:
 * - requests are pre-serialised: one Buffer per payload with the request line, headers and
 *   body, and only the 36-character client request id copied in per request;
 * - `send()` writes to an already-open socket synchronously, inside the runner's loop, so
 *   a burst's N writes happen in one tick (undici 7.30 defers the first write on a reused
 *   idle socket by one setImmediate and does its per-request work in that deferred turn);
 * - prepare(n) opens the sockets, and the parser of each connection is created once, not
 *   per request;
 * - no timer per request: one sweep every 250 ms fails the exchanges past their deadline;
 * - responses are parsed by http-parser-js (the maintained pure-JS parser autocannon uses),
 *   keeping only recorded headers, the error body and `usage`, with the product's own
 *   helpers (header-names, http-response, payload) so lines are the same.
 *
 * Not a product: no TLS, no proxies, no SSE, no pipelining. Evidence for a recommendation.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { HTTPParser } = require('http-parser-js');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const load = (relative) => import(pathToFileURL(path.join(repoRoot, relative)).href);
const { isRecordedHeader } = await load('dist/record/header-names.js');
const { errorFieldsOf, usageOfJsonBody } = await load('dist/run/http-response.js');
const { PayloadCatalog } = await load('dist/run/payload.js');

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SWEEP_MS = 250;

export function createTransport(options) {
  return new RawTransport(options);
}

class RawTransport {
  constructor(options) {
    this.options = options;
    this.clock = options.clock;
    const url = new URL(options.target.url);
    if (url.protocol !== 'http:') throw new Error('transport-raw prototype: http:// only');
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.payloads = new PayloadCatalog(options.payload, { endpoint: 'chat', fallbackModel: url.pathname.includes('/deployments/') ? null : options.target.deployment });
    this.payloads.warm(options.payloadVariants ?? []);
    const head = [
      `POST ${url.pathname}${url.search} HTTP/1.1`,
      `host: ${url.host}`,
      'content-type: application/json',
      `user-agent: ${options.userAgent ?? 'aoai-probe'}`,
      ...(options.target.auth?.apiKey ? [`api-key: ${options.target.auth.apiKey}`] : []),
    ].join('\r\n');
    this.headPrefix = `${head}\r\nx-ms-client-request-id: `;
    this.templates = new WeakMap();
    const random = Math.random().toString(16).slice(2, 10).padEnd(8, '0');
    this.idPrefix = `${random}-0000-4000-8000-`;
    this.counter = 0;
    this.idle = [];
    this.all = new Set();
    this.waiting = [];
    this.inFlight = new Set();
    this.closed = false;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    this.abortGroups = new WeakMap();
  }

  /** The request bytes of a payload, with a 36-byte hole for the request id. */
  template(payload) {
    let template = this.templates.get(payload);
    if (!template) {
      const before = Buffer.from(this.headPrefix, 'latin1');
      const after = Buffer.concat([Buffer.from(`\r\ncontent-length: ${payload.body.length}\r\n\r\n`, 'latin1'), payload.body]);
      template = { before, after, length: before.length + 36 + after.length };
      this.templates.set(payload, template);
    }
    return template;
  }

  async prepare(connections) {
    this.payloads.warm();
    const missing = connections - this.idle.length;
    if (missing > 0) await Promise.all(Array.from({ length: missing }, () => this.open().then((connection) => this.release(connection), () => undefined)));
  }

  open() {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      const connection = new Connection(this, socket);
      socket.once('connect', () => resolve(connection));
      socket.once('error', (error) => {
        connection.fail(error);
        reject(error);
      });
      this.all.add(connection);
    });
  }

  release(connection) {
    if (connection.dead || this.closed) return;
    const next = this.waiting.shift();
    if (next) connection.start(next);
    else this.idle.push(connection);
  }

  send(request, signal) {
    const payload = this.payloads.get(request.payload);
    const id = this.idPrefix + (this.counter++).toString(16).padStart(12, '0');
    const exchange = new Exchange(this, request, payload, id);
    if (signal.aborted || this.closed) {
      exchange.finish('aborted', { code: null, message: 'aborted', type: null });
      return exchange.line;
    }
    this.track(exchange, signal);
    const connection = this.idle.pop();
    if (connection) connection.start(exchange);
    else {
      this.waiting.push(exchange);
      this.open().then((opened) => this.release(opened), () => {
        const index = this.waiting.indexOf(exchange);
        if (index >= 0) this.waiting.splice(index, 1);
        exchange.finish('refused', { code: 'ECONNREFUSED', message: 'connection refused', type: null });
      });
    }
    return exchange.line;
  }

  track(exchange, signal) {
    this.inFlight.add(exchange);
    let group = this.abortGroups.get(signal);
    if (!group) {
      const members = new Set();
      group = members;
      this.abortGroups.set(signal, members);
      signal.addEventListener('abort', () => {
        for (const member of [...members]) member.abort();
      }, { once: true });
    }
    group.add(exchange);
    exchange.group = group;
  }

  sweep() {
    const now = this.clock.now();
    for (const exchange of this.inFlight) if (now > exchange.deadline) exchange.timeout();
  }

  async close() {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const exchange of [...this.inFlight]) exchange.abort();
    for (const connection of this.all) connection.socket.destroy();
  }
}

/** One keep-alive connection with its parser, carrying one exchange at a time. */
class Connection {
  constructor(transport, socket) {
    this.transport = transport;
    this.socket = socket;
    this.exchange = null;
    this.dead = false;
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser[HTTPParser.kOnHeadersComplete] = (info) => this.exchange?.onHeaders(info.statusCode, info.headers);
    parser[HTTPParser.kOnBody] = (chunk, start, length) => this.exchange?.onBody(chunk, start, length);
    parser[HTTPParser.kOnMessageComplete] = () => {
      const exchange = this.exchange;
      this.exchange = null;
      exchange?.complete();
      this.transport.release(this);
    };
    this.parser = parser;
    socket.on('data', (chunk) => {
      const error = parser.execute(chunk);
      if (error instanceof Error) this.fail(error);
    });
    socket.on('close', () => this.fail(Object.assign(new Error('socket closed'), { code: 'ECONNRESET' })));
    socket.on('error', (error) => this.fail(error));
  }

  start(exchange) {
    this.exchange = exchange;
    exchange.connection = this;
    const template = this.transport.template(exchange.payload);
    const bytes = Buffer.allocUnsafe(template.length);
    template.before.copy(bytes, 0);
    bytes.latin1Write(exchange.clientRequestId, template.before.length);
    template.after.copy(bytes, template.before.length + 36);
    exchange.sentMs = this.transport.clock.now();
    this.socket.write(bytes);
  }

  fail(error) {
    if (this.dead) return;
    this.dead = true;
    this.transport.all.delete(this);
    const index = this.transport.idle.indexOf(this);
    if (index >= 0) this.transport.idle.splice(index, 1);
    const exchange = this.exchange;
    this.exchange = null;
    exchange?.finish(error.code === 'ECONNREFUSED' ? 'refused' : 'reset', { code: error.code ?? null, message: error.message, type: null });
    this.socket.destroy();
  }
}

/** One request and its answer, filling a RequestLine like the product's transport does. */
class Exchange {
  constructor(transport, request, payload, clientRequestId) {
    this.transport = transport;
    this.request = request;
    this.payload = payload;
    this.clientRequestId = clientRequestId;
    this.sentMs = transport.clock.now();
    this.deadline = this.sentMs + transport.options.timeoutMs;
    this.firstByteMs = null;
    this.status = null;
    this.headers = {};
    this.chunks = [];
    this.bytes = 0;
    this.settled = false;
    this.connection = null;
    this.group = null;
    this.line = new Promise((resolve) => { this.resolve = resolve; });
  }

  onHeaders(status, raw) {
    this.firstByteMs = this.transport.clock.now();
    this.status = status;
    for (let index = 0; index + 1 < raw.length; index += 2) {
      const name = raw[index].toLowerCase();
      if (!isRecordedHeader(name)) continue;
      const previous = this.headers[name];
      this.headers[name] = previous === undefined ? raw[index + 1] : `${previous}, ${raw[index + 1]}`;
    }
    return 0;
  }

  onBody(chunk, start, length) {
    if (this.bytes + length > MAX_BODY_BYTES) return;
    this.chunks.push(chunk.subarray(start, start + length));
    this.bytes += length;
  }

  complete() {
    const text = this.chunks.length === 1 ? this.chunks[0].toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    if (this.status >= 200 && this.status < 300) {
      let usage = null;
      try {
        usage = usageOfJsonBody(text);
      } catch {
        this.finish('bad-body', { code: null, message: 'body is not JSON', type: null });
        return;
      }
      this.finish(null, null, usage);
      return;
    }
    this.finish(this.status === 429 || this.status === 503 ? null : 'http', errorFieldsOf(text));
  }

  timeout() {
    this.finish('timeout', { code: null, message: 'timed out', type: null });
    this.connection?.socket.destroy();
  }

  abort() {
    this.finish('aborted', { code: null, message: 'aborted', type: null });
    this.connection?.socket.destroy();
  }

  finish(errorKind, error, usage = null) {
    if (this.settled) return;
    this.settled = true;
    this.transport.inFlight.delete(this);
    this.group?.delete(this);
    const request = this.request;
    this.resolve({
      type: 'request',
      seq: request.seq,
      phase: request.phase,
      target: request.target,
      plannedMs: request.plannedMs,
      sentMs: this.sentMs,
      firstByteMs: this.firstByteMs,
      doneMs: this.transport.clock.now(),
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
}
