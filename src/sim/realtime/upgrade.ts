/**
 * The HTTP `upgrade` handler of the simulator: the realtime paths of Azure
 * (`/openai/realtime?api-version=…&deployment=…`, `/openai/v1/realtime?model=…`),
 * Azure Voice Live (`/voice-live/realtime?api-version=…&model=…`, the same event
 * protocol) and OpenAI (`/v1/realtime?model=…`) on the same server as the HTTP API.
 *
 * The order is the service's: unknown path (404) → key (401) → missing
 * deployment or model (400) → the open rate and the session cap, refused here
 * with an HTTP 429 when their style is `handshake` (with `retry-after`) or
 * `handshake-bare` (without), or after the upgrade in any other style.
 *
 * A refusal is written on the raw socket before the upgrade, as the `ws` README
 * shows for a 401: the client's `unexpected-response` then sees the status,
 * headers and JSON body.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { RealtimeLimits } from './limits.js';
import { RealtimeSession, type SessionContext } from './session.js';
import type { RealtimeSettings } from './settings.js';

/** The paths that speak realtime. */
export const REALTIME_PATHS: readonly string[] = ['/openai/realtime', '/openai/v1/realtime', '/v1/realtime', '/voice-live/realtime'];

/** The paths that require an `api-version` in the query. */
const VERSIONED_PATHS: readonly string[] = ['/openai/realtime', '/voice-live/realtime'];

/** What the upgrade handler needs of the simulator's settings. */
export interface UpgradeSettings {
  realtime: RealtimeSettings;
  region: string;
  apiKey: string | undefined;
  requireKey: boolean;
  clock: () => number;
  log: ((line: string) => void) | undefined;
}

/** Accepts or refuses WebSocket upgrades; holds the realtime limits and the open sessions. */
export class RealtimeUpgrades {
  readonly limits: RealtimeLimits;
  /** The WebSocket server, made on the first upgrade that is let through (see {@link webSocketServer}). */
  private server: WebSocketServer | null = null;
  private readonly sockets = new Set<WebSocket>();
  private readonly context: SessionContext;
  private sessionCount = 0;
  /** The extra 101 headers of each upgrade in progress (x-ms-region, apim-request-id). */
  private readonly upgradeHeaders = new WeakMap<IncomingMessage, Record<string, string>>();

  constructor(private readonly settings: UpgradeSettings) {
    this.limits = new RealtimeLimits(settings.realtime);
    this.context = {
      limits: this.limits,
      clock: settings.clock,
      epochMs: () => Date.now(),
      schedule(delayMs, action) {
        const timer = setTimeout(action, delayMs);
        timer.unref();
        return () => clearTimeout(timer);
      },
    };
  }

  /**
   * The `ws` server, created on the first upgrade it accepts. Why lazily: ws is 14
   * modules (~40 ms wall, ~65 ms CPU to load on the 2-core test machine), and every
   * simulator loads this file (the embedded one of each HTTP run, on its own thread,
   * included) while only realtime runs upgrade. Why with `require`:
   * `handle` is node:http's synchronous upgrade listener, and ws is a CommonJS package
   * whose ESM entry wraps the same modules.
   */
  private webSocketServer(): WebSocketServer {
    if (this.server === null) {
      const ws = createRequire(import.meta.url)('ws') as typeof import('ws');
      this.server = new ws.WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
      this.server.on('headers', (lines, request) => {
        for (const [name, value] of Object.entries(this.upgradeHeaders.get(request) ?? {})) lines.push(`${name}: ${value}`);
      });
    }
    return this.server;
  }

  /** The node:http `upgrade` listener. */
  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const target = request.url ?? '/';
    const question = target.indexOf('?');
    const path = (question === -1 ? target : target.slice(0, question)).replace(/\/+$/, '');
    const query = new URLSearchParams(question === -1 ? '' : target.slice(question + 1));
    const requestId = randomUUID();
    const headers: Record<string, string> = { 'x-ms-region': this.settings.region, 'apim-request-id': requestId };

    if (!REALTIME_PATHS.includes(path)) {
      return this.refuse(socket, 404, 'Not Found', headers, { error: { code: '404', message: 'Resource not found' } });
    }
    const key = this.keyOf(request, query);
    if ((this.settings.requireKey && key === undefined) || (this.settings.apiKey !== undefined && key !== this.settings.apiKey)) {
      return this.refuse(socket, 401, 'Unauthorized', headers, {
        error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' },
      });
    }
    const model = path === '/openai/realtime' ? query.get('deployment') : query.get('model') ?? query.get('deployment');
    if (model === null || model === '') {
      const needed = path === '/openai/realtime' ? 'deployment' : 'model';
      return this.refuse(socket, 400, 'Bad Request', headers, { error: { code: 'missing_parameter', message: `The query parameter '${needed}' is required.` } });
    }
    if (VERSIONED_PATHS.includes(path) && (query.get('api-version') ?? '') === '') {
      return this.refuse(socket, 400, 'Bad Request', headers, { error: { code: 'missing_parameter', message: "The query parameter 'api-version' is required." } });
    }

    const decision = this.limits.openSession(this.settings.clock());
    if (!decision.admitted && (decision.style === 'handshake' || decision.style === 'handshake-bare')) {
      if (decision.style === 'handshake') headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
      const what = decision.limit === 'open' ? 'new connections per minute' : 'concurrent sessions';
      this.log(`upgrade ${path} 429 (${decision.limit})`);
      return this.refuse(socket, 429, 'Too Many Requests', headers, {
        error: { code: '429', message: `Requests to the realtime API have exceeded the ${what} limit of your current pricing tier. Please retry later.` },
      });
    }

    this.upgradeHeaders.set(request, headers);
    this.webSocketServer().handleUpgrade(request, socket, head, (webSocket) => {
      this.sessionCount++;
      const id = `sess_${String(this.sessionCount).padStart(6, '0')}`;
      this.sockets.add(webSocket);
      const session = new RealtimeSession(
        id,
        model,
        {
          send: (event) => {
            if (webSocket.readyState === webSocket.OPEN) webSocket.send(JSON.stringify(event));
          },
          close: (code, reason) => webSocket.close(code, reason),
        },
        this.context,
        decision,
      );
      webSocket.on('message', (data, isBinary) => {
        if (!isBinary) session.receive(data.toString());
      });
      webSocket.on('close', () => {
        this.sockets.delete(webSocket);
        session.ended();
      });
      webSocket.on('error', () => webSocket.terminate());
      this.log(`upgrade ${path} 101 ${id}${decision.admitted ? '' : ` refused (${decision.limit}, ${decision.style})`}`);
      session.start();
    });
  }

  /** Ends every session at once (the simulator is closing). */
  stop(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    this.server?.close();
  }

  private keyOf(request: IncomingMessage, query: URLSearchParams): string | undefined {
    const apiKey = request.headers['api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
    const authorization = request.headers.authorization;
    const match = typeof authorization === 'string' ? /^Bearer\s+(\S.*)$/i.exec(authorization) : null;
    if (match) return match[1]!;
    const fromQuery = query.get('api-key');
    return fromQuery === null || fromQuery === '' ? undefined : fromQuery;
  }

  private refuse(socket: Duplex, status: number, text: string, headers: Record<string, string>, body: unknown): void {
    const json = JSON.stringify(body);
    const lines = [`HTTP/1.1 ${status} ${text}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(json)}`, 'connection: close'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    socket.end(`${lines.join('\r\n')}\r\n\r\n${json}`);
    if (status !== 429) this.log(`upgrade ${status}`);
  }

  private log(line: string): void {
    this.settings.log?.(line);
  }
}
