/**
 * A real gateway on loopback: nginx with an upstream pool (a primary and two
 * backups, `proxy_next_upstream http_429`) in front of three simulators with
 * different regions and limits. A burst through it, through the real executable:
 * the per-region counts equal what each simulator served, the failover is
 * detected, and the pool's burst is found within ±10 %.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { startNginxPool, type RunningNginxPool } from '../support/gateways/nginx-pool.js';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';

const workDir = temporaryFolder('nginx-pool-e2e');

/** A simulator that counts its answers by status. */
async function countingSimulator(tpm: number, region: string): Promise<{ simulator: RunningSimulator; served: Map<number, number> }> {
  const served = new Map<number, number>();
  const simulator = await startSimulator({
    tpm,
    region,
    // A clock that stands still: the burst is one instant for the limiters however long a busy
    // machine takes to pass 30 requests through nginx, so the pool's burst is exactly the sum of the caps.
    clock: () => 0,
    log: (line) => {
      const status = / POST \S+ (\d{3}) /.exec(line)?.[1];
      if (status !== undefined) served.set(Number(status), (served.get(Number(status)) ?? 0) + 1);
    },
  });
  return { simulator, served };
}

describe('burst through nginx failing over between three regions', () => {
  const backends: { simulator: RunningSimulator; served: Map<number, number>; key: string }[] = [];
  let pool: RunningNginxPool;
  let summary: Summary;

  beforeAll(async () => {
    // 1-s caps (RPM/60, RPM = 6 × TPM / 1000): 30,000 TPM → 3, 60,000 → 6, 20,000 → 2. The pool: 11 at one instant.
    for (const [tpm, region, key] of [[30_000, 'East US', 'eastus'], [60_000, 'West Europe', 'westeurope'], [20_000, 'Japan East', 'japaneast']] as const) {
      backends.push({ ...(await countingSimulator(tpm, region)), key });
    }
    pool = await startNginxPool(backends.map((backend) => backend.simulator.url));
    const url = `${pool.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
    const run = await runCli(['burst', '--url', url, '--size', '30', '--max-tokens', '10', '--json', '--record', join(workDir, 'nginx-pool.ndjson')], {
      cwd: workDir,
      env: { AZURE_OPENAI_API_KEY: 'test-key-for-loopback' },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    summary = JSON.parse(run.stdout) as Summary;
  }, 90_000);
  afterAll(async () => {
    await pool?.stop();
    for (const backend of backends) await backend.simulator.close();
  });

  it('counts per region what each simulator admitted', () => {
    for (const backend of backends) {
      expect(summary.byRegion?.[backend.key]?.requests.ok, backend.key).toBe(backend.served.get(200) ?? 0);
    }
    expect(summary.requests.ok).toBe(backends.reduce((total, backend) => total + (backend.served.get(200) ?? 0), 0));
  });

  it('detects the failover from the primary region', () => {
    expect(summary.gateway?.detected).toBe(true);
    expect(summary.gateway?.signs.map((sign) => sign.code)).toContain('region-change');
    expect(summary.gateway?.failovers[0]?.from).toBe('East US');
  });

  it("finds the pool's burst within ±10 %", () => {
    const poolBurst = 3 + 6 + 2;
    expect(summary.effective.requests.burst).not.toBeNull();
    expect(Math.abs(summary.effective.requests.burst! - poolBurst)).toBeLessThanOrEqual(0.1 * poolBurst);
  });
});
