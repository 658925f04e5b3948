/** A compact text trace of a probe session, for debugging failed property cases. */
import type { ProbeSession } from '../../../src/probe/session.js';

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
