/**
 * docs/recording.md: `report saved.ndjson` gives exactly the numbers the live run printed.
 * A real run (runner + transport against the azure-seed simulator on loopback) is
 * written to a recording while the same lines feed a live analysis, as the run
 * commands do; then `aoai-probe report FILE --format json` must print the live
 * summary byte for byte, and re-reading the file must give the live timeline too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseLines, createAnalysis } from '../../src/analysis/summarise.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/errors.js';
import { readRecording } from '../../src/record/reader.js';
import type { RecordLine, RunLine } from '../../src/record/types.js';
import { createRecordingWriter } from '../../src/record/writer.js';
import { renderSummaryJson } from '../../src/report/json.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { runPlan } from '../../src/run/runner.js';
import { describeTarget, simulatorTarget } from '../../src/run/target.js';
import { createTransport } from '../../src/run/transport/transport.js';
import { planScenario } from '../../src/schedule/plan.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { fakeIo } from './fake-io.js';

describe('live run and report agree', () => {
  let simulator: RunningSimulator;
  let folder: string;

  beforeAll(async () => {
    simulator = await startSimulator({ profile: 'azure-seed', port: 0 });
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-live-'));
  });

  afterAll(async () => {
    await simulator.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('report on the recording prints the live summary, and the file gives the live timeline', async () => {
    const path = join(folder, 'burst.ndjson');
    const clock = createRealClock();
    const spec = { ...simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: 'azure-seed' }), auth: { apiKey: 'simulator-key' } };
    const payload = { kind: 'chat' as const, model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false };
    const transport = createTransport({ target: spec, payload, clock, timeoutMs: 10_000, connections: 12 });
    const writer = createRecordingWriter({ path, secrets: ['simulator-key'] });
    const live = createAnalysis({ recordingPath: path });
    const sink = {
      write(line: RecordLine): void {
        writer.write(line);
        live.add(line);
      },
    };
    const runLine: RunLine = {
      type: 'run',
      v: 1,
      tool: { name: 'aoai-probe', version: '0.1.0' },
      command: 'burst',
      startedAt: new Date().toISOString(),
      advertised: { tpm: 50_000, rpm: 300, source: 'simulator' },
      targets: [describeTarget(spec)],
      payload,
    };
    sink.write(runLine);
    try {
      const result = await runPlan(planScenario([{ kind: 'burst', name: 'seed', size: 12, bursts: 1, gapMs: 0 }]), {
        clock,
        transport,
        sink,
        maxInFlight: 12,
        graceMs: 10_000,
      });
      sink.write({ type: 'end', reason: result.reason, endMs: result.endMs, sent: result.sent, dropped: result.dropped });
    } finally {
      await transport.close();
      await writer.close();
    }
    const liveResult = live.finish();
    expect(liveResult.summary.requests).toMatchObject({ sent: 12, ok: 5, throttled: 7 });

    const io = fakeIo(['report', path, '--format', 'json'], { cwd: folder });
    await main(io);
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(io.out()).toBe(`${renderSummaryJson(liveResult.summary)}\n`);

    const replayed = await analyseLines(readRecording(path), { recordingPath: path });
    expect(replayed.timeline).toEqual(liveResult.timeline);
    expect(replayed.byTarget).toEqual(liveResult.byTarget);
  });
});
