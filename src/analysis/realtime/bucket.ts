/**
 * The bucket that `rate_limits.updated` events imply. Their numbers fit a
 * bucket refilling continuously at limit per minute: reset_seconds is
 * (limit − remaining) / refill rate. So every event with something missing gives
 * the refill rate, and the median of them is robust to a rounded figure.
 *
 * The reservation: a response's first update (after `response.create`) shows
 * its whole reservation taken, the update after its `response.done` shows the
 * unused part back; what came back plus the output tokens it used is the output
 * reservation (the smallest such figure over the turns: see below).
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

  const rate = rates.length === 0 ? null : median(rates);
  const reservations: number[] = [];
  if (name === 'tokens') {
    // Each answered turn has two updates, in order: its reservation, then its refund. The
    // refund of one turn can arrive after the next turn was sent, so updates are taken in
    // order, each by one turn only, never by time alone.
    const next = new Map<number, number>();
    const ordered = [...turns].sort((a, b) => a.sid - b.sid || a.turn - b.turn);
    // The bucket is shared: a turn of another session between the two updates moves them too.
    const overlapsAnother = (turn: TurnLine): boolean =>
      turns.some((other) => other.sid !== turn.sid && other.sentMs <= (turn.doneMs ?? turn.sentMs) && (other.doneMs ?? other.sentMs) >= turn.sentMs);
    for (const turn of ordered) {
      const updates = updatesOf.get(turn.sid) ?? [];
      let index = next.get(turn.sid) ?? 0;
      while (index < updates.length && updates[index]!.atMs < turn.sentMs) index++;
      if (turn.status !== 'completed' || turn.doneMs === null || turn.usage === null) {
        // A refused turn may have sent one update (the refusal's figures).
        if (index < updates.length && turn.doneMs !== null && updates[index]!.atMs <= turn.doneMs) index++;
        next.set(turn.sid, index);
        continue;
      }
      const during = updates[index];
      const after = updates[index + 1];
      next.set(turn.sid, index + 2);
      if (during === undefined || after === undefined || during.atMs > turn.doneMs || overlapsAnother(turn)) continue;
      // What came back plus what the answer used; the bucket's refill between the two updates adds to it.
      reservations.push(after.remaining - during.remaining + turn.usage.outputTokens);
    }
  }
  return {
    limit,
    refillPerSecond: rate === null ? null : Math.round(rate * 1000) / 1000,
    // The refill between two updates only ever adds (and the server's own time between them is
    // unknown to us), so the smallest figure is the one closest to the reservation itself.
    reservedTokens: reservations.length === 0 ? null : Math.round(Math.min(...reservations)),
  };
}
