/**
 * Faults from the target are results, not crashes (docs/recording.md): real
 * misbehaving servers on loopback, the real CLI, and for every fault: each request in
 * the recording with the right errorKind, counted as failed in the summary, exit 0.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import type { Summary } from '../../src/analysis/summary-types.js';
import { ensureBuilt, hasStackTrace, runCli, temporaryFolder } from '../support/spawn-cli.js';
import { AZURE_PATH, FAULTS, answerOk, closedPort, startServer, type FaultName, type LoopbackServer } from './support/servers.js';

let folder: string;
const servers: LoopbackServer[] = [];

beforeAll(() => {
  ensureBuilt();
  folder = temporaryFolder('faults');
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

function readLines(path: string): RecordLine[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordLine);
}

function requestLines(lines: RecordLine[]): RequestLine[] {
  return lines.filter((line): line is RequestLine => line.type === 'request');
}

/** Runs a burst of `size` at `url` with a 1-s timeout and returns what it left behind. */
async function burstAt(url: string, name: string, size: number, extra: string[] = []) {
  const recording = join(folder, `${name.replace(/\W+/g, '-')}.ndjson`);
  const run = await runCli(['burst', '--size', String(size), '--url', url, '--timeout', '1s', '--json', '--record', recording, ...extra], { cwd: folder, timeoutMs: 40_000 });
  return { run, lines: readLines(recording), summary: JSON.parse(run.stdout || 'null') as Summary };
}

describe('every fault is a recorded result and the run ends normally', () => {
  it.each(Object.keys(FAULTS) as FaultName[])('%s', async (name) => {
    const fault = FAULTS[name];
    const server = await startServer(fault.handle);
    servers.push(server);
    const size = 3;
    const { run, lines, summary } = await burstAt(`${server.origin}${AZURE_PATH}`, name, size);

    expect(run.stderr).not.toContain('internal error');
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.code).toBe(0);
    // Every request reached the server, and every one of them is in the recording.
    expect(server.received).toHaveLength(size);
    const requests = requestLines(lines);
    expect(requests.map((line) => line.clientRequestId).sort()).toEqual(server.received.map((request) => request.clientRequestId).sort());
    expect(requests.map((line) => line.errorKind)).toEqual(Array(size).fill(fault.errorKind));
    expect(lines.at(-1)).toMatchObject({ type: 'end', reason: 'completed', sent: size });
    // The summary counts them as failed, not admitted and not refused.
    expect(summary.requests).toMatchObject({ sent: size, ok: 0, throttled: 0, failed: size, dropped: 0 });
    // And the table says so instead of "all admitted".
    expect(run.stderr).toContain(`No refusals: 0 of ${size} requests admitted, ${size} failed`);
  });

  it('connection refused on a closed port', async () => {
    const port = await closedPort();
    const { run, lines, summary } = await burstAt(`http://127.0.0.1:${port}${AZURE_PATH}`, 'refused', 3);
    expect(run.code).toBe(0);
    expect(hasStackTrace(run.stderr)).toBe(false);
    const requests = requestLines(lines);
    expect(requests.map((line) => line.errorKind)).toEqual(['refused', 'refused', 'refused']);
    expect(requests.every((line) => line.status === null && line.error?.code === 'ECONNREFUSED')).toBe(true);
    expect(summary.requests).toMatchObject({ sent: 3, ok: 0, failed: 3 });
  });

  it('TLS failure: https:// to a server that speaks plain HTTP', async () => {
    const server = await startServer((_request, response) => answerOk(response));
    servers.push(server);
    const { run, lines, summary } = await burstAt(`https://127.0.0.1:${server.port}${AZURE_PATH}`, 'tls', 2);
    expect(run.code).toBe(0);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(requestLines(lines).map((line) => line.errorKind)).toEqual(['tls', 'tls']);
    expect(summary.requests).toMatchObject({ sent: 2, ok: 0, failed: 2 });
  });

  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  it.skipIf(!hasOpenssl)('TLS failure: a server with a self-signed certificate', async () => {
    const key = join(folder, 'key.pem');
    const cert = join(folder, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    expect(made.status).toBe(0);
    let answered = 0;
    const tlsServer = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_request, response) => {
      answered++;
      answerOk(response);
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (tlsServer.address() as AddressInfo).port;
      const { run, lines, summary } = await burstAt(`https://127.0.0.1:${port}${AZURE_PATH}`, 'self-signed', 2);
      expect(run.code).toBe(0);
      const requests = requestLines(lines);
      expect(requests.map((line) => line.errorKind)).toEqual(['tls', 'tls']);
      expect(requests.map((line) => line.error?.code)).toEqual(['DEPTH_ZERO_SELF_SIGNED_CERT', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
      expect(summary.requests).toMatchObject({ sent: 2, failed: 2 });
      // The certificate was refused: no request was ever answered.
      expect(answered).toBe(0);
    } finally {
      tlsServer.closeAllConnections();
      await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    }
  });

  it('a 503 is a refusal (capacity), not a failure', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request. Please try again later.' } }));
    });
    servers.push(server);
    const { run, lines, summary } = await burstAt(`${server.origin}${AZURE_PATH}`, '503', 2);
    expect(run.code).toBe(0);
    expect(requestLines(lines).map((line) => [line.status, line.errorKind])).toEqual([
      [503, null],
      [503, null],
    ]);
    expect(summary.requests).toMatchObject({ sent: 2, ok: 0, throttled: 2, failed: 0 });
    expect(summary.throttled.byClass.capacity).toBe(2);
  });
});

describe('a steady run through a server that misbehaves in every way at once', () => {
  it('records each request with the errorKind of what the server did, and goes on to the end', async () => {
    // Request i gets behaviour i mod n: a good answer, then each fault in turn.
    const behaviours: { errorKind: string | null; handle: (typeof FAULTS)[FaultName]['handle'] }[] = [
      { errorKind: null, handle: (_request, response) => answerOk(response) },
      ...Object.values(FAULTS),
    ];
    const byClientId = new Map<string, string | null>();
    const server = await startServer((request, response) => {
      const behaviour = behaviours[request.index % behaviours.length]!;
      if (request.clientRequestId !== null) byClientId.set(request.clientRequestId, behaviour.errorKind);
      behaviour.handle(request, response);
    });
    servers.push(server);
    const recording = join(folder, 'mixed.ndjson');
    const run = await runCli(
      ['steady', '--rate', '20/s', '--duration', '1.8s', '--url', `${server.origin}${AZURE_PATH}`, '--timeout', '1s', '--json', '--record', recording],
      { cwd: folder, timeoutMs: 40_000 },
    );
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(0);
    const lines = readLines(recording);
    const requests = requestLines(lines);
    expect(requests).toHaveLength(36);
    expect(server.received).toHaveLength(36);
    for (const line of requests) expect([line.clientRequestId, line.errorKind]).toEqual([line.clientRequestId, byClientId.get(line.clientRequestId)]);
    const expectedFailed = [...byClientId.values()].filter((kind) => kind !== null).length;
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.requests).toMatchObject({ sent: 36, ok: 36 - expectedFailed, failed: expectedFailed });
    expect(lines.at(-1)).toMatchObject({ type: 'end', reason: 'completed', sent: 36 });
  });
});
