/**
 * The bucket that `rate_limits.updated` events imply. Their numbers fit a
 * bucket refilling continuously at limit per minute: reset_seconds is
 * (limit − remaining) / refill rate. So every event with something missing gives
 * the refill rate, and the median of them is robust to a rounded figure.
 *
 * The reservation: a response's first update (after `response.create`) shows
 * its whole reservation taken, the update after its `response.done` shows the
 * unused part back; what came back plus the output tokens it used is the output
 * reservation.
 */
import type { SessionLine, TurnLine } from '../../record/types.js';
import { median } from '../inference/dimension.js';

/** Limit, refill per second and output reservation; nulls when no event said. */
export function impliedBucket(sessions: readonly SessionLine[], turns: readonly TurnLine[]): { limit: number | null; refillPerSecond: number | null; reservedTokens: number | null } {
  const updatesOf = new Map<number, Array<{ atMs: number; limit: number; remaining: number }>>();
  let name: 'tokens' | 'requests' | null = null;
  for (const session of sessions) for (const update of session.rateLimits ?? []) if (update.limits.some((entry) => entry.name === 'tokens')) name = 'tokens';
  name ??= sessions.some((session) => (session.rateLimits ?? []).some((update) => update.limits.some((entry) => entry.name === 'requests'))) ? 'requests' : null;
  if (name === null) return { limit: null, refillPerSecond: null, reservedTokens: null };

  let limit: number | null = null;
  const rates: number[] = [];
  for (const session of sessions) {
    const list: Array<{ atMs: number; limit: number; remaining: number }> = [];
    for (const update of session.rateLimits ?? []) {
      const entry = update.limits.find((candidate) => candidate.name === name);
      if (entry === undefined || entry.limit === null || entry.remaining === null) continue;
      limit = Math.max(limit ?? 0, entry.limit);
      list.push({ atMs: update.atMs, limit: entry.limit, remaining: entry.remaining });
      // Below 50 ms of reset the rounding of reset_seconds to the millisecond dominates.
      if (entry.resetSeconds !== null && entry.resetSeconds >= 0.05 && entry.limit > entry.remaining) rates.push((entry.limit - entry.remaining) / entry.resetSeconds);
    }
    updatesOf.set(session.sid, list);
  }

  const reservations: number[] = [];
  if (name === 'tokens') {
    for (const turn of turns) {
      if (turn.status !== 'completed' || turn.doneMs === null || turn.usage === null) continue;
      const updates = updatesOf.get(turn.sid) ?? [];
      const during = updates.find((update) => update.atMs >= turn.sentMs && update.atMs <= turn.doneMs!);
      const after = updates.find((update) => update.atMs >= turn.doneMs! && update !== during);
      if (during === undefined || after === undefined) continue;
      reservations.push(after.remaining - during.remaining + turn.usage.outputTokens);
    }
  }
  const rate = rates.length === 0 ? null : median(rates);
  return {
    limit,
    refillPerSecond: rate === null ? null : Math.round(rate * 1000) / 1000,
    reservedTokens: reservations.length === 0 ? null : Math.round(median(reservations)),
  };
}
