/**
 * The overdrive figures: what the limiter admitted while the probe offered it more
 * than the rate it admits in full.
 *
 * Why a figure of its own, beside perSecond: docs/summary.md defines perSecond as the
 * highest rate admitted in full over the long run. Some limiters admit *less* than that
 * once pushed past it — a bucket that drops the fraction of a token at every admission,
 * a window that every refusal restarts, a limiter that counts refused requests — so a
 * client that sends faster than the limit gets fewer requests through than one paced
 * just under it. That collapse is a fact a user needs ("offered more than 5/s, it admits
 * about 3/s"), and it must not pull perSecond down: paced at perSecond, all is admitted.
 *
 * How: the probe's rate streams (purpose `rate`, experiment `stream`, see
 * src/probe/request-stage.ts) start from exhaustion at a fixed pace. The stream
 * offered the most above perSecond — at least 10 % above, so a stream placed between
 * two hypotheses' rates is not taken for an overdrive — gives the offered pace (its
 * planned rate) and the admitted rate: its admissions over its span, where each sent
 * request owns one interval (n requests at r per second span n / r seconds).
 */
import type { PhaseLine } from '../../record/types.js';
import type { Observation } from './observations.js';

/** The overdrive figures, requests per second. */
export interface Overdrive {
  /** The pace the probe offered, above perSecond. */
  offeredPerSecond: number;
  /** What the limiter admitted at that pace, from exhaustion. */
  admittedPerSecond: number;
}

/** How far above perSecond a stream must be offered to count as an overdrive. */
const ABOVE_RATE = 1.1;

/** Fewest requests a stream needs before its admitted rate means anything. */
const FEWEST_REQUESTS = 8;

/** The purpose the probe gives its rate streams. */
const RATE_PURPOSE = 'rate';

/**
 * The overdrive figures of a probe's recording, or null when no rate stream was offered
 * well above `perSecond` with enough requests to measure.
 */
export function measureOverdrive(phases: readonly PhaseLine[], observations: readonly Observation[], perSecond: number): Overdrive | null {
  if (!(perSecond > 0)) return null;
  const streams = new Map<string, number>();
  for (const phase of phases) {
    const rate = phase.params['ratePerSecond'];
    if (phase.params['purpose'] !== RATE_PURPOSE || phase.params['experiment'] !== 'stream' || typeof rate !== 'number') continue;
    if (rate >= ABOVE_RATE * perSecond) streams.set(phase.name, rate);
  }
  if (streams.size === 0) return null;
  const counts = new Map<string, { sent: number; admitted: number }>();
  for (const observation of observations) {
    if (!streams.has(observation.phase)) continue;
    const count = counts.get(observation.phase) ?? { sent: 0, admitted: 0 };
    count.sent++;
    if (observation.outcome === 'admitted') count.admitted++;
    counts.set(observation.phase, count);
  }
  let best: Overdrive | null = null;
  for (const [phase, offered] of streams) {
    const count = counts.get(phase);
    if (count === undefined || count.sent < FEWEST_REQUESTS) continue;
    if (best !== null && offered <= best.offeredPerSecond) continue;
    best = { offeredPerSecond: offered, admittedPerSecond: count.admitted / (count.sent / offered) };
  }
  return best;
}
