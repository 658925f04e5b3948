/** A compact text trace of a probe session, for debugging failed property cases. */
import type { ProbeSession } from '../../../src/probe/session.js';
import type { PhaseLine, RecordLine, RequestLine } from '../../../src/record/types.js';
import { classifyRefusal } from '../../../src/analysis/refusal-class.js';
import { outcomeOf } from '../../../src/analysis/inference/observations.js';

/** The same trace from recording lines (phases and requests). */
export function traceRecording(lines: readonly RecordLine[]): string {
  const phases = lines.filter((line): line is PhaseLine => line.type === 'phase');
  const requests = lines.filter((line): line is RequestLine => line.type === 'request');
  return traceSession({ phases, requests, outcomeOf: (request: RequestLine) => outcomeOf(request, classifyRefusal(request)) } as unknown as ProbeSession);
}

/** One line per phase: its purpose, start time and the outcomes as a string of + (admitted) and - (refused) with times. */
export function traceSession(session: ProbeSession): string {
  const lines: string[] = [];
  for (const phase of session.phases) {
    const requests = session.requests.filter((request) => request.phase === phase.name).sort((a, b) => a.sentMs - b.sentMs);
    const marks = requests.map((request) => {
      const outcome = session.outcomeOf(request);
      const mark = outcome === 'admitted' ? '+' : outcome === 'refused' ? '-' : outcome === 'refused-tokens' ? 't' : '?';
      return `${mark}${((request.sentMs - phase.startMs) / 1000).toFixed(3)}`;
    });
    const compact = phase.params['experiment'] === 'burst' ? `${requests.filter((r) => session.outcomeOf(r) === 'admitted').length}/${requests.length} admitted` : marks.join(' ');
    lines.push(`${(phase.startMs / 1000).toFixed(3).padStart(8)} ${String(phase.params['purpose']).padEnd(9)} ${compact}`);
  }
  return lines.join('\n');
}
