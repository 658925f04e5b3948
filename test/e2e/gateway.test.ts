/**
 * A burst and a replay through the simulated API Management gateway (priority pool,
 * circuit breaker, fast retry, stripped rate-limit headers), through the real
 * executable: per-region counts match what each backend served, the failover and
 * the stripped headers are named, and `report` gives the same byTarget and byRegion.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import { parseBreaker, parseRetry, parseStripHeaders, startGatewaySimulator, type RunningGateway } from '../../src/sim/gateway/index.js';
import { linesOf } from '../support/recorded-output.js';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';

const workDir = temporaryFolder('gateway');
const KEY_ENV = { AZURE_OPENAI_API_KEY: 'test-key-for-loopback' };

describe('burst through a simulated APIM pool', () => {
  let gateway: RunningGateway;
  let summary: Summary;
  const recording = join(workDir, 'pool.ndjson');

  beforeAll(async () => {
    // Each backend: 30,000 TPM → 180 RPM → a 1-s cap of 3. The pool can admit 3 + 3 + 3 at one instant.
    gateway = await startGatewaySimulator({
      // A clock that stands still: the burst is one instant for every limiter and breaker, however busy the machine.
      clock: () => 0,
      backends: 'primary:tpm=30000:region=East US,second:tpm=30000:region=West US:priority=2,third:tpm=30000:region=Sweden Central:priority=2',
      routing: 'priority',
      breaker: parseBreaker('count=1,interval=1m,trip=1m,accept-retry-after'),
      retry: parseRetry('count=2,interval=0,first-fast-retry'),
      stripHeaders: parseStripHeaders('x-ratelimit-*,retry-after-ms'),
    });
    const url = `${gateway.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
    const run = await runCli(['burst', '--url', url, '--size', '20', '--max-tokens', '10', '--json', '--record', recording], { cwd: workDir, env: KEY_ENV, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    summary = JSON.parse(run.stdout) as Summary;
  }, 90_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it('counts per region exactly what each backend admitted, and the pool burst from them', () => {
    const admittedBy = (name: string): number => gateway.served.get(name)?.get(200) ?? 0;
    expect(summary.byRegion?.eastus?.requests.ok).toBe(admittedBy('primary'));
    expect(summary.byRegion?.westus?.requests.ok).toBe(admittedBy('second'));
    expect(summary.byRegion?.swedencentral?.requests.ok).toBe(admittedBy('third'));
    expect(summary.byRegion?.eastus?.name).toBe('East US');
    const poolAdmitted = admittedBy('primary') + admittedBy('second') + admittedBy('third');
    expect(summary.requests.ok).toBe(poolAdmitted);
    expect(poolAdmitted).toBe(9);
    expect(summary.effective.requests.burst).toBe(9);
    expect(summary.byTarget?.default?.requests.sent).toBe(20);
  });

  it('names the gateway, the failover and the stripped headers', () => {
    expect(summary.gateway?.detected).toBe(true);
    expect(summary.gateway?.kind).toBe('apim');
    expect(summary.gateway?.failovers[0]).toMatchObject({ target: 'default', from: 'East US' });
    expect(summary.gateway?.signs.map((sign) => sign.code)).toEqual(expect.arrayContaining(['region-change', 'breaker-503', 'flat-refusal-body']));
    // Which answers reach the client depends on how the 20 concurrent requests interleave in the
    // gateway: a backend's 429 (Azure's body, retry-after-ms stripped) comes through only when the
    // gateway's own retries and breaker do not answer first. retry-after-ms is named exactly when one did.
    const refusalsSeen = linesOf(recording).filter((line) => line.type === 'request' && line.status === 429).length;
    expect(summary.gateway?.strippedHeaders).toEqual(['x-ratelimit-remaining-requests', 'x-ratelimit-remaining-tokens', ...(refusalsSeen > 0 ? ['retry-after-ms'] : [])]);
    expect(summary.verdict).toMatch(/The pool admitted a burst of 9 across 3 regions/);
    expect(summary.verdict).toMatch(/The answering region changed \d+ times? \(first at [\d.]+ s: East US → /);
    expect(summary.verdict).toMatch(/503 answers came from the gateway itself/);
  });

  it('report replays the same byTarget, byRegion and gateway reading from the recording', async () => {
    const run = await runCli(['report', recording, '--format', 'json'], { cwd: workDir });
    expect(run.code, run.stderr).toBe(0);
    const again = JSON.parse(run.stdout) as Summary;
    expect(again.byTarget).toEqual(summary.byTarget);
    expect(again.byRegion).toEqual(summary.byRegion);
    expect(again.gateway).toEqual(summary.gateway);
  });

  it('--expect addresses a region', async () => {
    const run = await runCli(['report', recording, '--format', 'json', '--expect', 'byRegion.eastus.requests.ok == 3', '--expect', 'byTarget.default.requests.ok >= 10'], { cwd: workDir });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/1 of 2 expectations not met/);
    expect(run.stderr).toMatch(/byTarget\.default\.requests\.ok >= 10 +\(measured 9\)/);
    const met = await runCli(['report', recording, '--format', 'json', '--expect', 'byRegion.eastus.requests.ok == 3', '--expect', 'gateway.kind == apim'], { cwd: workDir });
    expect(met.code, met.stderr).toBe(0);
  });
});
