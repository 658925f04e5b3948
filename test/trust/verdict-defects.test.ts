/**
 * Verdicts and tables that contradicted their own data, each run through the real
 * executable (test/support/spawn-cli.ts) against a misbehaving server on loopback or
 * the embedded simulator, checking what a person reads (table, verdict, JSON, exit code).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import { ensureBuilt, runCli, temporaryFolder } from '../support/spawn-cli.js';
import { answerOk, startServer, type Handler, type LoopbackServer } from './support/servers.js';

let folder: string;
const servers: LoopbackServer[] = [];

beforeAll(() => {
  ensureBuilt();
  folder = temporaryFolder('verdict-defects');
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(folder, { recursive: true, force: true });
});

async function serve(handler: Handler): Promise<string> {
  const server = await startServer(handler);
  servers.push(server);
  return `${server.origin}/v1/chat/completions`;
}

function requestLines(path: string): { seq: number; status: number | null; headers: Record<string, string> }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"type":"request"'))
    .map((line) => JSON.parse(line) as { seq: number; status: number | null; headers: Record<string, string> });
}

describe('failures are broken down by what went wrong', () => {
  it('a 401 after admitted answers is named with the flag to check, in the table, the verdict and requests.failedBy', async () => {
    // Admitted first (so the run does not stop as misconfigured), then the key is refused.
    const url = await serve((request, response) => {
      if (request.index < 2) return answerOk(response);
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } }));
    });
    const run = await runCli(['burst', '--url', url, '--size', '1', '--bursts', '5', '--gap', '100ms', '--json', '--record', join(folder, 'auth.ndjson')], { cwd: folder });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.requests.failed).toBe(3);
    expect(summary.requests.failedBy).toEqual({ 401: 3 });
    expect(summary.verdict).toContain('3 × HTTP 401');
    expect(summary.verdict).toContain('--api-key');
    expect(summary.verdict).not.toContain('timeouts, resets or other errors');
    expect(run.stderr).toMatch(/failed by\s+│ HTTP 401 3/);
  }, 60_000);

  it('a 301 keeps its Location in the recording, and the verdict says to pass the final URL', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(301, { location: 'http://127.0.0.1:9/v2/chat/completions?api-version=2024-10-21' });
      response.end();
    });
    const recording = join(folder, 'redirect.ndjson');
    const run = await runCli(['burst', '--url', url, '--size', '2', '--json', '--record', recording], { cwd: folder });
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.requests.failedBy).toEqual({ 301: 2 });
    expect(requestLines(recording).map((line) => line.headers['location'])).toEqual([
      'http://127.0.0.1:9/v2/chat/completions?api-version=2024-10-21',
      'http://127.0.0.1:9/v2/chat/completions?api-version=2024-10-21',
    ]);
    expect(summary.verdict).toContain('301 → Location http://127.0.0.1:9/v2/chat/completions?api-version=2024-10-21; pass the final URL');
  }, 60_000);
});

describe('probe against a server that never answers usably', () => {
  const cases = [
    ['resets every connection', 'reset'],
    ['answers 200 with a body that is not JSON', 'bad-body'],
  ] as const;
  for (const [name, kind] of cases) it(`${name}: says every request failed, measures nothing, exits 2`, async () => {
    const url = await serve((_request, response) => {
      if (kind === 'reset') return response.socket?.destroy();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id": "chatcmpl-broken", "choices": [ <<<');
    });
    const run = await runCli(['probe', '--url', url, '--budget-requests', '30', '--budget-time', '20s', '--json', '--record', join(folder, `probe-${kind}.ndjson`)], { cwd: folder });
    expect(run.code).toBe(2);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.requests.ok).toBe(0);
    expect(summary.requests.failedBy).toEqual({ [kind]: summary.requests.sent });
    expect(summary.effective.requests.shape).toBe('unknown');
    expect(summary.effective.requests.confidence).toBe('none');
    expect(summary.verdict).toContain('failed without a usable answer, so nothing was measured');
    expect(summary.verdict).not.toMatch(/admitted requests|none was refused|no request limit was reached/);
    expect(run.stderr).not.toContain('no limit reached');
  }, 60_000);
});

describe('refusals with unreadable headers', () => {
  it('still get a verdict (429 with retry-after "soon" and remaining-requests "abc")', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': 'soon', 'x-ratelimit-remaining-requests': 'abc' });
      response.end(JSON.stringify({ error: { code: '429', message: 'Too many requests' } }));
    });
    const run = await runCli(['steady', '--url', url, '--rate', '4/s', '--duration', '2s', '--json', '--record', join(folder, 'garbage.ndjson')], { cwd: folder });
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.requests.throttled).toBe(summary.requests.sent);
    expect(summary.verdict.length).toBeGreaterThan(20);
  }, 60_000);
});

describe('a proxy\'s own pages', () => {
  const pages = [
    ['nginx HTML 503', 503, 'text/html', '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n'],
    ['nginx HTML 429', 429, 'text/html', '<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>'],
    ['plain-text 429', 429, 'text/plain', 'Too Many Requests'],
  ] as const;
  for (const [name, status, contentType, body] of pages) it(`${name} is a gateway refusal, and the verdict speaks of no Azure quota`, async () => {
    const url = await serve((_request, response) => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    });
    const run = await runCli(['burst', '--url', url, '--size', '3', '--json', '--record', join(folder, `page-${status}-${contentType.replace('/', '-')}.ndjson`)], { cwd: folder });
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.throttled.byClass).toMatchObject({ gateway: 3, capacity: 0, unknown: 0 });
    expect(summary.verdict).toContain('came from something in front of the API');
    expect(summary.verdict).not.toMatch(/quota|provisioned throughput|max_tokens|TPM|estimated tokens/i);
  }, 60_000);
});

describe('the embedded simulator', () => {
  it('token-window.yaml: no request rate is read from token refusals, and the token budget is measured', async () => {
    const run = await runCli(['run', 'scenarios/token-window.yaml', '--json', '--record', join(folder, 'token-window.ndjson')], { timeoutMs: 90_000 });
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.throttled.byClass.tokens).toBeGreaterThan(0);
    expect(summary.throttled.byClass.requests).toBe(0);
    // The cheap requests after the token refusals were admitted: no "0 requests/s got through".
    expect(summary.effective.requests.perSecond).toBeNull();
    expect(summary.verdict).not.toContain('requests/s got through');
    // The token budget: every estimate admitted before the first token refusal, which a 50,000 TPM budget holds.
    expect(summary.effective.tokens.burst).toBeGreaterThan(40_000);
    expect(summary.effective.tokens.burst).toBeLessThanOrEqual(50_000);
    expect(summary.verdict).toMatch(/ran out after about [\d,]+ estimated tokens/);
    expect(run.stderr).not.toMatch(/tokens per minute\s+│[^│]+│ not probed/);
    expect(run.stderr).toMatch(/token burst\s+│[^│]+│ [\d,]+/);
  }, 120_000);

  it('burst --sim azure-seed --size 20: the first refusal in arrival order, and no confidence next to an unknown shape', async () => {
    const run = await runCli(['burst', '--sim', 'azure-seed', '--size', '20', '--json', '--record', join(folder, 'seed.ndjson')]);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.effective.requests.shape).toBe('unknown');
    expect(run.stderr).toMatch(/shape\s+│[^│]+│ unknown\s+│/);
    expect(run.stderr).not.toMatch(/unknown \((high|medium|low)\)/);
    // 5 admitted at one instant: the limiter refused the 6th it counted, whatever seq it had.
    expect(summary.throttled.firstInArrivalOrder).toBe(summary.requests.ok);
    // Which seqs the server read first varies from run to run; the send-order number is shown only when it differs.
    const first =
      summary.throttled.firstSeq === summary.requests.ok ? `request #${summary.requests.ok}` : `#${summary.requests.ok} in arrival order (#${summary.throttled.firstSeq} as sent)`;
    expect(run.stderr).toContain(`first refused        │ ${first}`);
    expect(run.stderr).toContain(`the first at ${first}`);
  }, 60_000);

  it('probe: the spent line names the two estimates as the table and JSON do', async () => {
    const run = await runCli(['probe', '--budget-requests', '60', '--budget-time', '10s', '--json', '--record', join(folder, 'probe.ndjson')], { timeoutMs: 90_000 });
    const summary = JSON.parse(run.stdout) as Summary;
    const figure = (value: number): string => value.toLocaleString('en-US');
    expect(run.stderr).toContain(`estimated tokens ${figure(summary.tokens.estimatedCharged)} admitted of ${figure(summary.tokens.estimatedSent!)} sent · ${figure(summary.tokens.billed)} billed`);
    expect(run.stderr).not.toContain('estimated charged');
  }, 120_000);
});
