/**
 * Several targets in one run (`--target NAME=URL`, `--target-key NAME=ENV_VAR`, a
 * scenario's `spread:`): two simulators with different limits, each target's counts
 * equal what its simulator served, and `report` on the recording gives the same byTarget.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';

const workDir = temporaryFolder('multi-target');

/** A simulator that counts its answers by status. */
async function countingSimulator(tpm: number): Promise<{ simulator: RunningSimulator; served: Map<number, number> }> {
  const served = new Map<number, number>();
  const simulator = await startSimulator({
    tpm,
    // A clock that stands still: a burst is one instant for the limiter however busy the machine.
    clock: () => 0,
    log: (line) => {
      const status = / POST \S+ (\d{3}) /.exec(line)?.[1];
      if (status !== undefined) served.set(Number(status), (served.get(Number(status)) ?? 0) + 1);
    },
  });
  return { simulator, served };
}

function chatUrl(simulator: RunningSimulator): string {
  return `${simulator.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
}

function requestLines(path: string): { target: string; status: number | null; plannedMs: number }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"type":"request"'))
    .map((line) => JSON.parse(line) as { target: string; status: number | null; plannedMs: number });
}

describe('--target: two simulators with different limits in one run', () => {
  let small: Awaited<ReturnType<typeof countingSimulator>>;
  let large: Awaited<ReturnType<typeof countingSimulator>>;

  // Fresh simulators for every test: their clocks stand still, so a used limiter never refills.
  beforeEach(async () => {
    // 30,000 TPM → a 1-s cap of 3; 100,000 TPM → 10.
    small = await countingSimulator(30_000);
    large = await countingSimulator(100_000);
  });
  afterEach(async () => {
    await small?.simulator.close();
    await large?.simulator.close();
  });

  it.each([
    ['burst', ['burst', '--size', '15']],
    ['steady', ['steady', '--rate', '20/s', '--duration', '1s']],
  ])('%s: per-target counts equal what each simulator served, and report gives the same byTarget', async (name, args) => {
    const recording = join(workDir, `${name}.ndjson`);
    const run = await runCli(
      [...args, '--target', `small=${chatUrl(small.simulator)}`, '--target', `large=${chatUrl(large.simulator)}`, '--target-key', 'large=LARGE_KEY', '--max-tokens', '10', '--json', '--quiet', '--record', recording],
      { cwd: workDir, env: { AZURE_OPENAI_API_KEY: 'shared-loopback-key', LARGE_KEY: 'large-loopback-key' }, timeoutMs: 60_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    for (const [target, backend] of [['small', small], ['large', large]] as const) {
      expect(summary.byTarget?.[target]?.requests.ok, target).toBe(backend.served.get(200) ?? 0);
      expect(summary.byTarget?.[target]?.requests.throttled, target).toBe(backend.served.get(429) ?? 0);
    }
    // The two limits differ, so the two targets' admissions do too: each target got its own share.
    expect(summary.byTarget?.small?.requests.ok).toBeLessThan(summary.byTarget?.large?.requests.ok ?? 0);
    const text = readFileSync(recording, 'utf8');
    const runLine = JSON.parse(text.split('\n')[0]!) as { targets: { id: string }[] };
    expect(runLine.targets.map((target) => target.id)).toEqual(['small', 'large']);
    expect(text).not.toContain('large-loopback-key');
    expect(text).not.toContain('shared-loopback-key');
    const report = await runCli(['report', recording, '--format', 'json'], { cwd: workDir });
    expect(report.code, report.stderr).toBe(0);
    expect((JSON.parse(report.stdout) as Summary).byTarget).toEqual(summary.byTarget);
    if (name === 'burst') {
      // Both targets' bursts leave at the same planned instant.
      expect(new Set(requestLines(recording).map((line) => line.plannedMs)).size).toBe(1);
    }
  }, 90_000);

  it.each([
    ['each', 12, 12],
    ['round-robin', 6, 6],
    ['weighted', 9, 3],
  ])('a scenario with spread: %s sends %i and %i', async (spread, toSmall, toLarge) => {
    const scenario = join(workDir, `spread-${spread}.yaml`);
    writeFileSync(
      scenario,
      [
        'targets:',
        `  small: { url: "${chatUrl(small.simulator)}" }`,
        `  large: { url: "${chatUrl(large.simulator)}", keyEnv: LARGE_KEY }`,
        'payload: { maxTokens: 10 }',
        'phases:',
        `  - { name: b, burst: 12, spread: ${spread}${spread === 'weighted' ? ', weights: { small: 3, large: 1 }' : ''} }`,
        '',
      ].join('\n'),
    );
    const recording = join(workDir, `spread-${spread}.ndjson`);
    const run = await runCli(['run', scenario, '--quiet', '--record', recording], { cwd: workDir, env: { AZURE_OPENAI_API_KEY: 'shared-loopback-key', LARGE_KEY: 'large-loopback-key' }, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    const lines = requestLines(recording);
    expect(lines.filter((line) => line.target === 'small')).toHaveLength(toSmall);
    expect(lines.filter((line) => line.target === 'large')).toHaveLength(toLarge);
  }, 90_000);

  it.each([
    [['--target', 'no-equals-sign'], /--target "no-equals-sign" is not NAME=URL/],
    [['--target', 'east=azure:nodeployment'], /is not azure:ENDPOINT\/DEPLOYMENT/],
    [['--target', 'east=http://127.0.0.1:9/v1/chat/completions', '--target-key', 'west=WEST_KEY'], /--target-key west: no --target is named "west"; the targets are east/],
    [['--target', 'east=http://127.0.0.1:9/v1/chat/completions', '--target-key', 'east=UNSET_KEY_VARIABLE'], /the environment variable UNSET_KEY_VARIABLE is not set/],
  ])('bad input %j exits 2 with a clear message and sends nothing', async (args, message) => {
    const run = await runCli(['burst', '--size', '2', ...args], { cwd: workDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
