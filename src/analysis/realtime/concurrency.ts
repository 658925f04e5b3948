/**
 * The concurrency cap from session lines: how many sessions were held open at
 * the moment each session was refused at open. A cap refuses exactly when that
 * count reaches it, so every refusal shows the same count; the most frequent
 * count is the cap, and the confidence says how many refusals agree and whether
 * any session was ever held above it.
 *
 * A session counts as held from when it was asked for (the service counts it from
 * its upgrade) to its close; of two asked in the same millisecond the one with
 * the lower number was asked first.
 */
import type { SessionLine } from '../../record/types.js';
import type { Confidence } from '../summary-types.js';

/** A session for the count: when it was held, or when it was refused. */
export interface HeldSession {
  line: SessionLine;
  /** Refused at open by a limit (not expiry, not a normal close). */
  refused: boolean;
}

/** The cap and how much to trust it; cap null when no session was refused while others were held. */
export function concurrencyCap(sessions: readonly HeldSession[]): { cap: number | null; confidence: Confidence; maxHeld: number } {
  const intervals: Array<{ from: number; to: number; sid: number }> = [];
  for (const { line, refused } of sessions) {
    if (refused || line.firstEventMs === null) continue;
    intervals.push({ from: line.askedMs, to: line.closeMs, sid: line.sid });
  }
  /** Sessions held when session `sid` was asked for at `timeMs` (itself not included). */
  const heldAt = (timeMs: number, sid: number): number => {
    let held = 0;
    for (const { from, to, sid: other } of intervals) if ((from < timeMs || (from === timeMs && other < sid)) && to > timeMs) held++;
    return held;
  };
  let maxHeld = 0;
  for (const { from, sid } of intervals) maxHeld = Math.max(maxHeld, heldAt(from, sid) + 1);
  const counts = new Map<number, number>();
  let refusals = 0;
  for (const { line, refused } of sessions) {
    if (!refused) continue;
    const held = heldAt(line.askedMs, line.sid);
    if (held === 0) continue; // refused with nothing held: not a concurrency refusal
    refusals++;
    counts.set(held, (counts.get(held) ?? 0) + 1);
  }
  if (refusals === 0) return { cap: null, confidence: intervals.length > 0 ? 'low' : 'none', maxHeld };
  let cap = 0;
  let agreeing = 0;
  for (const [held, count] of counts) {
    if (count > agreeing || (count === agreeing && held < cap)) {
      cap = held;
      agreeing = count;
    }
  }
  const share = agreeing / refusals;
  let confidence: Confidence = 'low';
  if (share >= 0.8 && maxHeld <= cap && agreeing >= 3) confidence = 'high';
  else if (share >= 0.6 && maxHeld <= cap + 1) confidence = 'medium';
  return { cap, confidence, maxHeld };
}
