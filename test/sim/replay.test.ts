/**
 * `--record-to` and `--replay`: a run recorded by the real CLI against a
 * simulator with latency and tight limits, replayed through a second
 * simulator, gives the same status sequence and the same latency distribution
 * (within loose real-time tolerances) to the same run; the simulator's own
 * record replays too, and bad files are configuration errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SimulatorConfigError, startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { runCli } from '../support/spawn-cli.js';
import { chatBody, chatPath, post } from './helpers.js';

const workDir = mkdtempSync(join(tmpdir(), 'aoai-sim-replay-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

interface Line {
  type: string;
  seq: number;
  status: number | null;
  sentMs: number;
  doneMs: number;
  headers: Record<string, string>;
  error: { message: string | null } | null;
}

function requestLines(path: string): Line[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Line)
    .filter((line) => line.type === 'request')
    .sort((a, b) => a.seq - b.seq);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A 3-s steady run at 10/s of the real CLI against `url`, recorded to `file`. */
async function steadyRun(url: string, file: string): Promise<Line[]> {
  const run = await runCli(['steady', '--endpoint', url, '--deployment', 'gpt-4o', '--api-key', 'test-key', '--rate', '10/s', '--duration', '3s', '--record', file, '--quiet', '--json'], {
    cwd: workDir,
    timeoutMs: 90_000,
  });
  expect(run.code, run.stderr).toBe(0);
  return requestLines(file);
}

describe('replaying a recorded run', () => {
  it('gives the same status sequence and latency distribution as the recorded deployment', async () => {
    // The "production" deployment: 60 ms ± 40 ms, 6 RPM per 10 s over a 10-s window: a few 200s, then 429s.
    simulator = await startSimulator({ rpm: 36, latency: { meanMs: 60, spreadMs: 40 }, subsecondCap: false });
    const incident = join(workDir, 'incident.ndjson');
    const recorded = await steadyRun(simulator.url, incident);
    await simulator.close();
    const statuses = recorded.map((line) => line.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);

    simulator = await startSimulator({ replay: incident });
    expect(simulator.describe()).toContain(`replaying ${recorded.length} recorded answers`);
    const replayed = await steadyRun(simulator.url, join(workDir, 'replayed.ndjson'));
    expect(replayed.map((line) => line.status)).toEqual(statuses);

    const latencies = (lines: Line[]): number[] => lines.filter((line) => line.status === 200).map((line) => line.doneMs - line.sentMs);
    for (const q of [0.5, 0.9]) {
      const before = quantile(latencies(recorded), q);
      const after = quantile(latencies(replayed), q);
      // Loose: real time on a shared machine; the replay waits the recorded time, the client adds its own.
      expect(Math.abs(after - before)).toBeLessThan(Math.max(40, before * 0.5));
    }
    // The refusals come back with their recorded headers and wording.
    const firstRefusal = recorded.findIndex((line) => line.status === 429);
    expect(replayed[firstRefusal]!.headers['retry-after']).toBe(recorded[firstRefusal]!.headers['retry-after']);
    expect(replayed[firstRefusal]!.headers['x-ratelimit-remaining-requests']).toBe(recorded[firstRefusal]!.headers['x-ratelimit-remaining-requests']);
    expect(replayed[firstRefusal]!.error?.message).toBe(recorded[firstRefusal]!.error?.message);
  }, 200_000);

  it('--record-to writes what the simulator served; replaying that starts over after the last answer', async () => {
    const served = join(workDir, 'served.ndjson');
    simulator = await startSimulator({ rpm: 6, subsecondCap: false, recordTo: served });
    const url = simulator.url + chatPath();
    const first = [];
    for (let index = 0; index < 3; index++) first.push((await post(url, chatBody({ max_tokens: 2 }))).status);
    await simulator.close();
    simulator = undefined;
    expect(first).toEqual([200, 429, 429]);
    const lines = requestLines(served);
    expect(lines.map((line) => line.status)).toEqual(first);
    expect(lines[0]!.headers['x-ratelimit-remaining-requests']).toBe('0');
    const text = readFileSync(served, 'utf8').trim().split('\n');
    expect(JSON.parse(text[0]!)).toMatchObject({ type: 'run', v: 1, command: 'sim' });
    expect(JSON.parse(text.at(-1)!)).toMatchObject({ type: 'end', sent: 3 });

    simulator = await startSimulator({ replay: served });
    const again = [];
    for (let index = 0; index < 5; index++) again.push((await post(simulator.url + chatPath(), chatBody({ max_tokens: 2 }))).status);
    expect(again).toEqual([...first, ...first.slice(0, 2)]);
  });

  it('refuses a file that is missing or not a recording, naming it', async () => {
    await expect(startSimulator({ replay: join(workDir, 'nope.ndjson') })).rejects.toThrow(SimulatorConfigError);
    const notRecording = join(workDir, 'not.ndjson');
    writeFileSync(notRecording, '{"hello":1}\n');
    await expect(startSimulator({ replay: notRecording })).rejects.toThrow(/not\.ndjson: not an aoai-probe recording/);
  });
});
