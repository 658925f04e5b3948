/**
 * The shard flags through the real CLI on the embedded simulator (docs/sharding.md):
 * `--shards N` takes the index from JOB_COMPLETION_INDEX as a Kubernetes Indexed Job sets
 * it, and every mistake is one message naming the fix, exit 2, nothing sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestLine, RunLine } from '../../src/record/types.js';
import { ensureBuilt, hasStackTrace, runCli, temporaryFolder } from '../support/spawn-cli.js';

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('shard flags', () => {
  beforeAll(() => ensureBuilt());

  it('--shards N with JOB_COMPLETION_INDEX sends that shard\'s share, numbered as in the whole plan', async () => {
    const folder = temporaryFolder('shard-flags');
    const result = await runCli(['burst', '--size', '10', '--shards', '3', '--shard-label', 'eastus', '--record', 'shard.ndjson', '--quiet'], { cwd: folder, env: { JOB_COMPLETION_INDEX: '1' } });
    expect(result.code, result.stderr).toBe(0);
    const recorded = lines(join(folder, 'shard.ndjson'));
    const run = recorded[0] as unknown as RunLine;
    expect(run.shard).toMatchObject({ index: 1, count: 3, label: 'eastus', offsetMs: null, offsetErrorMs: null, startAt: null });
    expect(typeof run.shard!.clockZeroEpochMs).toBe('number');
    const seqs = (recorded.filter((line) => line.type === 'request') as unknown as RequestLine[]).map((line) => line.seq).sort((a, b) => a - b);
    expect(seqs).toEqual([1, 4, 7]);
    expect(result.stderr).toContain('shard 1 of 3');
  });

  it.each([
    [['burst', '--shard', '3/3'], 'does not exist'],
    [['burst', '--shard', 'two'], 'is not I/N'],
    [['burst', '--shards', '3'], 'JOB_COMPLETION_INDEX'],
    [['burst', '--shard', '0/2', '--shards', '2'], 'give one'],
    [['burst', '--coordinator', '127.0.0.1:7070'], 'add --shard'],
    [['burst', '--shard', '0/2', '--coordinator', 'nowhere'], 'is not HOST:PORT'],
    [['burst', '--start-at', '2026-12-02T05:00:00'], 'with a zone'],
    [['burst', '--shard-label', 'eastus'], 'labels a shard'],
    [['burst', '--size', '2', '--shard', '2/3'], 'gets no request'],
    [['probe', '--shard', '0/2', '--budget-requests', '5'], 'probe cannot be sharded: it chooses each experiment from the answers'],
    [['retry', '--callers', '2', '--shard', '2/3'], 'gets no caller'],
    [['realtime', '--sessions', '2', '--shard', '2/3'], 'gets no session'],
    [['realtime', '--shard', '0/2', '--coordinator', 'nowhere'], 'is not HOST:PORT'],
    [['burst', '--shard', '0/2', '--start-timeout', '1m'], '--start-timeout bounds the wait at the coordinator'],
    [['burst', '--shard', '0/2', '--coordinator', '127.0.0.1:7070', '--start-timeout', '10ms'], 'leaves no time to meet'],
  ])('%j: exit 2 naming the problem', async (args, message) => {
    const folder = temporaryFolder('shard-flags-bad');
    const result = await runCli([...args, '--record', 'never.ndjson'], { cwd: folder });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).not.toContain('Recording:');
  });
});
