/**
 * Misbehaving (and well-behaved) HTTP servers on 127.0.0.1, port 0, for the trust
 * tests. Each request is read in full, captured (path, headers, the client request
 * id) and handed to the test's handler with its index, so a handler can cycle
 * through behaviours and the test can check the recording request by request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The Azure classic path: a target at it is kind "azure", whose bodies must honour the format. */
export const AZURE_PATH = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';

/** One request as the server saw it. */
export interface ReceivedRequest {
  index: number;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  clientRequestId: string | null;
}

export type Handler = (request: ReceivedRequest, response: ServerResponse) => void;

/** A running server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a server that hands every request to `handler`. */
export async function startServer(handler: Handler): Promise<LoopbackServer> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = request.headers['x-ms-client-request-id'];
      const captured: ReceivedRequest = {
        index: received.length,
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientRequestId: typeof id === 'string' ? id : null,
      };
      received.push(captured);
      handler(captured, response);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A chat completion, as Azure answers it. */
export function answerOk(response: ServerResponse, extraHeaders: Record<string, string> = {}): void {
  const body = JSON.stringify({
    id: 'chatcmpl-trust',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
  });
  response.writeHead(200, { 'content-type': 'application/json', 'x-ms-region': 'East US', ...extraHeaders });
  response.end(body);
}

/** The ways a server can misbehave, each with the errorKind the recording must show. */
export const FAULTS = {
  /** Closes the connection instead of answering. */
  'reset before the answer': { errorKind: 'reset', handle: (_request: ReceivedRequest, response: ServerResponse) => response.socket?.destroy() },
  /** Sends the head and part of the body, then closes. */
  'reset mid-body': {
    errorKind: 'reset',
    handle: (_request: ReceivedRequest, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      response.write('{"id":"chatcmpl-cut","choices":[');
      setTimeout(() => response.socket?.destroy(), 20);
    },
  },
  /** Accepts the request and never answers (the client's --timeout must end it). */
  'never answers': { errorKind: 'timeout', handle: () => undefined },
  /** A 200 labelled JSON whose body is not JSON. */
  'invalid JSON': {
    errorKind: 'bad-body',
    handle: (_request: ReceivedRequest, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id": "chatcmpl-broken", "choices": [ <<< garbage');
    },
  },
  /** A 200 HTML page where a chat completion was promised (a captive portal, a misrouted gateway). */
  'HTML instead of JSON': {
    errorKind: 'bad-body',
    handle: (_request: ReceivedRequest, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><html><body><h1>Welcome</h1></body></html>');
    },
  },
  /** A gateway's HTML error page. */
  'HTML 502 page': {
    errorKind: 'http',
    handle: (_request: ReceivedRequest, response: ServerResponse) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
    },
  },
  /** An event stream that ends without its [DONE] marker. */
  'truncated SSE stream': {
    errorKind: 'bad-body',
    handle: (_request: ReceivedRequest, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"id":"chatcmpl-s","choices":[{"index":0,"delta":{"content":"o"}}]}\n\n');
      response.end('data: {"id":"chatcmpl-s","choices":[{"index":0,"delta":{"con');
    },
  },
  /** An internal server error with an Azure-style JSON body. */
  '500 with a JSON body': {
    errorKind: 'http',
    handle: (_request: ReceivedRequest, response: ServerResponse) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'The server had an error while processing your request.' } }));
    },
  },
} as const;

export type FaultName = keyof typeof FAULTS;
