/**
 * `probe` through the simulated API Management gateway (a priority pool of two
 * regions, a circuit breaker that trips on one 429 for the backend's Retry-After,
 * one fast retry, the rate-limit headers stripped): the probe measures the pool,
 * not one backend (its burst and sustained rate within the probe's usual accuracy),
 * and its verdict names the failover and the stripped headers.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import { parseBreaker, parseRetry, parseStripHeaders, startGatewaySimulator, type RunningGateway } from '../../src/sim/gateway/index.js';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';

const workDir = temporaryFolder('probe-gateway');

describe('probe through a simulated priority pool with a breaker', () => {
  let gateway: RunningGateway;
  let summary: Summary;

  beforeAll(async () => {
    // Each backend: 30,000 TPM → a 1-s cap of 3 and 30 per 10 s, i.e. 3 per second sustained.
    gateway = await startGatewaySimulator({
      backends: 'primary:tpm=30000:region=East US,secondary:tpm=30000:region=West US:priority=2',
      routing: 'priority',
      breaker: parseBreaker('count=1,interval=1m,trip=1m,accept-retry-after'),
      retry: parseRetry('count=1,interval=0,first-fast-retry'),
      stripHeaders: parseStripHeaders('x-ratelimit-*,retry-after-ms'),
    });
    const url = `${gateway.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
    const run = await runCli(['probe', '--url', url, '--max-tokens', '10', '--json', '--quiet', '--record', join(workDir, 'probe.ndjson')], {
      cwd: workDir,
      env: { AZURE_OPENAI_API_KEY: 'test-key-for-loopback' },
      timeoutMs: 280_000,
    });
    expect(run.code, run.stderr).toBe(0);
    summary = JSON.parse(run.stdout) as Summary;
  }, 300_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it("finds the pool's burst and sustained rate within the probe's accuracy goal (±10 %, docs/probe.md)", () => {
    // The pool: each backend's 1-s cap of 3 at one instant, and each backend's 3 per second
    // sustained once the breaker sends the overflow of the tripped one to the other.
    const poolBurst = 3 + 3;
    const poolPerSecond = 3 + 3;
    expect(Math.abs(summary.effective.requests.burst! - poolBurst)).toBeLessThanOrEqual(Math.max(1, 0.1 * poolBurst));
    expect(summary.effective.requests.perSecond).not.toBeNull();
    expect(Math.abs(summary.effective.requests.perSecond! - poolPerSecond)).toBeLessThanOrEqual(0.1 * poolPerSecond);
    expect(summary.verdict).toMatch(/The pool admitted a burst of \d+ and [\d.]+ per second across 2 regions/);
  });

  it('names the regions that served it, the failover and the stripped headers', () => {
    expect(Object.keys(summary.byRegion ?? {}).sort()).toEqual(['eastus', 'westus']);
    expect(summary.byRegion?.westus?.requests.ok).toBe(gateway.served.get('secondary')?.get(200));
    expect(summary.gateway?.failovers[0]).toMatchObject({ from: 'East US', to: 'West US' });
    expect(summary.gateway?.strippedHeaders).toEqual(['x-ratelimit-remaining-requests', 'x-ratelimit-remaining-tokens', 'retry-after-ms']);
    expect(summary.verdict).toMatch(/across 2 regions \(East US \d+, West US \d+ admitted\)/);
    expect(summary.verdict).toMatch(/the gateway failed over/);
    expect(summary.verdict).toMatch(/The path removed x-ratelimit-remaining-requests, x-ratelimit-remaining-tokens, retry-after-ms/);
  });
});
