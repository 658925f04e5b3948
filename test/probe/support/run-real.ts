/**
 * Runs the whole probe in real time against a real limiter on loopback, through
 * the real transport, writing a real recording file; then analyses that FILE with
 * the code `aoai-probe report` runs, and checks it agrees with the probe's own
 * in-memory view (the recording alone must reproduce the probe's conclusions).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRealClock } from '../../../src/run/pacing/real-clock.js';
import { createTransport } from '../../../src/run/transport/transport.js';
import { resolveTarget, describeTarget } from '../../../src/run/target.js';
import { createRecordingWriter } from '../../../src/record/writer.js';
import { readRecordingBatches } from '../../../src/record/reader.js';
import { analyseLineBatches } from '../../../src/analysis/summarise.js';
import { readRefusal } from '../../../src/analysis/refusal-class.js';
import { inferEffectiveLimits } from '../../../src/analysis/inference/index.js';
import { runProbe, type ProbeOutcome } from '../../../src/probe/index.js';
import type { PhaseLine, RecordLine, RequestLine } from '../../../src/record/types.js';
import type { Summary } from '../../../src/analysis/summary-types.js';
import type { RunningLimiter } from '../../support/limiters/running-limiter.js';
import { requestProblems } from './run-case.js';

/** What probing one real limiter gave. */
export interface RealResult {
  limiter: RunningLimiter;
  outcome: ProbeOutcome;
  /** The summary `report` computes from the recording file. */
  summary: Summary;
  /** Accuracy-goal failures; empty when the goal is met. */
  problems: string[];
  /** Every line the probe wrote (for traces). */
  lines: RecordLine[];
  /** Differences between the file's analysis and the in-memory inference (must be none). */
  reproduction: string[];
  sent: number;
  seconds: number;
}

/** Probes a real limiter in real time; `budgetSeconds` bounds the probe (the goal is 120). */
export async function probeRealLimiter(limiter: RunningLimiter, budgetSeconds = 120): Promise<RealResult> {
  const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-real-'));
  const path = join(folder, 'probe.ndjson');
  const clock = createRealClock();
  const target = resolveTarget({ url: limiter.url }, {})!;
  const payload = { kind: 'chat' as const, model: 'gpt-4o', maxTokens: null, promptTokens: null, stream: false };
  const transport = createTransport({ target, payload, clock, timeoutMs: 10_000, connections: 400 });
  const writer = createRecordingWriter({ path });
  const lines: RecordLine[] = [];
  const sink = { write: (line: RecordLine) => (lines.push(line), writer.write(line)) };
  sink.write({
    type: 'run',
    v: 1,
    tool: { name: 'aoai-probe', version: 'test' },
    command: 'probe',
    startedAt: new Date().toISOString(),
    advertised: { tpm: null, rpm: null, source: 'none' },
    targets: [describeTarget(target)],
    payload,
  });
  let outcome: ProbeOutcome;
  try {
    outcome = await runProbe({
      clock,
      transport,
      sink,
      targetId: target.id,
      budget: { requests: 400, billedTokens: 1_000_000, seconds: budgetSeconds },
      tokens: null,
      promptTokens: 20,
      advertised: { tpm: null, rpm: null },
      refusalClassOf: (request) => readRefusal(request)?.refusalClass ?? null,
    });
  } finally {
    sink.write({ type: 'end', reason: 'completed', endMs: clock.now(), sent: lines.filter((line) => line.type === 'request').length, dropped: 0 });
    await transport.close();
    await writer.close();
  }
  const result = await analyseLineBatches(readRecordingBatches(path), { recordingPath: path });
  rmSync(folder, { recursive: true, force: true });

  const phases = lines.filter((line): line is PhaseLine => line.type === 'phase');
  const requests = lines.filter((line): line is RequestLine => line.type === 'request');
  const live = inferEffectiveLimits({ phases, requests, refusalClassOf: (request) => readRefusal(request)?.refusalClass ?? null, advertised: { tpm: null, rpm: null } })!;
  const fromFile = result.summary.effective.requests;
  const reproduction: string[] = [];
  for (const key of ['burst', 'perSecond', 'windowSeconds', 'shape', 'confidence'] as const) {
    if (live.requests[key] !== fromFile[key]) reproduction.push(`${key}: live ${String(live.requests[key])}, from the file ${String(fromFile[key])}`);
  }
  return {
    limiter,
    outcome,
    summary: result.summary,
    problems: requestProblems(limiter.truth, fromFile),
    lines,
    reproduction,
    sent: requests.length,
    seconds: clock.now() / 1000,
  };
}
