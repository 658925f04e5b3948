/**
 * The transport contract (src/run/types.ts `Transport`, docs/recording.md): what goes
 * out, what is recorded, how every failure becomes its errorKind. Both transports
 * run these same cases (transport.test.ts for undici, lean-transport.test.ts for
 * the lean one), so a recording cannot tell which transport wrote it. Cases only
 * one transport has stay in that transport's own file (lean-wire.test.ts).
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { RequestLine } from '../../src/record/types.js';
import type { TargetSpec } from '../../src/run/types.js';
import { closedPort, okHandler, settle, waitUntil } from './test-server.js';
import { API_KEY, BEARER, azureTarget, chat, never, request, useTransportHarness, type CreateTransport } from './transport-harness.js';

/** Where the transports may differ, each a documented HTTP latitude, not a bug. */
export interface TransportQuirks {
  /** Whether a header value's trailing whitespace is dropped (http-parser-js) or kept (undici). */
  trimsHeaderValues: boolean;
}

/**
 * Registers the contract's describe blocks, titled `${name}: ...`, for the
 * transport `create` builds. Call it at the top level of a test file.
 */
export function describeTransportContract(name: string, create: CreateTransport, quirks: TransportQuirks): void {
  const harness = useTransportHarness(create);

  describe(`${name}: what goes out and what is recorded`, () => {
    it('sends the exact URL, headers and body, and records the answer', async () => {
      const target = await harness.server();
      const transport = harness.transportFor(azureTarget(target.url));
      const line = await transport.send(request({ plannedMs: 1_000_000 }), never);

      expect(target.requests).toHaveLength(1);
      const received = target.requests[0]!;
      expect(received.method).toBe('POST');
      expect(received.url).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
      expect(received.headers['api-key']).toBe(API_KEY);
      expect(received.headers.authorization).toBeUndefined();
      expect(received.headers['content-type']).toBe('application/json');
      expect(received.headers['x-ms-client-request-id']).toBe(line.clientRequestId);
      expect(line.clientRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(received.body).toBe(transport.payloads.get().body.toString('utf8'));
      expect(JSON.parse(received.body)).toEqual({ messages: [{ role: 'user', content: 'Reply with one word: ok' }], max_tokens: 16 });

      expect(line).toMatchObject({
        type: 'request',
        phase: 'test',
        target: 'default',
        plannedMs: 1_000_000,
        status: 200,
        errorKind: null,
        error: null,
        usage: { promptTokens: 12, completionTokens: 1, totalTokens: 13 },
        estimatedTokens: 6 + 16,
        maxTokens: 16,
      });
      expect(line.headers).toEqual({
        'x-ratelimit-remaining-requests': '49',
        'x-ratelimit-remaining-tokens': '49352',
        'x-ms-region': 'East US',
        'apim-request-id': 'a1b2c3d4-0000-4000-8000-000000000001',
        'x-ms-client-request-id': line.clientRequestId,
      });
      // Times come from the injected clock (offset 1,000,000 ms) and are in order.
      expect(line.sentMs).toBeGreaterThan(1_000_000);
      expect(line.firstByteMs!).toBeGreaterThanOrEqual(line.sentMs);
      expect(line.doneMs).toBeGreaterThanOrEqual(line.firstByteMs!);
    });

    it('sends a bearer token as Authorization and gives every request its own id', async () => {
      const target = await harness.server();
      const transport = harness.transportFor(azureTarget(target.url, { bearer: BEARER }));
      const lines = await Promise.all([transport.send(request(), never), transport.send(request(), never)]);
      expect(target.requests.map((received) => received.headers.authorization)).toEqual([`Bearer ${BEARER}`, `Bearer ${BEARER}`]);
      expect(target.requests[0]!.headers['api-key']).toBeUndefined();
      expect(new Set(lines.map((line) => line.clientRequestId)).size).toBe(2);
    });

    it('sends each payload variant of a request', async () => {
      const target = await harness.server();
      const transport = harness.transportFor(azureTarget(target.url), { payload: { ...chat, maxTokens: 5 } });
      const phase = { maxTokens: 300, stream: false };
      const line = await transport.send(request({ payload: phase }), never);
      expect(JSON.parse(target.requests[0]!.body).max_tokens).toBe(300);
      expect(line).toMatchObject({ maxTokens: 300, estimatedTokens: 306 });
    });
  });

  describe(`${name}: connections before a burst`, () => {
    it('prepare(n) opens n connections and sends no request; a burst of n then uses exactly those', async () => {
      const target = await harness.server();
      const transport = harness.transportFor(azureTarget(target.url));
      await transport.prepare(10);
      await settle(target, () => target.connections >= 10);
      expect(target.connections).toBe(10);
      expect(target.requests).toHaveLength(0);

      const burst = Array.from({ length: 10 }, () => transport.send(request(), never));
      const lines = await Promise.all(burst);
      expect(lines.every((line) => line.status === 200)).toBe(true);
      expect(target.requests).toHaveLength(10);
      expect(target.connections).toBe(10);
      expect(new Set(target.requests.map((received) => received.connection)).size).toBe(10);
    });

    it('a burst of 100 after prepare(100) sends exactly 100 POSTs on the 100 pre-opened connections', async () => {
      // Answer only once all 100 arrived, so every request needs its own connection.
      const pending: (() => void)[] = [];
      const target = await harness.server((received, response) => {
        pending.push(() => okHandler(received, response));
        if (pending.length === 100) for (const answer of pending.splice(0)) answer();
      });
      const transport = harness.transportFor(azureTarget(target.url));
      await transport.prepare(100);
      await settle(target, () => target.connections >= 100);
      expect(target.connections).toBe(100);
      expect(target.requests).toHaveLength(0);

      const lines = await Promise.all(Array.from({ length: 100 }, () => transport.send(request(), never)));
      expect(lines.filter((line) => line.status === 200)).toHaveLength(100);
      expect(target.requests.filter((received) => received.method === 'POST')).toHaveLength(100);
      expect(target.connections).toBe(100);
      expect(new Set(target.requests.map((received) => received.connection)).size).toBe(100);
    });

    it('prepare counts idle pool connections and opens only what is missing', async () => {
      const target = await harness.server();
      const transport = harness.transportFor(azureTarget(target.url));
      await transport.prepare(3);
      await Promise.all(Array.from({ length: 3 }, () => transport.send(request(), never)));
      await settle(target, () => target.connections >= 3);
      expect(target.connections).toBe(3);
      await transport.prepare(5);
      await settle(target, () => target.connections >= 5);
      expect(target.connections).toBe(5);
      expect(target.requests).toHaveLength(3);
    });

    it('warm sockets the server closes while idle are dropped; the next request connects anew', async () => {
      const target = await harness.server();
      // Close every connection that has not sent a request within 50 ms (like an idle timeout).
      target.server.on('connection', (socket) => {
        const timer = setTimeout(() => socket.destroy(), 50);
        socket.once('data', () => clearTimeout(timer));
      });
      const transport = harness.transportFor(azureTarget(target.url));
      await transport.prepare(3);
      await settle(target, () => target.connections >= 3);
      await waitUntil(() => target.openSockets === 0, 'the server to close the three idle connections');
      const line = await transport.send(request(), never);
      expect(line).toMatchObject({ status: 200, errorKind: null });
      expect(target.connections).toBe(4);
    });

    it('prepare against a closed port resolves; the requests record the failure', async () => {
      const port = await closedPort();
      const transport = harness.transportFor(azureTarget(`http://127.0.0.1:${port}`));
      await expect(transport.prepare(3)).resolves.toBeUndefined();
      const line = await transport.send(request(), never);
      expect(line.errorKind).toBe('refused');
    });
  });

  describe(`${name}: failures become errorKind`, () => {
    it('connection refused on a closed port → refused, no status', async () => {
      const port = await closedPort();
      const line = await harness.transportFor(azureTarget(`http://127.0.0.1:${port}`)).send(request(), never);
      expect(line).toMatchObject({ status: null, firstByteMs: null, errorKind: 'refused', usage: null });
      expect(line.error?.code).toBe('ECONNREFUSED');
    });

    it('reset in the middle of the body → reset, with the status that had arrived', async () => {
      const target = await harness.server((_received, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('{"choices":[');
        setTimeout(() => response.socket?.destroy(), 20);
      });
      const line = await harness.transportFor(azureTarget(target.url)).send(request(), never);
      expect(line).toMatchObject({ status: 200, errorKind: 'reset' });
      expect(line.firstByteMs).not.toBeNull();
    });

    it('a hanging server with a small timeout → timeout after about that long', async () => {
      const target = await harness.server(() => undefined);
      const transport = harness.transportFor(azureTarget(target.url), { timeoutMs: 200 });
      // The timeout counts from the hand-off to the transport (connecting included), so measure from there.
      const handedOff = performance.now();
      const line = await transport.send(request(), never);
      expect(line).toMatchObject({ status: null, errorKind: 'timeout' });
      expect(performance.now() - handedOff).toBeGreaterThanOrEqual(195);
      expect(line.doneMs - line.sentMs).toBeLessThan(2000);
    });

    it('a slow body also times out (the timeout covers headers and body)', async () => {
      const target = await harness.server((_received, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{');
      });
      const line = await harness.transportFor(azureTarget(target.url), { timeoutMs: 200 }).send(request(), never);
      expect(line).toMatchObject({ status: 200, errorKind: 'timeout' });
    });

    it('an HTML 502 from a gateway → http, tag-stripped message, no code', async () => {
      const target = await harness.server((_received, response) => {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>');
      });
      const line = await harness.transportFor(azureTarget(target.url)).send(request(), never);
      expect(line).toMatchObject({ status: 502, errorKind: 'http', error: { code: null, message: '502 Bad Gateway 502 Bad Gateway nginx', type: null } });
    });

    it('a 429 is a refusal: errorKind null, Azure error fields and retry headers kept', async () => {
      const message = 'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second.';
      const target = await harness.server((_received, response) => {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1', 'retry-after-ms': '850', 'policy-id': 'DeploymentRatelimit-Call', 'x-ratelimit-remaining-requests': '45' });
        response.end(JSON.stringify({ error: { code: '429', message } }));
      });
      const line = await harness.transportFor(azureTarget(target.url)).send(request(), never);
      expect(line).toMatchObject({ status: 429, errorKind: null, error: { code: '429', message, type: null }, usage: null });
      expect(line.headers).toMatchObject({ 'retry-after': '1', 'retry-after-ms': '850', 'policy-id': 'DeploymentRatelimit-Call', 'x-ratelimit-remaining-requests': '45' });
    });

    it('a 503 is a refusal too; a 400 is http with its fields, messages trimmed to 500 characters', async () => {
      const target = await harness.server((received, response) => {
        const status = received.url.includes('503') ? 503 : 400;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: status === 400 ? 'invalid_prompt' : 'ServiceUnavailable', message: 'x'.repeat(2000), type: 'invalid_request_error' } }));
      });
      const unavailable = await harness.transportFor({ ...azureTarget(target.url), url: `${target.url}/503` }).send(request(), never);
      expect(unavailable).toMatchObject({ status: 503, errorKind: null, error: { code: 'ServiceUnavailable' } });
      const invalid = await harness.transportFor(azureTarget(target.url)).send(request(), never);
      expect(invalid).toMatchObject({ status: 400, errorKind: 'http', error: { code: 'invalid_prompt', type: 'invalid_request_error' } });
      expect(invalid.error!.message!.length).toBe(500);
    });

    it('a 200 with invalid JSON → bad-body', async () => {
      const target = await harness.server((_received, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"choices": [ oops');
      });
      const line = await harness.transportFor(azureTarget(target.url)).send(request(), never);
      expect(line).toMatchObject({ status: 200, errorKind: 'bad-body', usage: null });
      expect(line.error?.message).toContain('not JSON');
    });

    it('a generic http target is not held to the JSON format unless the answer says it is JSON', async () => {
      const target = await harness.server((received, response) => {
        const json = received.url.includes('json');
        response.writeHead(200, { 'content-type': json ? 'application/json' : 'text/plain' });
        response.end(json ? 'not json' : 'hello');
      });
      const generic = (path: string): TargetSpec => ({ id: 'default', kind: 'http', url: `${target.url}${path}`, deployment: null, auth: {} });
      expect((await harness.transportFor(generic('/text')).send(request(), never)).errorKind).toBeNull();
      expect((await harness.transportFor(generic('/json')).send(request(), never)).errorKind).toBe('bad-body');
    });

    it('a truncated event stream (no [DONE]) → bad-body; a whole one gives its usage', async () => {
      const target = await harness.server((received, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (content: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }], usage: null })}\n\n`;
        response.write(chunk('o'));
        response.write(chunk('k'));
        if (received.url.includes('truncated')) {
          response.end();
          return;
        }
        // The usage chunk split across two writes, then the end marker.
        const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } })}\n\n`;
        response.write(usage.slice(0, 20));
        setTimeout(() => response.end(`${usage.slice(20)}data: [DONE]\n\n`), 10);
      });
      const streaming = { ...chat, stream: true };
      const whole = await harness.transportFor(azureTarget(target.url), { payload: streaming }).send(request(), never);
      expect(whole).toMatchObject({ status: 200, errorKind: null, usage: { promptTokens: 9, completionTokens: 2, totalTokens: 11 } });
      const sent = JSON.parse(target.requests[0]!.body);
      expect(sent).toMatchObject({ stream: true, stream_options: { include_usage: true } });

      const truncated = await harness.transportFor({ ...azureTarget(target.url), url: `${target.url}/truncated` }, { payload: streaming }).send(request(), never);
      expect(truncated).toMatchObject({ status: 200, errorKind: 'bad-body' });
      expect(truncated.error?.message).toContain('[DONE]');
    });

    it('a plain-HTTP server on an https URL → tls', async () => {
      const target = await harness.server();
      const line = await harness.transportFor(azureTarget(target.url.replace('http:', 'https:'))).send(request(), never);
      expect(line).toMatchObject({ status: null, errorKind: 'tls' });
    });

    it('the run aborting cuts in-flight requests → aborted; an already aborted signal sends nothing', async () => {
      const target = await harness.server(() => undefined);
      const transport = harness.transportFor(azureTarget(target.url));
      const controller = new AbortController();
      const inFlight = [transport.send(request(), controller.signal), transport.send(request(), controller.signal)];
      await waitUntil(() => target.requests.length >= 2, 'both requests to reach the server');
      controller.abort();
      const lines = await Promise.all(inFlight);
      expect(lines.map((line) => line.errorKind)).toEqual(['aborted', 'aborted']);

      const late = await transport.send(request(), controller.signal);
      expect(late.errorKind).toBe('aborted');
      // Once the transport is closed and the server has seen every connection end, it has read all it was sent.
      await transport.close();
      await target.drained();
      expect(target.requests).toHaveLength(2);
    });

    it('leaves no abort listener on a signal once its requests settle (one signal over many transports)', async () => {
      const target = await harness.server();
      const shared = new AbortController().signal;
      // Twelve transports on one signal: more than Node's default ten listeners, the number its leak warning counts.
      for (let index = 0; index < 12; index++) {
        const transport = harness.transportFor(azureTarget(target.url));
        const pending = transport.send(request(), shared);
        expect(getEventListeners(shared, 'abort')).toHaveLength(1);
        expect((await pending).status).toBe(200);
        expect(getEventListeners(shared, 'abort')).toHaveLength(0);
      }
    });

    it('close() ends what is still in flight as aborted', async () => {
      const target = await harness.server(() => undefined);
      const transport = harness.transportFor(azureTarget(target.url));
      const pending = transport.send(request(), never);
      await waitUntil(() => target.requests.length === 1, 'the request to reach the server');
      await transport.close();
      expect((await pending).errorKind).toBe('aborted');
    });
  });

  describe(`${name}: requests that cannot be built`, () => {
    it('a payload variant that cannot be built fails that request (errorKind other) and sends nothing', async () => {
      const target = await harness.server();
      const line = await harness.transportFor(azureTarget(target.url)).send(request({ payload: { promptTokens: 0 } }), never);
      expect(line).toMatchObject({ status: null, errorKind: 'other', estimatedTokens: 0 });
      expect(line.error?.message).toContain('tokens');
      expect(target.requests).toHaveLength(0);
    });
  });

  describe(`${name}: bodies and secrets`, () => {
    it('reads every body to the end, so one connection serves request after request', async () => {
      const big = 'x'.repeat(1_000_000);
      const target = await harness.server((received, response) => {
        if (received.url.includes('error')) {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(big);
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ data: big, usage: { prompt_tokens: 1, total_tokens: 1 } }));
      });
      const ok = harness.transportFor(azureTarget(target.url), { connections: 1 });
      for (let index = 0; index < 3; index++) {
        expect(await ok.send(request(), never)).toMatchObject({ status: 200, errorKind: null, usage: { promptTokens: 1, completionTokens: 0, totalTokens: 1 } });
      }
      const failing = harness.transportFor({ ...azureTarget(target.url), url: `${target.url}/error` }, { connections: 1 });
      for (let index = 0; index < 3; index++) {
        const line = await failing.send(request(), never);
        expect(line).toMatchObject({ status: 500, errorKind: 'http' });
        expect(line.error!.message!.length).toBeLessThanOrEqual(500);
      }
      expect(target.requests).toHaveLength(6);
      expect(target.connections).toBe(2);
    });

    it('no key or bearer token appears in any line, even when a server echoes them', async () => {
      const target = await harness.server((received, response) => {
        const echoed = `${String(received.headers['api-key'] ?? '')} ${String(received.headers.authorization ?? '')}`;
        if (received.url.includes('html')) {
          response.writeHead(401, { 'content-type': 'text/html', 'x-request-id': echoed });
          response.end(`<p>denied for ${echoed}</p>`);
          return;
        }
        if (received.url.includes('reset')) {
          response.socket?.destroy();
          return;
        }
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: '401', message: `Access denied: key ${echoed} is invalid` } }));
      });
      const lines: RequestLine[] = [];
      for (const auth of [{ apiKey: API_KEY }, { bearer: BEARER }]) {
        for (const path of ['/json', '/html', '/reset']) {
          const transport = harness.transportFor({ ...azureTarget(target.url, auth), url: `${target.url}${path}?api-key=${API_KEY}` });
          lines.push(await transport.send(request(), never));
        }
      }
      expect(lines.map((line) => line.status)).toEqual([401, 401, null, 401, 401, null]);
      const text = JSON.stringify(lines);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(BEARER);
      expect(lines[0]!.error!.message).toBe('Access denied: key REDACTED  is invalid');
      // http-parser-js (lean) drops a header value's trailing whitespace (RFC 9110 §5.5:
      // it is not part of the value); undici keeps it.
      expect(lines[1]!.headers['x-request-id']).toBe(quirks.trimsHeaderValues ? 'REDACTED' : 'REDACTED ');
    });
  });
}
