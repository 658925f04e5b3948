/**
 * `aoai-probe realtime` as a user runs it (the built bin), against the embedded
 * simulator's speech profile (30 new sessions per minute), and `report` on its
 * recording: the same summary, realtime part and verdict included. Bad flags:
 * exit 2, one message per problem, nothing sent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/spawn-cli.js';

/** No real endpoint or key from the environment reaches a test run. */
const CLEAN_ENV = { AZURE_OPENAI_ENDPOINT: '', AZURE_OPENAI_API_KEY: '', AZURE_OPENAI_AD_TOKEN: '', AZURE_OPENAI_DEPLOYMENT: '', OPENAI_API_KEY: '', HTTPS_PROXY: '', HTTP_PROXY: '' };

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

describe('aoai-probe realtime', () => {
  it('against --sim speech: 30 of 40 sessions open, 10 handshake 429s; report replays the recording to the same summary', async () => {
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-realtime-'));
    const recording = join(folder, 'rt.ndjson');
    const live = await runCli(['realtime', '--sim', 'speech', '--sessions', '40', '--open-rate', '20/s', '--record', recording, '--json', '--quiet'], { cwd: folder, env: CLEAN_ENV, timeoutMs: 60_000 });
    expect(live.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(live.code).toBe(0);
    const summary = JSON.parse(live.stdout);
    expect(summary.realtime.sessions).toMatchObject({ opened: 30, refused: 10 });
    expect(summary.realtime.sessions.byClass['handshake-429']).toBe(10);
    expect(summary.verdict).toMatch(/40 sessions asked for, 30 opened, 10 refused/);

    const replay = await runCli(['report', recording, '--format', 'json'], { cwd: folder, env: CLEAN_ENV });
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual(summary);
  }, 90_000);

  it('--expect reads the realtime summary fields: met → exit 0, unmet → exit 3 naming the measured value', async () => {
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-realtime-expect-'));
    const base = ['realtime', '--sim', 'speech', '--sessions', '3', '--open-rate', '10/s', '--quiet'];
    const met = await runCli([...base, '--record', join(folder, 'met.ndjson'), '--expect', 'realtime.sessions.opened == 3', '--expect', 'realtime.sessions.byClass.handshake-429 == 0'], { cwd: folder, env: CLEAN_ENV, timeoutMs: 60_000 });
    expect(met.code, met.stderr).toBe(0);
    const unmet = await runCli([...base, '--record', join(folder, 'unmet.ndjson'), '--expect', 'realtime.sessions.opened >= 4'], { cwd: folder, env: CLEAN_ENV, timeoutMs: 60_000 });
    expect(unmet.code, unmet.stderr).toBe(3);
    expect(unmet.stderr).toContain('realtime.sessions.opened >= 4  (measured 3)');
    const replayed = await runCli(['report', join(folder, 'met.ndjson'), '--expect', 'realtime.sessions.refused > 0'], { cwd: folder, env: CLEAN_ENV });
    expect(replayed.code, replayed.stderr).toBe(3);
    expect(replayed.stderr).toContain('realtime.sessions.refused > 0  (measured 0)');
  }, 90_000);

  it('run with a scenario of realtime phases (scenarios/realtime-speech.yaml) runs each phase; report replays it to the same summary', async () => {
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-realtime-run-'));
    const recording = join(folder, 'run.ndjson');
    const scenario = fileURLToPath(new URL('../../scenarios/realtime-speech.yaml', import.meta.url));
    const live = await runCli(['run', scenario, '--record', recording, '--json', '--quiet', '--expect', 'realtime.sessions.refused == 0'], { cwd: folder, env: CLEAN_ENV, timeoutMs: 60_000 });
    expect(live.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(live.code, live.stderr).toBe(0);
    const summary = JSON.parse(live.stdout);
    expect(summary.command).toBe('run');
    // 12 held by the ramp, 10 paced, 1 sending turns: under the speech profile's 30 new sessions per minute and its cap of 20.
    expect(summary.realtime.sessions).toMatchObject({ opened: 23, refused: 0 });
    const phases = readFileSync(recording, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"type":"phase"'))
      .map((line) => (JSON.parse(line) as { name: string; kind: string }).kind);
    expect(phases).toEqual(['session-ramp', 'sessions', 'turns']);
    const turns = readFileSync(recording, 'utf8').split('\n').filter((line) => line.includes('"type":"turn"'));
    expect(turns).toHaveLength(5);
    const replay = await runCli(['report', recording, '--format', 'json'], { cwd: folder, env: CLEAN_ENV });
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual(summary);
  }, 90_000);

  it('refuses bad flags with exit 2 and every problem named, nothing sent', async () => {
    const http = await runCli(['realtime', '--url', 'http://127.0.0.1:9/openai/realtime'], { env: CLEAN_ENV });
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/is not a ws:\/\/ or wss:\/\/ URL/);
    const both = await runCli(['realtime', '--sim', 'speech', '--ramp', 'fast', '--open-rate', '5/s', '--sessions', '0'], { env: CLEAN_ENV });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--ramp: "fast" is not STEP\/EVERY/);
    expect(both.stderr).toMatch(/--ramp and --open-rate both set the pace/);
    expect(both.stderr).toMatch(/--sessions/);
    expect(both.stderr).not.toMatch(/at .*\.js:\d+/);
  }, 30_000);
});

describe('aoai-probe probe --kind realtime', () => {
  it('finds the concurrency cap exactly, the open rate within 10 % and the responses per minute within 15 %', async () => {
    const { startSimulator } = await import('../../src/sim/index.js');
    // 6 sessions at once; 20 new sessions per 5 s (240 per minute); 60 responses per 10 s (360 per minute).
    const simulator = await startSimulator({ realtime: { sessionCap: 6, openRate: '20/5s', turnRate: '60/10s' } });
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-realtime-probe-'));
    try {
      const run = await runCli(
        ['probe', '--kind', 'realtime', '--endpoint', simulator.url, '--deployment', 'gpt-realtime', '--api-key', 'test-key', '--phase-gap', '5500ms', '--ramp-max', '10', '--ramp-every', '200ms', '--opens', '60', '--opens-over', '7500ms', '--turns', '120', '--turn-gap', '50ms', '--json', '--quiet', '--record', join(folder, 'probe.ndjson')],
        { env: CLEAN_ENV, timeoutMs: 90_000 },
      );
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(run.code).toBe(0);
      const realtime = JSON.parse(run.stdout).realtime;
      expect(realtime.concurrency).toEqual({ cap: 6, confidence: 'high' });
      expect(Math.abs(realtime.openRate.perMinute - 240)).toBeLessThanOrEqual(24);
      expect(Math.abs(realtime.turns.perMinute - 360)).toBeLessThanOrEqual(54);
    } finally {
      await simulator.close();
    }
  }, 120_000);
});
