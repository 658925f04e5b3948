/**
 * `aoai-probe retry` against real limiters started by the test on loopback: nginx
 * `limit_req` (refusals without any hint) and express-rate-limit with IETF headers
 * (`RateLimit`, `RateLimit-Policy`, `Retry-After`). A loopback URL is a target of its
 * own, so the policies run one after another with a recovery pause. Every policy runs;
 * then `report` on the recording prints the same table and the same JSON as the live run.
 * Real time, kept short: 6 callers per policy, give up after 2 s.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';
import { nginxPath, startNginx } from '../support/limiters/nginx.js';
import { startExpressRateLimit } from '../support/limiters/node-limiters.js';
import type { RunningLimiter } from '../support/limiters/running-limiter.js';
import { POLICY_NAMES } from '../../src/retry/catalogue.js';

const CASE_TIMEOUT_MS = 240_000;

/** Runs every policy against the limiter, then replays the recording; returns the live summary. */
async function retryAndReplay(start: () => Promise<RunningLimiter>): Promise<{ summary: Record<string, any>; pauses: Array<{ pauseMs: number; basis: string }> }> {
  const limiter = await start();
  const folder = temporaryFolder('retry');
  const recording = join(folder, 'retry.ndjson');
  try {
    const live = await runCli(['retry', '--url', limiter.url, '--callers', '6', '--give-up-after', '2s', '--recovery', '1s', '--record', recording, '--json', '--max-tokens', '5'], {
      timeoutMs: CASE_TIMEOUT_MS - 30_000,
    });
    expect(live.stderr).not.toMatch(/internal error/);
    expect(live.code, live.stderr).toBe(0);
    const summary = JSON.parse(live.stdout);
    expect(summary.retry.policies.map((figures: { name: string }) => figures.name)).toEqual(POLICY_NAMES);
    for (const figures of summary.retry.policies) expect(figures.callers.total).toBe(6);
    // The limiter refused something: the lab measured retries, not an idle server.
    expect(summary.retry.policies.find((figures: { name: string }) => figures.name === 'immediate').attempts.refused).toBeGreaterThan(0);

    const replayJson = await runCli(['report', recording, '--format', 'json']);
    expect(replayJson.code, replayJson.stderr).toBe(0);
    expect(replayJson.stdout).toBe(live.stdout);
    // The live table (on stderr, for people) is the report's table (on stdout), byte for byte.
    const replayTable = await runCli(['report', recording]);
    const start = live.stderr.indexOf('6 callers arriving');
    expect(start).toBeGreaterThanOrEqual(0);
    const liveTable = live.stderr.slice(start, live.stderr.indexOf('Recording:', start));
    expect(replayTable.stdout).toBe(liveTable);
    // Every attempt is a request line with its caller, attempt, policy and wait.
    const lines = readFileSync(recording, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.type === 'request');
    expect(requests.length).toBe(summary.requests.sent);
    for (const request of requests) expect(request).toEqual(expect.objectContaining({ caller: expect.any(Number), attempt: expect.any(Number), policy: expect.any(String), waitedMs: expect.any(Number) }));
    // One policy after another on the one limit, a recovery pause between each two.
    const pauses = lines.filter((line) => line.type === 'phase' && line.kind === 'pause').map((line) => line.params);
    expect(pauses).toHaveLength(POLICY_NAMES.length - 1);
    return { summary, pauses };
  } finally {
    await limiter.stop();
  }
}

const nginxMissing = nginxPath() === null;

describe.skipIf(nginxMissing)(`retry against nginx limit_req${nginxMissing ? ' (skipped: nginx is not installed; apt-get install nginx)' : ''}`, () => {
  it('10r/s burst=2 nodelay (429): every policy runs and the recording replays to the same table', async () => {
    const { summary, pauses } = await retryAndReplay(() => startNginx({ rate: 10, burst: 2, status: 429 }));
    // nginx sends no hint: the header policies fall back to their backoff, and each pause is --recovery.
    expect(summary.throttled.retryAfterMs.max).toBeNull();
    for (const pause of pauses) expect(pause).toEqual({ pauseMs: 1000, basis: 'a refusal without a hint: the default pause' });
  }, CASE_TIMEOUT_MS);
});

describe('retry against express-rate-limit (IETF draft-8 headers)', () => {
  it('limit 4 per 1 s: every policy runs and the recording replays to the same table', async () => {
    const { summary, pauses } = await retryAndReplay(() => startExpressRateLimit({ limit: 4, windowMs: 1000, standardHeaders: 'draft-8' }));
    expect(summary.headers.families).toContain('ietf');
    // Its refusals name their wait: each pause lasts until the hinted waits have passed (at least 1 s).
    for (const pause of pauses) {
      expect(pause.basis).toMatch(/the longest wait its refusals asked for|no refusal/);
      expect(pause.pauseMs).toBeGreaterThanOrEqual(1000);
    }
  }, CASE_TIMEOUT_MS);
});
