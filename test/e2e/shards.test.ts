/**
 * A sharded run on loopback (docs/sharding.md): three shard processes with the
 * coordinator against one simulator send every planned request exactly once between
 * them, and `report` on their folder gives what one process running the whole plan gives
 * (counts exactly; the burst and the rate within tolerance), with the start spread and
 * each shard's figures. Then one shard's clock is deliberately wrong: the offset is
 * measured within its error bound and removed in the merge — and a merge without it is
 * flagged, not silently believed.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLine, RunLine } from '../../src/record/types.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { ROOT, ensureBuilt, runCli, startCli, temporaryFolder, waitFor, type CliResult } from '../support/spawn-cli.js';
import { linesOf, summaryOf } from '../support/recorded-output.js';

const SHARDS = 3;
/** A burst across the 1-s cap (5 of the simulator's 300 RPM), then a steady rate above it. */
const SCENARIO = `name: shards
advertised:
  tpm: 50000
payload:
  promptTokens: 20
  maxTokens: 10
phases:
  - name: burst
    burst: { size: 12 }
  - name: settle
    pause: 1500ms
  - name: steady
    steady: { rate: 10/s, duration: 3s }
`;
const PLANNED = 12 + 30;

function chatUrl(simulator: RunningSimulator): string {
  return `${simulator.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
}

/** Starts shard 0 (the coordinator, on a free port), then the others against it; resolves when all ended. */
async function runShards(folder: string, url: string, skews: Record<number, number> = {}): Promise<CliResult[]> {
  const args = (index: number, port: number): string[] => ['run', 'scenario.yaml', '--url', url, '--api-key', 'test-key', '--shard', `${index}/${SHARDS}`, '--coordinator', `127.0.0.1:${port}`, '--record', join('recordings', `shard-${index}.ndjson`), '--quiet'];
  const env = (index: number): Record<string, string> => (skews[index] === undefined ? {} : { AOAI_PROBE_TEST_CLOCK_SKEW_MS: String(skews[index]) });
  const first = startCli(args(0, 0), { cwd: folder, env: env(0), timeoutMs: 90_000 });
  let port = 0;
  await waitFor(() => {
    port = Number(/serves the shared start on 127\.0\.0\.1:(\d+)/.exec(first.stderr())?.[1] ?? 0);
    return port > 0 || first.child.exitCode !== null;
  }, 30_000, 'the coordinator to listen');
  expect(port, first.stderr()).toBeGreaterThan(0);
  const others = Array.from({ length: SHARDS - 1 }, (_, offset) => startCli(args(offset + 1, port), { cwd: folder, env: env(offset + 1), timeoutMs: 90_000 }));
  return Promise.all([first.done, ...others.map((other) => other.done)]);
}

function workFolder(name: string): string {
  const folder = temporaryFolder(name);
  writeFileSync(join(folder, 'scenario.yaml'), SCENARIO);
  mkdirSync(join(folder, 'recordings'), { recursive: true });
  return folder;
}

const validateSummary = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'docs', 'summary.schema.json'), 'utf8')) as object);

describe('shards on loopback with the coordinator', () => {
  let simulator: RunningSimulator | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('send every planned request once between them, and the merged report matches one process running the whole plan', async () => {
    // One process, the whole plan, on a fresh simulator.
    const single = workFolder('shards-single');
    simulator = await startSimulator({ tpm: 50_000 });
    const whole = summaryOf(await runCli(['run', 'scenario.yaml', '--url', chatUrl(simulator), '--api-key', 'test-key', '--record', 'whole.ndjson', '--json', '--quiet'], { cwd: single, timeoutMs: 60_000 }));
    await simulator.close();

    // Three shards, the same plan, on another fresh simulator.
    const folder = workFolder('shards-split');
    simulator = await startSimulator({ tpm: 50_000 });
    const results = await runShards(folder, chatUrl(simulator));
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    // Every planned request exactly once: the shards' seqs are the unsplit plan's numbers.
    const files = readdirSync(join(folder, 'recordings')).sort();
    expect(files).toEqual(['shard-0.ndjson', 'shard-1.ndjson', 'shard-2.ndjson']);
    const seqs: number[] = [];
    const perShard: number[] = [];
    for (const file of files) {
      const lines = linesOf(join(folder, 'recordings', file));
      const run = lines[0] as unknown as RunLine;
      expect(run.shard).toMatchObject({ index: Number(/\d/.exec(file)![0]), count: SHARDS });
      const requests = lines.filter((line) => line.type === 'request') as unknown as RequestLine[];
      expect(lines.filter((line) => line.type === 'dropped')).toEqual([]);
      perShard.push(requests.length);
      seqs.push(...requests.map((request) => request.seq));
    }
    expect(seqs.length).toBe(PLANNED);
    expect(new Set(seqs).size).toBe(PLANNED);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: PLANNED }, (_, seq) => seq));
    expect(perShard.reduce((sum, count) => sum + count, 0)).toBe(PLANNED);

    const merged = summaryOf(await runCli(['report', 'recordings', '--format', 'json'], { cwd: folder }));
    expect(validateSummary(merged), JSON.stringify(validateSummary.errors)).toBe(true);
    // Counts exactly.
    expect(merged.requests.sent).toBe(whole.requests.sent);
    expect(merged.requests.sent).toBe(PLANNED);
    expect(merged.requests.dropped).toBe(whole.requests.dropped);
    expect(merged.requests.ok + merged.requests.throttled + merged.requests.failed).toBe(PLANNED);
    // The burst as one instant: the same admitted count as one machine's burst (the 1-s cap), give or take one,
    // when the shards really fired together. On a loaded box their start can spread by hundreds of
    // milliseconds, and a burst that straddles the simulator's window boundary is admitted by two windows:
    // then it is still at most two windows' worth, and the spread that explains it is in the summary.
    expect(whole.effective.requests.burst).not.toBeNull();
    const spreadMs = merged.schedule.crossShardSpreadMs ?? Number.POSITIVE_INFINITY;
    const burstGap = merged.effective.requests.burst! - whole.effective.requests.burst!;
    if (spreadMs < 50) expect(Math.abs(burstGap), `start spread ${spreadMs} ms`).toBeLessThanOrEqual(1);
    else expect(merged.effective.requests.burst!, `start spread ${spreadMs} ms`).toBeLessThanOrEqual(2 * whole.effective.requests.burst! + 1);
    // The throttled steady rate within the usual tolerance of a real-time run.
    expect(whole.effective.requests.perSecond).not.toBeNull();
    expect(merged.effective.requests.perSecond).toBeGreaterThan(whole.effective.requests.perSecond! * 0.6);
    expect(merged.effective.requests.perSecond).toBeLessThan(whole.effective.requests.perSecond! * 1.4);
    // The measured start spread is reported (loose: the box is shared), and each shard's own figures add up.
    expect(merged.schedule.crossShardSpreadMs).toBeTypeOf('number');
    expect(merged.schedule.crossShardSpreadMs!).toBeGreaterThanOrEqual(0);
    expect(merged.schedule.crossShardSpreadMs!).toBeLessThan(1000);
    expect(merged.verdict).toContain('Merged 3 of 3 shards');
    expect(merged.verdict).not.toContain('Flagged');
    const byShard = Object.values(merged.byShard ?? {});
    expect(byShard.map((entry) => entry.index).sort()).toEqual([0, 1, 2]);
    expect(byShard.map((entry) => entry.requests.sent).sort()).toEqual([...perShard].sort());
    expect(byShard.find((entry) => entry.index === 0)).toMatchObject({ offsetMs: 0, offsetErrorMs: 0 });
    // Latency comes from every request's value, not from the shards' percentiles.
    expect(merged.latency.max).toBe(Math.max(...byShard.map((entry) => entry.latency.max ?? 0)));
  }, 180_000);

  it('measure a skewed clock within its round-trip error and remove it in the merge', async () => {
    const folder = workFolder('shards-skew');
    simulator = await startSimulator({ tpm: 50_000 });
    const skews = { 1: 5_000, 2: -3_000 };
    const results = await runShards(folder, chatUrl(simulator), skews);
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    for (const [index, skew] of Object.entries(skews)) {
      const path = join(folder, 'recordings', `shard-${index}.ndjson`);
      const shard = (linesOf(path)[0] as unknown as RunLine).shard!;
      // The coordinator's clock minus this one's is −skew; the processes' own clocks agree to well under a millisecond.
      expect(shard.offsetErrorMs).toBeTypeOf('number');
      expect(Math.abs(shard.offsetMs! + skew)).toBeLessThanOrEqual(shard.offsetErrorMs! + 1);
    }
    const merged = summaryOf(await runCli(['report', 'recordings', '--format', 'json'], { cwd: folder }));
    expect(merged.schedule.crossShardSpreadMs!).toBeLessThan(1000);
    expect(merged.effective.requests.burst).not.toBeNull();
    expect(merged.verdict).not.toContain('Flagged');

    // The same recordings with the offsets taken out: the skew is back, and the merge says so.
    const uncorrected = join(folder, 'uncorrected');
    mkdirSync(uncorrected);
    for (const file of readdirSync(join(folder, 'recordings'))) {
      const lines = readFileSync(join(folder, 'recordings', file), 'utf8').split('\n');
      const run = JSON.parse(lines[0]!) as RunLine;
      run.shard = { ...run.shard!, offsetMs: null, offsetErrorMs: null };
      writeFileSync(join(uncorrected, file), [JSON.stringify(run), ...lines.slice(1)].join('\n'));
    }
    const skewed = await runCli(['report', 'uncorrected', '--format', 'json'], { cwd: folder });
    const skewedSummary = summaryOf(skewed);
    expect(skewedSummary.schedule.crossShardSpreadMs!).toBeGreaterThan(7_000);
    expect(skewedSummary.verdict).toContain('Flagged');
    expect(skewed.stderr).toContain('further apart than the window under test');
  }, 180_000);
});
