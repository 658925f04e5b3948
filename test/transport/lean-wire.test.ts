/**
 * What only the lean transport has to get right itself, because it speaks HTTP/1.1
 * on its own sockets: body framings (chunked, read until close), connections the
 * server closes, TLS (a self-signed server refused; a trusted one used with
 * keep-alive), writes made synchronously inside send(), requests waiting for a
 * connection, unsendable headers, and the transport choice.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { createLeanTransport, type LeanTransportExtras } from '../../src/run/transport/lean-transport.js';
import { DEFAULT_TRANSPORT_KIND, createTransportFor, isTransportKind, resolveTransportKind } from '../../src/run/transport/transport-choice.js';
import type { HttpTransport, TransportOptions } from '../../src/run/transport/transport.js';
import type { TargetSpec } from '../../src/run/types.js';
import { connectionBarrier, offsetClock, okHandler, settle, waitUntil } from './test-server.js';
import { API_KEY, azureTarget, chat, never, request, testOptions, useTransportHarness } from './transport-harness.js';

const USAGE_BODY = JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } });

const harness = useTransportHarness((options) => createLeanTransport(options));
const server = harness.server;

/** A TCP server on 127.0.0.1 that answers each request's bytes with `answer(socket)`; counts connections. */
async function rawServer(answer: (socket: Socket) => void): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const raw: NetServer = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      // One request per connection is all these tests send before answering.
      if (seen.includes('\r\n\r\n') && seen.endsWith('}')) {
        seen = '';
        answer(socket);
      }
    });
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  harness.ownServer({
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => raw.close(() => resolve()));
    },
  });
  return { url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, connections: () => connections };
}

function lean(target: TargetSpec, changes: Partial<TransportOptions> = {}, extras: LeanTransportExtras = {}): HttpTransport {
  return harness.ownTransport(createLeanTransport(testOptions(target, changes), extras));
}

describe('lean transport: body framings', () => {
  it('reads a chunked 200 (split across writes) and its usage; a chunked 429 keeps its fields', async () => {
    const target = await server((received, response) => {
      const refused = received.url.includes('refused');
      // No content-length: node:http sends it chunked.
      response.writeHead(refused ? 429 : 200, { 'content-type': 'application/json', 'retry-after': '2' });
      const body = refused ? JSON.stringify({ error: { code: '429', message: 'slow down' } }) : USAGE_BODY;
      response.write(body.slice(0, 10));
      setTimeout(() => response.end(body.slice(10)), 5);
    });
    const transport = lean(azureTarget(target.url), { connections: 1 });
    const ok = await transport.send(request(), never);
    expect(ok).toMatchObject({ status: 200, errorKind: null, usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 } });
    const refused = await lean({ ...azureTarget(target.url), url: `${target.url}/refused` }).send(request(), never);
    expect(refused).toMatchObject({ status: 429, errorKind: null, error: { code: '429', message: 'slow down' }, headers: { 'retry-after': '2' } });
    // The chunked answer was read to its end: the same connection carries the next request.
    expect(await transport.send(request(), never)).toMatchObject({ status: 200, errorKind: null });
    expect(target.connections).toBe(2);
  });

  it('reads an answer without length until the server closes; the next request opens a new connection', async () => {
    const target = await rawServer((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-ratelimit-remaining-requests: 8\r\n\r\n${USAGE_BODY}`);
    });
    const transport = lean(azureTarget(target.url), { connections: 1 });
    for (let index = 0; index < 2; index++) {
      const line = await transport.send(request(), never);
      expect(line).toMatchObject({ status: 200, errorKind: null, usage: { totalTokens: 10 }, headers: { 'x-ratelimit-remaining-requests': '8' } });
    }
    expect(target.connections()).toBe(2);
  });

  it('an answer with connection: close is whole, and its connection is not reused', async () => {
    const target = await server((received, response) => {
      response.setHeader('connection', 'close');
      okHandler(received, response);
    });
    const transport = lean(azureTarget(target.url));
    expect(await transport.send(request(), never)).toMatchObject({ status: 200, errorKind: null });
    expect(await transport.send(request(), never)).toMatchObject({ status: 200, errorKind: null });
    expect(target.connections).toBe(2);
  });

  it('a connection closed before any answer → reset', async () => {
    const target = await rawServer((socket) => socket.end());
    const line = await lean(azureTarget(target.url)).send(request(), never);
    expect(line).toMatchObject({ status: null, errorKind: 'reset', error: { code: 'ECONNRESET' } });
  });

  it('garbage instead of an HTTP answer → other, with the parser code', async () => {
    const target = await rawServer((socket) => socket.write('SMTP ready\r\n\r\n'));
    const line = await lean(azureTarget(target.url)).send(request(), never);
    expect(line).toMatchObject({ status: null, errorKind: 'other', error: { code: 'HPE_INVALID_CONSTANT' } });
  });
});

describe('lean transport: the write path', () => {
  it('after prepare(n), a burst of n is written inside the send loop, on n connections', async () => {
    const target = await server();
    const clock = offsetClock();
    const transport = lean(azureTarget(target.url), { clock });
    await transport.prepare(50);
    await settle(target, () => target.connections >= 50);
    const pending: Promise<unknown>[] = [];
    for (let index = 0; index < 50; index++) pending.push(transport.send(request(), never));
    const loopEnd = clock.now();
    const lines = (await Promise.all(pending)) as Awaited<ReturnType<HttpTransport['send']>>[];
    expect(lines.every((line) => line.status === 200)).toBe(true);
    // Every request left for the kernel before the loop ended (undici writes after it).
    expect(Math.max(...lines.map((line) => line.sentMs))).toBeLessThanOrEqual(loopEnd);
    expect(target.connections).toBe(50);
    expect(new Set(target.requests.map((received) => received.connection)).size).toBe(50);
  });

  it('requests beyond the connection ceiling wait in order; one that times out waiting is never written', async () => {
    const target = await server((received, response) => {
      if (received.url.includes('hang')) return;
      okHandler(received, response);
    });
    const hanging = lean({ ...azureTarget(target.url), url: `${target.url}/hang` }, { connections: 1, timeoutMs: 150 });
    const lines = await Promise.all([hanging.send(request(), never), hanging.send(request(), never)]);
    expect(lines.map((line) => line.errorKind)).toEqual(['timeout', 'timeout']);
    // Once the transport is closed and the server has seen every connection end, it has read all it was sent.
    await hanging.close();
    await target.drained();
    expect(target.requests).toHaveLength(1);

    const connectionsBefore = target.connections;
    // One connection: the waiting requests go out one after the other, oldest first.
    const single = lean(azureTarget(target.url), { connections: 1 });
    const inOrder = await Promise.all(Array.from({ length: 4 }, () => single.send(request(), never)));
    expect(inOrder.every((line) => line.status === 200)).toBe(true);
    expect(target.requests.slice(1).map((received) => received.headers['x-ms-client-request-id'])).toEqual(inOrder.map((line) => line.clientRequestId));
    expect(target.connections - connectionsBefore).toBe(1);

    const queued = lean(azureTarget(target.url), { connections: 2 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => queued.send(request(), never)));
    expect(answers.every((line) => line.status === 200)).toBe(true);
    expect(target.connections - connectionsBefore).toBe(1 + 2);
  });

  it('a header value with a line break is never sent: every request fails with other, and the key stays out of the line', async () => {
    const target = await server();
    const broken = `${API_KEY}\r\nx-injected: 1`;
    const line = await lean(azureTarget(target.url, { apiKey: broken })).send(request(), never);
    expect(line).toMatchObject({ status: null, errorKind: 'other' });
    expect(JSON.stringify(line)).not.toContain(API_KEY);
    await target.barrier();
    expect(target.connections).toBe(0);
  });

  it('refuses an injected dispatcher (it opens its own connections)', () => {
    expect(() => createLeanTransport({ target: azureTarget('http://127.0.0.1:9'), payload: chat, clock: offsetClock(), timeoutMs: 1000, connections: 1, dispatcher: {} as never })).toThrow(/dispatcher/);
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
describe.skipIf(!hasOpenssl)('lean transport: TLS', () => {
  let folder = '';
  let cert: Buffer;
  let tlsServer: HttpsServer;
  let port = 0;
  let connections = 0;
  let answered = 0;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'lean-tls-'));
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    expect(made.status).toBe(0);
    cert = readFileSync(join(folder, 'cert.pem'));
    tlsServer = createHttpsServer({ key: readFileSync(join(folder, 'key.pem')), cert }, (request, response) => {
      answered++;
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(USAGE_BODY);
      });
    });
    tlsServer.on('secureConnection', () => connections++);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    port = (tlsServer.address() as AddressInfo).port;
  });

  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('a self-signed certificate is refused → tls, and nothing is answered', async () => {
    const before = answered;
    const transport = lean(azureTarget(`https://127.0.0.1:${port}`));
    await expect(transport.prepare(2)).resolves.toBeUndefined();
    const lines = await Promise.all([transport.send(request(), never), transport.send(request(), never)]);
    expect(lines.map((line) => line.errorKind)).toEqual(['tls', 'tls']);
    expect(lines.map((line) => line.error?.code)).toEqual(['DEPTH_ZERO_SELF_SIGNED_CERT', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
    expect(answered).toBe(before);
  });

  it('with the certificate trusted: prepare(3) opens 3 TLS connections that then carry the requests', async () => {
    const before = { connections, answered };
    const transport = lean(azureTarget(`https://127.0.0.1:${port}`), {}, { tls: { ca: cert } });
    await transport.prepare(3);
    await waitUntil(() => connections - before.connections >= 3, 'three TLS connections');
    await connectionBarrier(tlsServer, port);
    expect(connections - before.connections).toBe(3);
    expect(answered - before.answered).toBe(0);
    const lines = await Promise.all(Array.from({ length: 3 }, () => transport.send(request(), never)));
    expect(lines.map((line) => [line.status, line.errorKind, line.usage?.totalTokens])).toEqual([
      [200, null, 10],
      [200, null, 10],
      [200, null, 10],
    ]);
    expect(await transport.send(request(), never)).toMatchObject({ status: 200, errorKind: null });
    expect(connections - before.connections).toBe(3);
  });
});

describe('transport choice', () => {
  it('names the kinds, defaults to auto, and builds each on request', async () => {
    expect(DEFAULT_TRANSPORT_KIND).toBe('auto');
    expect(isTransportKind('auto')).toBe(true);
    expect(isTransportKind('lean')).toBe(true);
    expect(isTransportKind('undici')).toBe(true);
    expect(isTransportKind('http2')).toBe(false);
    const target = await server();
    for (const kind of ['auto', 'undici', 'lean'] as const) {
      const transport = createTransportFor(kind, { target: azureTarget(target.url), payload: chat, clock: offsetClock(), timeoutMs: 5000, connections: 4 });
      harness.ownTransport(transport);
      expect(await transport.send(request(), never)).toMatchObject({ status: 200, errorKind: null, usage: { totalTokens: 13 } });
    }
    expect(target.requests).toHaveLength(3);
  });

  it('auto is lean for a direct http or https target, undici with a dispatcher or a refreshing token', async () => {
    const options = (url: string, auth: TargetSpec['auth'] = {}) => ({ target: azureTarget(url, auth), payload: chat, clock: offsetClock(), timeoutMs: 5000, connections: 4 });
    expect(resolveTransportKind('auto', options('http://127.0.0.1:1'))).toBe('lean');
    expect(resolveTransportKind('auto', options('https://127.0.0.1:1'))).toBe('lean');
    expect(resolveTransportKind('auto', options('http://127.0.0.1:1', { entra: true, bearerSource: { current: () => 'token' } }))).toBe('undici');
    const agent = new Agent();
    expect(resolveTransportKind('auto', { ...options('http://127.0.0.1:1'), dispatcher: agent })).toBe('undici');
    await agent.close();
    expect(resolveTransportKind('undici', options('http://127.0.0.1:1'))).toBe('undici');
    expect(resolveTransportKind('lean', options('http://127.0.0.1:1'))).toBe('lean');
  });
});
