/**
 * A `Retry-After: <HTTP date>` becomes a wait against the server's own clock: the
 * transport keeps the answer's `date` header next to a retry-after (and only there),
 * and the analysis subtracts it. A server whose clock is an hour off ours still gives
 * the wait it meant. Real CLI, real loopback server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import type { Summary } from '../../src/analysis/summary-types.js';
import { ensureBuilt, runCli, temporaryFolder } from '../support/spawn-cli.js';
import { AZURE_PATH, answerOk, startServer, type LoopbackServer } from './support/servers.js';

let folder: string;
let server: LoopbackServer;
/** The server's clock runs an hour behind ours. */
const SKEW_MS = -3_600_000;
const WAIT_SECONDS = 30;

beforeAll(async () => {
  ensureBuilt();
  folder = temporaryFolder('retry-after-date');
  server = await startServer((request, response) => {
    const serverNow = Math.floor((Date.now() + SKEW_MS) / 1000) * 1000;
    const date = new Date(serverNow).toUTCString();
    if (request.index === 0) {
      answerOk(response, { date });
      return;
    }
    response.writeHead(429, { 'content-type': 'application/json', date, 'retry-after': new Date(serverNow + WAIT_SECONDS * 1000).toUTCString() });
    response.end(JSON.stringify({ error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit.' } }));
  });
}, 240_000);

afterAll(async () => {
  await server.close();
});

describe('Retry-After as an HTTP date', () => {
  it('is recorded with the server date and read as the wait the server meant', async () => {
    const recording = join(folder, 'dates.ndjson');
    const run = await runCli(['burst', '--size', '3', '--url', `${server.origin}${AZURE_PATH}`, '--json', '--record', recording], { cwd: folder });
    expect(run.code).toBe(0);
    const requests = readFileSync(recording, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RecordLine)
      .filter((line): line is RequestLine => line.type === 'request');
    const refused = requests.filter((line) => line.status === 429);
    const admitted = requests.filter((line) => line.status === 200);
    expect(admitted.length + refused.length).toBe(requests.length);
    expect(refused.length).toBeGreaterThan(0);
    // Only answers with a retry-after keep the date.
    for (const line of refused) expect(line.headers.date).toMatch(/GMT$/);
    for (const line of admitted) expect(line.headers.date).toBeUndefined();
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.throttled.retryAfterMs).toEqual({ min: WAIT_SECONDS * 1000, p50: WAIT_SECONDS * 1000, max: WAIT_SECONDS * 1000 });
  });
});
