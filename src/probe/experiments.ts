/**
 * The probe's experiments, each one phase of the recording:
 *   - burst:  n requests at one instant (measures what is available now);
 *   - watch:  single requests at planned times until one is admitted (measures
 *             when capacity comes back);
 *   - stream: requests at a steady pace (measures the sustained rate, or spreads
 *             consumption over time so the way capacity returns reveals the shape).
 */
import type { PayloadOverrides } from '../run/types.js';
import type { RequestLine } from '../record/types.js';
import type { FireOptions, ProbeSession, PhaseParams } from './session.js';

/** The payload and budget accounting every request of a stage shares. */
export interface StagePayload {
  payload: PayloadOverrides;
  worstCaseTokens: number;
}

/** What an experiment returned. */
export interface ExperimentResult {
  lines: RequestLine[];
  admitted: number;
  refused: number;
}

function summarise(session: ProbeSession, lines: RequestLine[]): ExperimentResult {
  let admitted = 0;
  let refused = 0;
  for (const line of lines) {
    const outcome = session.outcomeOf(line);
    if (outcome === 'admitted') admitted++;
    else if (outcome === 'refused' || outcome === 'refused-tokens') refused++;
  }
  return { lines, admitted, refused };
}

/** `size` requests at one instant, as soon as connections are warm. */
export async function burst(session: ProbeSession, purpose: string, size: number, stage: StagePayload, params: PhaseParams = {}): Promise<ExperimentResult> {
  const count = Math.max(0, Math.min(size, session.affordable(stage.worstCaseTokens)));
  if (count === 0) return { lines: [], admitted: 0, refused: 0 };
  const phase = session.phase(purpose, { experiment: 'burst', size: count, ...params });
  const lines = await session.run(phase, { atOnce: count, ...(count > 1 ? { warm: count } : {}) }, stage);
  return summarise(session, lines);
}

/**
 * A counting burst in two steps: half at one instant, and the other half only if
 * every one of the first was admitted. What comes back at once after a window
 * boundary is counted in full; when little came back (a bucket refilling) the
 * second half, which would only have been refused, is never sent. The two steps
 * are one round trip apart: the fit uses each request's own time, so a limiter
 * that refills meanwhile is still read right.
 */
export async function countingBurst(session: ProbeSession, purpose: string, size: number, stage: StagePayload, params: PhaseParams = {}): Promise<ExperimentResult> {
  const count = Math.max(0, Math.min(size, session.affordable(stage.worstCaseTokens)));
  if (count <= 3) return burst(session, purpose, count, stage, params);
  const first = Math.ceil(count / 2);
  const phase = session.phase(purpose, { experiment: 'burst', size: count, staged: true, ...params });
  const firstLines = await session.run(phase, { atOnce: first, warm: count }, stage);
  const firstResult = summarise(session, firstLines);
  if (firstResult.refused > 0 || firstResult.admitted < first) return firstResult;
  const secondLines = await session.run(phase.name, { atOnce: count - first }, stage);
  return summarise(session, [...firstLines, ...secondLines]);
}

/** Single requests at `times` until one is admitted. */
export async function watch(session: ProbeSession, purpose: string, times: readonly number[], stage: StagePayload, params: PhaseParams = {}): Promise<ExperimentResult & { admittedAtMs: number | null }> {
  const phase = session.phase(purpose, { experiment: 'watch', pings: times.length, ...params });
  const lines = await session.run(phase, { times }, { ...stage, stopWhen: (_line, outcome) => outcome === 'admitted' });
  const first = lines.filter((line) => session.outcomeOf(line) === 'admitted').sort((a, b) => a.sentMs - b.sentMs)[0];
  return { ...summarise(session, lines), admittedAtMs: first?.sentMs ?? null };
}

/** `count` requests evenly spaced at `ratePerSecond`, starting now. */
export async function stream(
  session: ProbeSession,
  purpose: string,
  ratePerSecond: number,
  count: number,
  stage: StagePayload,
  params: PhaseParams = {},
  stopWhen?: FireOptions['stopWhen'],
): Promise<ExperimentResult> {
  const total = Math.max(0, Math.min(count, session.requestsLeft));
  if (total === 0) return { lines: [], admitted: 0, refused: 0 };
  const phase = session.phase(purpose, { experiment: 'stream', ratePerSecond: round(ratePerSecond), count: total, ...params });
  const start = session.now();
  const spacing = 1000 / ratePerSecond;
  const times = Array.from({ length: total }, (_, index) => start + index * spacing);
  const lines = await session.run(phase, { times }, stopWhen ? { ...stage, stopWhen } : stage);
  return summarise(session, lines);
}

/** Rounds for phase parameters (readable, stable). */
export function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}
