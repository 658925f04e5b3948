/**
 * The foundation's promises, checked through the real executable: the quick start on
 * the embedded simulator, the seed story, `--url` against a local server, bad flags.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';

const workDir = temporaryFolder('e2e');

function readLines(path: string): RecordLine[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordLine);
}

describe('npx aoai-probe burst (quick start)', () => {
  it('uses the embedded simulator, says so first, and shows admitted and refused requests', async () => {
    const run = await runCli(['burst', '--record', join(workDir, 'quick.ndjson')], { cwd: workDir });
    expect(run.code).toBe(0);
    const firstLine = run.stderr.split('\n')[0] ?? '';
    expect(firstLine).toMatch(/No target given: started the embedded Azure OpenAI simulator \(azure-standard, 50,000 TPM/);
    expect(run.stderr).toMatch(/admitted\s+│ 5\b/);
    expect(run.stderr).toMatch(/refused\s+│ 15 /);
    expect(run.stderr).toContain(`Recording: ${join(workDir, 'quick.ndjson')}`);
  });
});

describe('the seed story: burst --sim azure-seed --size 20 --json', () => {
  let summary: Summary;
  let lines: RecordLine[];
  const recording = join(workDir, 'seed.ndjson');

  beforeAll(async () => {
    const run = await runCli(['burst', '--sim', 'azure-seed', '--size', '20', '--json', '--record', recording]);
    expect(run.code).toBe(0);
    summary = JSON.parse(run.stdout) as Summary;
    lines = readLines(recording);
  });

  it('admits 5, refuses 15, and finds a burst of 5', () => {
    expect(summary.requests.ok).toBe(5);
    expect(summary.requests.throttled).toBe(15);
    expect(summary.effective.requests.burst).toBe(5);
  });

  it('says the headers still showed capacity at the refused instant, and a 10-s header window', () => {
    // Sent at once: no answer had been read when the refused requests left, so the counter
    // (headers read before sending) stays 0; the burst sentence tells what they showed.
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(summary.verdict).toMatch(/refused while the headers still showed \d+ requests left/);
    expect(summary.headers.requestsWindowSeconds).toBe(10);
    expect(summary.verdict).toMatch(/5 requests per second/);
  });

  it('records x-ratelimit-remaining-tokens 46760 on the fifth admitted request', () => {
    const admitted = lines.filter((line): line is RequestLine => line.type === 'request' && line.status === 200);
    const remainingTokens = admitted.map((line) => Number(line.headers['x-ratelimit-remaining-tokens'])).sort((a, b) => b - a);
    expect(remainingTokens).toEqual([49352, 48704, 48056, 47408, 46760]);
  });
});

describe('burst --url against any local HTTP server', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; url: string }[] = [];
  const sockets = new Set<unknown>();

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      seen.push({ method: request.method ?? '', url: request.url ?? '' });
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '99' });
        response.end('{"choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}');
      });
    });
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(['undici', 'lean'])('sends exactly 100 POSTs to that URL, records 100 lines and reports the send spread (--transport %s)', async (transport) => {
    seen.length = 0;
    const recording = join(workDir, `url-${transport}.ndjson`);
    const run = await runCli(['burst', '--url', url, '--size', '100', '--json', '--record', recording, '--transport', transport]);
    expect(run.code).toBe(0);
    // Opening connections ahead of the burst must not spend quota: no extra request of any kind.
    expect(seen).toHaveLength(100);
    expect(seen.every((request) => request.method === 'POST' && request.url === '/v1/chat/completions')).toBe(true);
    expect(sockets.size).toBeGreaterThanOrEqual(1);
    const requests = readLines(recording).filter((line) => line.type === 'request');
    expect(requests).toHaveLength(100);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.requests.sent).toBe(100);
    expect(summary.requests.ok).toBe(100);
    expect(summary.schedule.sendSpreadMs).toEqual(expect.any(Number));
  });
});

describe('bad input', () => {
  it.each([
    [['burst', '--bogus'], /unknown option '--bogus'/],
    [['burst', '--size', 'ten'], /--size: "ten" is not a whole number/],
    [['burst', '--gap', 'soon'], /--gap: "soon" is not a duration/],
    [['burst', '--sim', 'azure-fast'], /--sim: "azure-fast" is not a simulator profile/],
  ])('%j exits 2 with one clear message and no stack trace', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
