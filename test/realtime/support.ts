/**
 * Shared helpers of the realtime tests: run realtime phases through the real
 * firing loop and session sender against a server on loopback, collect every
 * line, and analyse them with the same code `report` uses.
 */
import { analyseLines } from '../../src/analysis/summarise.js';
import type { AnalysisResult } from '../../src/analysis/result-types.js';
import { RECORDING_VERSION, type RecordLine, type SessionLine, type TurnLine } from '../../src/record/types.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { runRealtimePhases } from '../../src/run/realtime/run-sessions.js';
import type { SessionBehaviour } from '../../src/run/realtime/session-sender.js';
import type { RealtimePhase } from '../../src/run/realtime/sources.js';
import type { TargetSpec } from '../../src/run/types.js';

/** A realtime target on loopback (Azure path by default). */
export function loopbackTarget(url: string): TargetSpec {
  return { id: 'default', kind: 'realtime', url, deployment: 'gpt-realtime', auth: { apiKey: 'test-key' } };
}

/** The simulator's Azure realtime URL. */
export function simulatorRealtimeUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime`;
}

/** What one experiment recorded and what the analysis made of it. */
export interface Experiment {
  lines: RecordLine[];
  sessions: SessionLine[];
  turns: TurnLine[];
  result: AnalysisResult;
}

/** Runs the phases, then analyses the lines (run line first, end line last, as a recording). */
export async function runExperiment(url: string, phases: RealtimePhase[], behaviour: Partial<SessionBehaviour> = {}): Promise<Experiment> {
  const clock = createRealClock();
  const lines: RecordLine[] = [
    {
      type: 'run',
      v: RECORDING_VERSION,
      tool: { name: 'aoai-probe', version: 'test' },
      command: 'realtime',
      startedAt: new Date().toISOString(),
      advertised: { tpm: null, rpm: null, source: 'none' },
      targets: [{ id: 'default', kind: 'realtime', url, deployment: 'gpt-realtime' }],
      payload: { kind: 'responses', model: 'gpt-realtime', maxTokens: 16, promptTokens: null, stream: true },
    },
  ];
  const sink = { write: (line: RecordLine) => void lines.push(line) };
  const outcome = await runRealtimePhases({ target: loopbackTarget(url), phases, clock, sink, behaviour, phaseGapMs: 0 });
  lines.push({ type: 'end', reason: outcome.reason, endMs: clock.now(), sent: outcome.sent, dropped: outcome.dropped });
  const result = await analyseLines(lines);
  return {
    lines,
    sessions: lines.filter((line): line is SessionLine => line.type === 'session'),
    turns: lines.filter((line): line is TurnLine => line.type === 'turn'),
    result,
  };
}
