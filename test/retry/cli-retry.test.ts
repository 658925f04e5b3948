/**
 * The lab and --retry as a user runs them (the built bin): --help lists the policies,
 * bad input is one clear message and exit 2 with nothing sent, a user's own policy from a
 * file runs beside the catalogue's, and `burst --retry` retries its refusals and reports
 * callers beside the request counts, the same live and from the recording.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';
import { POLICY_NAMES } from '../../src/retry/catalogue.js';

function folder(): string {
  return temporaryFolder('cli-retry');
}

describe('aoai-probe retry', () => {
  it('--help lists every policy with its parameters and the SDK versions copied', async () => {
    const help = await runCli(['retry', '--help']);
    expect(help.code).toBe(0);
    for (const name of POLICY_NAMES) expect(help.stdout).toContain(`  ${name} `);
    expect(help.stdout).toContain('base=500ms');
    expect(help.stdout).toContain('jitter=full (full|equal|decorrelated)');
    expect(help.stdout).toContain('openai 6.49.0');
    expect(help.stdout).toContain('@azure/core-rest-pipeline 1.24.0');
  });

  it('bad policies and flags: every problem at once, exit 2, nothing recorded', async () => {
    const where = folder();
    const run = await runCli(['retry', '--policies', 'backoff,exponential:cap=soon', '--arrival', 'fast', '--callers', '0', '--record', join(where, 'x.ndjson')], { cwd: where });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"backoff" is not a retry policy; choose one of none, immediate/);
    expect(run.stderr).toMatch(/"soon" is not a duration/);
    expect(run.stderr).toMatch(/--arrival: "fast" is not a rate.*or burst/);
    expect(run.stderr).toMatch(/--callers: "0"/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(() => readFileSync(join(where, 'x.ndjson'))).toThrow();
    const orphan = await runCli(['burst', '--max-attempts', '3', '--dry-run']);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toMatch(/--max-attempts only mean something with --retry/);
  });

  it('runs a user policy from a file beside a catalogue one, each against its own simulator', async () => {
    const where = folder();
    writeFileSync(join(where, 'mine.yaml'), 'policies:\n  - { name: my-backoff, policy: exponential-jitter, jitter: equal, base: 200ms, cap: 2s }\n');
    const run = await runCli(['retry', '--sim', 'azure-seed', '--policies', 'none', '--policy-file', 'mine.yaml', '--callers', '8', '--give-up-after', '5s', '--json', '--record', 'lab.ndjson'], { cwd: where, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.retry.policies.map((figures: { name: string }) => figures.name)).toEqual(['none', 'my-backoff']);
    expect(summary.retry.policies[1].params).toEqual({ jitter: 'equal', base: '200ms', factor: 2, cap: '2s' });
    // none: the 1-s cap admits 5 of 8 at once and nobody retries.
    expect(summary.retry.policies[0].callers).toEqual({ total: 8, done: 5, gaveUp: 3 });
    expect(summary.retry.policies[1].callers.done).toBe(8);
    const replay = await runCli(['report', 'lab.ndjson', '--format', 'json'], { cwd: where });
    // The same summary, apart from how the recording's path was written (absolute live, as given to report).
    const { recording: _live, ...liveRest } = summary;
    const { recording: _replayed, ...replayRest } = JSON.parse(replay.stdout);
    expect(replayRest).toEqual(liveRest);
  });
});

describe('burst --retry', () => {
  it('retries the refusals: every caller done, callers beside the request counts, the same from the recording', async () => {
    const where = folder();
    const run = await runCli(['burst', '--sim', 'azure-seed', '--size', '10', '--retry', 'header-jitter', '--json', '--record', 'burst.ndjson'], { cwd: where, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.callers).toEqual({ total: 10, done: 10, gaveUp: 0 });
    expect(summary.requests.sent).toBeGreaterThan(10);
    expect(summary.requests.ok).toBe(10);
    expect(run.stderr).toMatch(/callers\s+10 \(each needs one answer\): 10 done, 0 gave up/);
    const lines = readFileSync(join(where, 'burst.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.type === 'request');
    expect(new Set(requests.filter((line) => line.attempt === 1).map((line) => line.caller)).size).toBe(10);
    for (const line of requests) expect(line).toMatchObject({ policy: 'header-jitter', phase: 'burst' });
    // A retry waits at least what the refusal asked (header-jitter never retries early).
    for (const line of requests.filter((request) => request.attempt > 1)) {
      const previous = requests.find((request) => request.caller === line.caller && request.attempt === line.attempt - 1);
      expect(line.waitedMs).toBeGreaterThanOrEqual(Number(previous.headers['retry-after-ms']));
      expect(line.plannedMs - previous.doneMs).toBeCloseTo(line.waitedMs, 0);
    }
    const replay = await runCli(['report', 'burst.ndjson', '--format', 'json'], { cwd: where });
    expect(JSON.parse(replay.stdout).callers).toEqual(summary.callers);
    expect(JSON.parse(replay.stdout).retry).toEqual(summary.retry);
  });
});
