/**
 * "Refused while the headers showed capacity" counts only what the client could have
 * known: the header must have been read before the refused request was sent, and for
 * a token refusal it must have shown at least the request's own estimated charge.
 */
import { describe, expect, it } from 'vitest';
import { HeadroomTracker, type HeadroomEvent } from '../../src/analysis/headroom.js';

function count(events: HeadroomEvent[]): number {
  const tracker = new HeadroomTracker();
  for (const event of events) tracker.add(event);
  return tracker.result().whileHeadersShowedCapacity;
}

const admitted = (timeMs: number, readMs: number, seq: number, remaining: { requests?: number; tokens?: number }): HeadroomEvent => ({
  timeMs,
  instant: false,
  seq,
  refusalClass: null,
  remainingRequests: remaining.requests ?? null,
  remainingTokens: remaining.tokens ?? null,
  readMs,
});

const refused = (timeMs: number, seq: number, refusalClass: 'requests' | 'tokens', estimatedTokens = 0): HeadroomEvent => ({
  timeMs,
  instant: false,
  seq,
  refusalClass,
  remainingRequests: null,
  remainingTokens: null,
  sentMs: timeMs,
  estimatedTokens,
});

describe('headers showed capacity', () => {
  it('counts a refusal sent after the header showing room was read', () => {
    expect(count([admitted(0, 100, 0, { requests: 3 }), refused(150, 1, 'requests')])).toBe(1);
  });

  it('does not count a refusal sent before that header was read (the client could not know)', () => {
    expect(count([admitted(0, 300, 0, { requests: 3 }), refused(150, 1, 'requests')])).toBe(0);
  });

  it('does not count a token refusal when the header showed less than the request would be charged', () => {
    expect(count([admitted(0, 100, 0, { tokens: 900 }), refused(150, 1, 'tokens', 4000)])).toBe(0);
    expect(count([admitted(0, 100, 0, { tokens: 5000 }), refused(150, 1, 'tokens', 4000)])).toBe(1);
  });

  it('takes the most recent admission as the reference even when it is not read yet', () => {
    // An older header read in time showed room, but a newer admission (not yet read) may have used it.
    expect(count([admitted(0, 50, 0, { requests: 1 }), admitted(100, 400, 1, { requests: 0 }), refused(200, 2, 'requests')])).toBe(0);
  });
});
