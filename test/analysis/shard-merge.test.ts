/**
 * Merging shard recordings (src/analysis/shard-merge.ts), on made-up lines with exact
 * times: a shard's times are placed by its clock's zero plus its measured offset, its
 * burst share joins the other shards' instant, the start spread is each shard's lateness
 * against that instant, and a spread beyond the window under test is flagged.
 */
import { describe, expect, it } from 'vitest';
import { analyseLines } from '../../src/analysis/summarise.js';
import type { RecordLine, RequestLine, RunLine, ShardIdentity } from '../../src/record/types.js';

const ZERO = 1_767_225_600_000;

/** One shard's recording: a 2-request burst share, planned 10 ms after its clock's zero, sent `lateMs` after that. */
function shardLines(index: number, identity: Partial<ShardIdentity>, lateMs: number): RecordLine[] {
  const run: RunLine = {
    type: 'run',
    v: 1,
    tool: { name: 'aoai-probe', version: '0.1.0' },
    command: 'burst',
    startedAt: new Date(identity.clockZeroEpochMs ?? ZERO).toISOString(),
    advertised: { tpm: null, rpm: null, source: 'none' },
    targets: [{ id: 'default', kind: 'http', url: 'http://127.0.0.1:1/', deployment: null }],
    payload: { kind: 'chat', model: 'gpt-4o', maxTokens: null, promptTokens: null, stream: false },
    shard: { index, count: 2, host: `host-${index}`, label: null, offsetMs: null, offsetErrorMs: null, clockZeroEpochMs: ZERO, startAt: null, ...identity },
  };
  const requests = [0, 1].map(
    (k): RequestLine => ({
      type: 'request',
      seq: index + 2 * k,
      phase: 'burst',
      target: 'default',
      plannedMs: 10,
      sentMs: 10 + lateMs + k * 0.5,
      firstByteMs: 30 + lateMs,
      doneMs: 40 + lateMs + index * 10 + k,
      status: 200,
      errorKind: null,
      headers: {},
      error: null,
      usage: null,
      estimatedTokens: 10,
      maxTokens: null,
      clientRequestId: `id-${index}-${k}`,
    }),
  );
  return [run, { type: 'phase', name: 'burst', kind: 'burst', startMs: 10, params: { size: 4 } }, ...requests, { type: 'end', reason: 'completed', endMs: 60, sent: 2, dropped: 0 }];
}

describe('merging shard recordings', () => {
  it('removes a measured clock offset: the shares form one burst instant, and the spread is the shards\' lateness', async () => {
    // Shard 1's clock runs 5 s ahead: its zero reads 5 s later, and the coordinator measured −5 s.
    const lines = [...shardLines(0, { offsetMs: 0, offsetErrorMs: 0 }, 1), ...shardLines(1, { clockZeroEpochMs: ZERO + 5_000, offsetMs: -5_000, offsetErrorMs: 0.2 }, 4)];
    const { summary } = await analyseLines(lines);
    expect(summary.requests.sent).toBe(4);
    expect(summary.effective.requests.burst).toBe(4);
    // One instant of four: sent from 11 to 14.5 ms.
    expect(summary.schedule.sendSpreadMs).toBe(3.5);
    expect(summary.schedule.crossShardSpreadMs).toBe(3);
    expect(summary.byShard?.['1']).toMatchObject({ index: 1, offsetMs: -5_000, offsetErrorMs: 0.2, startedAfterMs: 3, requests: { sent: 2 } });
    expect(summary.byShard?.['0']?.startedAfterMs).toBe(0);
    // Latency from every request's value: the slowest, shard 1's second, (40 + 4 + 10 + 1) − (10 + 4 + 0.5), is the merged max.
    expect(summary.latency.max).toBe(40.5);
    expect(summary.verdict).toContain('Merged 2 of 2 shards');
    expect(summary.verdict).not.toContain('Flagged');
  });

  it('flags a burst whose shards started further apart than the window under test', async () => {
    // No coordinator: shard 1's wrong clock stays, and its share lands 1.5 s after shard 0's.
    const lines = [...shardLines(0, {}, 1), ...shardLines(1, { clockZeroEpochMs: ZERO + 1_500 }, 1)];
    const result = await analyseLines(lines);
    expect(result.summary.schedule.crossShardSpreadMs).toBe(1_500);
    expect(result.summary.verdict).toContain('Flagged');
    expect(result.warnings.join('\n')).toContain('further apart than the window under test');
  });

  it('warns when a shard is missing or given twice', async () => {
    const alone = await analyseLines(shardLines(1, {}, 1));
    expect(alone.warnings.join('\n')).toContain('this recording is shard 1 of 2');
    const twice = await analyseLines([...shardLines(0, {}, 1), ...shardLines(0, {}, 1)]);
    expect(twice.warnings.join('\n')).toContain('appears in more than one recording');
  });
});
