/**
 * A small HTTP server on 127.0.0.1, port 0, for the transport tests: it counts
 * connections, captures every request (method, URL, headers, body, connection id)
 * and answers with a handler the test chooses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
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
  /** Connections accepted so far (barrier connections not counted). */
  connections: number;
  /** Connections open right now (barrier connections not counted). */
  openSockets: number;
  requests: CapturedRequest[];
  server: Server;
  setHandler(handler: Handler): void;
  /** Resolves once every connection a client opened before the call has been accepted (see {@link connectionBarrier}). */
  barrier(): Promise<void>;
  /**
   * Resolves once every connection has ended on the server side. After a client closed
   * its connections, this means the server has read all it was sent: whatever a test
   * then finds missing in `requests` was never written.
   */
  drained(timeoutMs?: number): Promise<void>;
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
  const barrierPorts = new Set<number>();
  server.on('connection', (socket: Socket) => {
    if (socket.remotePort !== undefined && barrierPorts.has(socket.remotePort)) return;
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
    get openSockets() {
      return sockets.size;
    },
    requests: state.requests,
    server,
    setHandler(next) {
      current = next;
    },
    barrier: () => connectionBarrier(server, port, barrierPorts),
    drained: (timeoutMs = 5000) => waitUntil(() => sockets.size === 0, 'every connection to end on the server side', timeoutMs),
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
 * Waits until `condition` holds, checking every 5 ms; throws after `timeoutMs`. For
 * counts the server side of loopback reaches a few event-loop turns after the client.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Opens one more connection to `server` and resolves when the server has accepted it,
 * then closes it. Why this tells "nothing more is coming": the kernel queues completed
 * connections in arrival order and node accepts them in that order, so once a
 * connection opened now is accepted, every connection a client opened before it has
 * been accepted too, and counted. An extra, unexpected connection therefore shows up
 * in the assertion after the barrier, without a fixed wait. `ignoredPorts` receives the
 * barrier's local port before it connects, so a server that counts connections can
 * leave it out.
 */
export async function connectionBarrier(server: NetServer, port: number, ignoredPorts?: Set<number>): Promise<void> {
  // The barrier's own port is fixed before it connects, so the server can recognise it
  // whichever of the two sides' callbacks runs first.
  const localPort = await closedPort();
  ignoredPorts?.add(localPort);
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort });
      const onConnection = (accepted: Socket): void => {
        if (accepted.remotePort !== localPort) return;
        server.off('connection', onConnection);
        accepted.destroy();
        socket.destroy();
        resolve();
      };
      server.prependListener('connection', onConnection);
      socket.once('error', (error) => {
        server.off('connection', onConnection);
        reject(error);
      });
    });
  } finally {
    ignoredPorts?.delete(localPort);
  }
}

/**
 * Waits until `condition` holds, then until every connection opened so far has reached
 * `server` (a {@link connectionBarrier}), so that an extra, unexpected connection or
 * request would show up in the assertion that follows.
 */
export async function settle(server: TestServer, condition: () => boolean, what = 'the expected connections'): Promise<void> {
  await waitUntil(condition, what);
  await server.barrier();
}
