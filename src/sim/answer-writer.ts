/**
 * Writes answers: whole, in two slow halves, or as paced SSE events; delays
 * them (latency, pacing) on timers that `stop()` cancels; turns an unexpected
 * exception into a 500 for that request alone; and logs one line per request.
 */
import type { ServerResponse } from 'node:http';
import type { StreamEvents } from './bodies/success.js';
import type { Exchange } from './exchange.js';
import type { SimulatorSettings } from './options.js';
import type { ServedRecorder } from './replay/served-recorder.js';

/** The answer side of the simulator, shared by all requests of one server. */
export class AnswerWriter {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** Set once the server listens with `--record-to`: every answer is written down. */
  recorder: ServedRecorder | undefined;

  constructor(private readonly settings: SimulatorSettings) {}

  /** Cancels pending (delayed or paced) answers; called on close. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Runs `action` after `delayMs` (at once when 0), unless the server stops first. */
  later(delayMs: number, exchange: Exchange, action: () => void): void {
    if (delayMs <= 0) return this.guarded(exchange.response, action);
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.guarded(exchange.response, action);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Runs `action`; an exception becomes a 500 for this request. */
  guarded(response: ServerResponse, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.internalError(response, error);
    }
  }

  /**
   * A bug must cost one request, not the server (an exception in a request
   * listener would end the process): answer 500 if nothing was sent yet, else cut
   * the connection, and say what happened in the log.
   */
  internalError(response: ServerResponse, error: unknown): void {
    this.settings.log?.(`simulator internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (response.destroyed) return;
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'The simulator failed on this request.' } }));
  }

  /** A whole answer. */
  send(exchange: Exchange, status: number, headers: Record<string, string>, body: string, note: string): void {
    const { response } = exchange;
    if (response.destroyed) return;
    const all = Object.assign(exchange.baseHeaders, headers);
    all['content-length'] = String(Buffer.byteLength(body));
    response.writeHead(status, all);
    this.observe(exchange, status, all, status >= 400 ? body : undefined);
    response.end(body);
    this.log(exchange, status, note);
  }

  /** `slow-body`: the headers and the first half now, the rest `slowBodyMs` later. */
  sendSlowly(exchange: Exchange, headers: Record<string, string>, body: string, note: string): void {
    const { response } = exchange;
    if (response.destroyed) return;
    const bytes = Buffer.from(body, 'utf8');
    const all = Object.assign(exchange.baseHeaders, headers);
    all['content-length'] = String(bytes.length);
    response.writeHead(200, all);
    this.observe(exchange, 200, all, undefined);
    const half = Math.floor(bytes.length / 2);
    response.write(bytes.subarray(0, half));
    this.later(this.settings.slowBodyMs, exchange, () => {
      if (!response.destroyed) response.end(bytes.subarray(half));
    });
    this.log(exchange, 200, note);
  }

  /**
   * Streams SSE events: those before the first token (Azure's prompt-filter
   * chunk, the role chunk), the token chunks, then the rest (finish, usage,
   * DONE). Unpaced: all at once. Paced (`paceMs`, default 1/tokensPerSecond s):
   * the leading events at once, then one token chunk every `paceMs`, then the
   * rest right after the last token.
   */
  stream(exchange: Exchange, headers: Record<string, string>, stream: StreamEvents, note: string, paceMs?: number): void {
    const { response } = exchange;
    if (response.destroyed) return;
    const { events, firstToken, tokens } = stream;
    const all = Object.assign(exchange.baseHeaders, headers);
    all['content-type'] = 'text/event-stream; charset=utf-8';
    all['cache-control'] = 'no-cache';
    response.writeHead(200, all);
    this.observe(exchange, 200, all, undefined);
    this.log(exchange, 200, note);
    const tokensPerSecond = this.settings.tokensPerSecond;
    const pace = paceMs ?? (tokensPerSecond === undefined ? undefined : 1000 / tokensPerSecond);
    if (pace === undefined || pace <= 0 || tokens === 0) {
      response.end(events.join(''));
      return;
    }
    const afterLastToken = firstToken + tokens;
    response.write(events.slice(0, firstToken).join(''));
    let next = firstToken;
    const step = (): void => {
      if (response.destroyed) return;
      response.write(events[next++]!);
      if (next < afterLastToken) this.later(pace, exchange, step);
      else response.end(events.slice(next).join(''));
    };
    this.later(pace, exchange, step);
  }

  /** A dropped connection (the `reset` fault): no answer at all. */
  reset(exchange: Exchange, note: string): void {
    this.log(exchange, 0, note);
    this.recorder?.served({ ...this.servedFacts(exchange), firstByteAt: null, doneAt: performance.now(), status: null, headers: {}, errorBody: undefined });
    exchange.request.socket.destroy();
  }

  /** With `--record-to`: the answer's head has just been written; its end is recorded when the response closes. */
  private observe(exchange: Exchange, status: number, headers: Record<string, string>, errorBody: string | undefined): void {
    const recorder = this.recorder;
    if (recorder === undefined) return;
    const firstByteAt = performance.now();
    const facts = this.servedFacts(exchange);
    exchange.response.once('close', () => recorder.served({ ...facts, firstByteAt, doneAt: performance.now(), status, headers: { ...headers }, errorBody }));
  }

  private servedFacts(exchange: Exchange): { arrivedAt: number; usage: NonNullable<Exchange['usage']> | null; charge: number; maxTokens: number | null; clientRequestId: string } {
    const clientRequestId = exchange.request.headers['x-ms-client-request-id'];
    return {
      arrivedAt: exchange.arrivedAt,
      usage: exchange.usage ?? null,
      charge: exchange.charge ?? 0,
      maxTokens: exchange.maxTokens ?? null,
      clientRequestId: typeof clientRequestId === 'string' ? clientRequestId : '',
    };
  }

  /**
   * One line per request: time, method, path (no query: it may hold a key),
   * status, deployment, outcome and charge, the limits left, the time taken.
   */
  private log(exchange: Exchange, status: number, note: string): void {
    const log = this.settings.log;
    if (log === undefined) return;
    const headers = exchange.baseHeaders;
    const details = ['x-ratelimit-remaining-requests', 'x-ratelimit-remaining-tokens', 'x-ratelimit-remaining', 'azure-openai-deployment-utilization', 'retry-after-ms']
      .filter((name) => headers[name] !== undefined)
      .map((name) => ` ${name.replace('x-ratelimit-', '').replace('azure-openai-deployment-', '')}=${headers[name]}`)
      .join('');
    const elapsed = (performance.now() - exchange.startedMs).toFixed(1);
    log(`${new Date().toISOString()} ${exchange.request.method ?? '?'} ${exchange.path} ${status === 0 ? 'reset' : status} ${exchange.deployment ?? '-'} ${note}${details} ${elapsed}ms`);
  }
}
