/**
 * A small HTTP server on 127.0.0.1, port 0, for the transport tests: it counts
 * connections, captures every request (method, URL, headers, body, connection id)
 * and answers with a handler the test chooses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock } from '../../src/run/pacing/clock.js';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  connection: number;
}

export type Handler = (request: CapturedRequest, response: ServerResponse) => void;

export interface TestServer {
  url: string;
  port: number;
  connections: number;
  requests: CapturedRequest[];
  server: Server;
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

export async function startTestServer(handler: Handler = okHandler): Promise<TestServer> {
  let current = handler;
  const connectionIds = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: [] as CapturedRequest[] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const captured: CapturedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection: connectionIds.get(request.socket) ?? -1,
      };
      state.requests.push(captured);
      current(captured, response);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    connectionIds.set(socket, state.connections++);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    server,
    setHandler(next) {
      current = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A chat completion answer with Azure-like headers. */
export function okHandler(request: CapturedRequest, response: ServerResponse): void {
  const body = JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
  });
  response.writeHead(200, {
    'content-type': 'application/json',
    'x-ratelimit-remaining-requests': '49',
    'x-ratelimit-remaining-tokens': '49352',
    'x-ms-region': 'East US',
    'apim-request-id': 'a1b2c3d4-0000-4000-8000-000000000001',
    'x-ms-client-request-id': String(request.headers['x-ms-client-request-id'] ?? ''),
    'set-cookie': 'session=abc',
    'x-envoy-upstream-service-time': '12',
  });
  response.end(body);
}

/** A clock far from zero, so a test can tell its readings from anything else. */
export function offsetClock(offsetMs = 1_000_000): Clock {
  const start = performance.now();
  return {
    now: () => offsetMs + performance.now() - start,
    sleepUntil: async () => undefined,
  };
}

/** A port on 127.0.0.1 where nothing listens (opened, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Waits until `condition` holds (the server side of loopback sees connections a
 * few event-loop turns after the client does), then a little longer so that an
 * extra, unexpected connection or request would show up in the assertion.
 */
export async function settle(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 30));
}
