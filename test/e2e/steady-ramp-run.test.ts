/**
 * steady, ramp and every example scenario, through the real executable against the
 * embedded simulator: each runs to the end, exits 0 and prints its summary. The
 * scenarios run side by side (each is mostly waiting on its schedule).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import { runCli } from '../support/spawn-cli.js';

const scenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const scenarioFiles = readdirSync(scenariosDir).filter((name) => /\.(ya?ml|json)$/.test(name));

describe('steady and ramp on the embedded simulator', () => {
  it('steady --rate 5/s --duration 2s sends 10 requests and prints the summary', async () => {
    const run = await runCli(['steady', '--rate', '5/s', '--duration', '2s', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.command).toBe('steady');
    expect(summary.requests.sent).toBe(10);
    expect(run.stderr).toMatch(/Timeline( from [\d.]+ s)?:/);
  });

  it('ramp --from 1/s --to 20/s --duration 4s rises into refusals and names the knee', async () => {
    const run = await runCli(['ramp', '--from', '1/s', '--to', '20/s', '--duration', '4s', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.requests.sent).toBe(42);
    expect(summary.requests.throttled).toBeGreaterThan(0);
    expect(summary.effective.requests.kneePerSecond).toEqual(expect.any(Number));
  });
});

describe('every example scenario runs', () => {
  it(`runs ${scenarioFiles.join(', ')} to the end`, { timeout: 120_000 }, async () => {
    const runs = await Promise.all(scenarioFiles.map((file) => runCli(['run', join(scenariosDir, file), '--json'], { timeoutMs: 90_000 })));
    runs.forEach((run, index) => {
      expect({ file: scenarioFiles[index], code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ file: scenarioFiles[index], code: 0, stderr: '' });
      const summary = JSON.parse(run.stdout) as Summary;
      // A realtime scenario sends sessions, not HTTP requests: it must have opened some.
      if (summary.realtime !== undefined) expect(summary.realtime.sessions.opened).toBeGreaterThan(0);
      else expect(summary.requests.sent).toBeGreaterThan(0);
      expect(summary.ended).toBe('completed');
    });
  });
});
