/**
 * The sending commands beyond burst/steady/ramp/run split across shard processes on
 * loopback (docs/sharding.md), each against one simulator with the coordinator:
 *   - `retry`: every policy's callers are striped between the shards, every caller runs
 *     exactly once, and the merged lab counts the callers one process counts;
 *   - realtime phases (`run` with a realtime scenario): every session of every phase is
 *     opened exactly once, the phases start together on every shard (planned starts),
 *     and the merged sessions and turns equal one process's.
 * Then the coordinator's failures: a shard 0 that never comes up, or dies while the
 * others wait, ends them with one message and exit 2 within --start-timeout.
 */
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunLine } from '../../src/record/types.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { ensureBuilt, hasStackTrace, runCli, startCli, temporaryFolder, waitFor, type CliResult } from '../support/spawn-cli.js';
import { linesOf, summaryOf } from '../support/recorded-output.js';

/** Starts shard 0 (the coordinator, on a free port), then the others against it; resolves when all ended. */
async function runShards(folder: string, shards: number, args: (index: number, coordinator: string) => string[]): Promise<CliResult[]> {
  const first = startCli(args(0, '127.0.0.1:0'), { cwd: folder, timeoutMs: 90_000 });
  let port = 0;
  await waitFor(() => {
    port = Number(/serves the shared start on 127\.0\.0\.1:(\d+)/.exec(first.stderr())?.[1] ?? 0);
    return port > 0 || first.child.exitCode !== null;
  }, 30_000, 'the coordinator to listen');
  expect(port, first.stderr()).toBeGreaterThan(0);
  const others = Array.from({ length: shards - 1 }, (_, offset) => startCli(args(offset + 1, `127.0.0.1:${port}`), { cwd: folder, timeoutMs: 90_000 }));
  return Promise.all([first.done, ...others.map((other) => other.done)]);
}

/** A loopback port nothing listens on (a coordinator that never came up). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function chatUrl(simulator: RunningSimulator): string {
  return `${simulator.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
}

describe('sharded retry and realtime on loopback', () => {
  let simulator: RunningSimulator | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('retry: each policy\'s callers are split between the shards, each caller once; the merged lab counts what one process counts', async () => {
    const SHARDS = 2;
    const CALLERS = 12;
    const lab = (url: string): string[] => ['retry', '--url', url, '--api-key', 'test-key', '--policies', 'header-jitter,fixed', '--callers', String(CALLERS), '--max-attempts', '4', '--give-up-after', '3s', '--recovery', '1s', '--quiet'];

    const single = temporaryFolder('shards-retry-single');
    simulator = await startSimulator({ tpm: 50_000 });
    const whole = summaryOf(await runCli([...lab(chatUrl(simulator)), '--record', 'whole.ndjson', '--json'], { cwd: single, timeoutMs: 60_000 }));
    await simulator.close();

    const folder = temporaryFolder('shards-retry');
    mkdirSync(join(folder, 'recordings'));
    simulator = await startSimulator({ tpm: 50_000 });
    const url = chatUrl(simulator);
    const results = await runShards(folder, SHARDS, (index, coordinator) => [...lab(url), '--shard', `${index}/${SHARDS}`, '--coordinator', coordinator, '--record', join('recordings', `shard-${index}.ndjson`)]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    // Every (policy, caller) of the whole lab on exactly one shard; attempts' seqs never meet.
    const callersSeen = new Map<string, number>();
    const seqs: number[] = [];
    for (const file of readdirSync(join(folder, 'recordings'))) {
      const lines = linesOf(join(folder, 'recordings', file));
      const index = (lines[0] as unknown as RunLine).shard!.index;
      for (const line of lines.filter((entry) => entry.type === 'request')) {
        expect((line.caller as number) % SHARDS).toBe(index);
        callersSeen.set(`${String(line.policy)}#${String(line.caller)}`, index);
        seqs.push(line.seq as number);
      }
      const phases = lines.filter((entry) => entry.type === 'phase' && entry.kind === 'burst');
      expect(phases.map((phase) => (phase.params as Record<string, unknown>).shardCallers)).toEqual([CALLERS / SHARDS, CALLERS / SHARDS]);
    }
    expect(callersSeen.size).toBe(2 * CALLERS);
    expect(new Set(seqs).size).toBe(seqs.length);

    const merged = summaryOf(await runCli(['report', 'recordings', '--format', 'json'], { cwd: folder }));
    expect(merged.callers?.total).toBe(whole.callers?.total);
    expect(merged.callers?.total).toBe(2 * CALLERS);
    expect(merged.retry?.policies.map((policy) => [policy.name, policy.callers.total])).toEqual(whole.retry?.policies.map((policy) => [policy.name, policy.callers.total]));
    expect(merged.verdict).toContain('Merged 2 of 2 shards');
    expect(merged.schedule.crossShardSpreadMs).toBeTypeOf('number');
  }, 180_000);

  it('realtime phases: every session opened once across the shards, phases started together, merged sessions and turns as one process', async () => {
    const SHARDS = 3;
    const scenario = (url: string): string => `name: rt-shards
target:
  url: "${url.replace(/^http/, 'ws')}/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime"
phases:
  - name: ramp
    session-ramp: { step: 2, every: 300ms, max: 12 }
  - name: opens
    sessions: { count: 10, rate: 5/s }
  - name: responses
    turns: { sessions: 1, turns: 5, gap: 100ms }
`;
    const PLANNED = 12 + 10 + 1;

    const single = temporaryFolder('shards-rt-single');
    simulator = await startSimulator({ profile: 'speech' });
    writeFileSync(join(single, 'rt.yaml'), scenario(simulator.url));
    const whole = summaryOf(await runCli(['run', 'rt.yaml', '--api-key', 'test-key', '--record', 'whole.ndjson', '--json', '--quiet'], { cwd: single, timeoutMs: 60_000 }));
    await simulator.close();

    const folder = temporaryFolder('shards-rt');
    mkdirSync(join(folder, 'recordings'));
    simulator = await startSimulator({ profile: 'speech' });
    writeFileSync(join(folder, 'rt.yaml'), scenario(simulator.url));
    const results = await runShards(folder, SHARDS, (index, coordinator) => ['run', 'rt.yaml', '--api-key', 'test-key', '--shard', `${index}/${SHARDS}`, '--coordinator', coordinator, '--record', join('recordings', `shard-${index}.ndjson`), '--quiet']);
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const sids: number[] = [];
    let turns = 0;
    const phaseStarts = new Map<string, number[]>();
    for (const file of readdirSync(join(folder, 'recordings'))) {
      const lines = linesOf(join(folder, 'recordings', file));
      const shard = (lines[0] as unknown as RunLine).shard!;
      for (const line of lines) {
        if (line.type === 'session') {
          expect((line.sid as number) % SHARDS).toBe(shard.index);
          sids.push(line.sid as number);
        }
        if (line.type === 'turn') turns++;
        // Each phase's start on the coordinator's clock (epoch ms): the same planned instant on every shard.
        if (line.type === 'phase') phaseStarts.set(line.name as string, [...(phaseStarts.get(line.name as string) ?? []), shard.clockZeroEpochMs + (shard.offsetMs ?? 0) + (line.startMs as number)]);
      }
    }
    expect([...sids].sort((a, b) => a - b)).toEqual(Array.from({ length: PLANNED }, (_, sid) => sid));
    expect(turns).toBe(5);
    expect([...phaseStarts.keys()]).toEqual(['ramp', 'opens', 'responses']);
    // Loose: the box is shared by several test runs; unplanned phases would drift by the previous phase's closes.
    for (const starts of phaseStarts.values()) expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(500);

    const merged = summaryOf(await runCli(['report', 'recordings', '--format', 'json'], { cwd: folder }));
    expect(merged.realtime!.sessions.opened + merged.realtime!.sessions.refused).toBe(PLANNED);
    expect(merged.realtime!.sessions.opened).toBe(whole.realtime!.sessions.opened);
    expect(merged.realtime!.sessions.refused).toBe(whole.realtime!.sessions.refused);
    expect(merged.verdict).toContain('Merged 3 of 3 shards');
    expect(merged.schedule.crossShardSpreadMs).toBeTypeOf('number');
    expect(merged.schedule.crossShardSpreadMs!).toBeLessThan(1000);
  }, 180_000);
});

describe('a coordinator that is not there', () => {
  beforeAll(() => ensureBuilt());

  it('a shard whose coordinator never comes up stops after --start-timeout: one message, exit 2, no recording', async () => {
    const folder = temporaryFolder('shards-no-coordinator');
    const port = await freePort();
    const result = await runCli(['burst', '--size', '4', '--shard', '1/2', '--coordinator', `127.0.0.1:${port}`, '--start-timeout', '2s', '--record', 'shard-1.ndjson', '--quiet'], { cwd: folder, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('shard 1 of 2 could not start');
    expect(result.stderr).toContain('did not answer within 2 s');
    expect(result.stderr).toContain('--start-timeout');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(existsSync(join(folder, 'shard-1.ndjson'))).toBe(false);
  }, 60_000);

  it('shard 0 that dies while the others wait at its barrier ends them with exit 2; shard 0 alone names who did not check in', async () => {
    const folder = temporaryFolder('shards-coordinator-dies');
    // Three shards, only two started: shard 1 waits at the barrier for shard 2 until shard 0 dies.
    const coordinator = startCli(['burst', '--size', '6', '--shard', '0/3', '--coordinator', '127.0.0.1:0', '--start-timeout', '30s', '--record', 'shard-0.ndjson', '--quiet'], { cwd: folder, timeoutMs: 60_000 });
    let port = 0;
    await waitFor(() => {
      port = Number(/serves the shared start on 127\.0\.0\.1:(\d+)/.exec(coordinator.stderr())?.[1] ?? 0);
      return port > 0 || coordinator.child.exitCode !== null;
    }, 30_000, 'the coordinator to listen');
    const waiting = startCli(['burst', '--size', '6', '--shard', '1/3', '--coordinator', `127.0.0.1:${port}`, '--start-timeout', '3s', '--record', 'shard-1.ndjson', '--quiet'], { cwd: folder, timeoutMs: 60_000 });
    // Let shard 1 measure its offset and reach the barrier, then kill shard 0 outright.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    coordinator.child.kill('SIGKILL');
    await coordinator.done;
    const result = await waiting.done;
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('shard 1 of 3 could not start');
    expect(result.stderr).toContain('coordinator (shard 0)');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(existsSync(join(folder, 'shard-1.ndjson'))).toBe(false);

    const alone = await runCli(['burst', '--size', '6', '--shard', '0/3', '--coordinator', '127.0.0.1:0', '--start-timeout', '2s', '--record', 'alone.ndjson', '--quiet'], { cwd: folder, timeoutMs: 30_000 });
    expect(alone.code, alone.stderr).toBe(2);
    expect(alone.stderr).toContain('shards 1, 2 did not check in');
    expect(hasStackTrace(alone.stderr)).toBe(false);
    expect(existsSync(join(folder, 'alone.ndjson'))).toBe(false);
  }, 90_000);
});
