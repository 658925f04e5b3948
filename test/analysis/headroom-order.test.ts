/**
 * The headroom tracker keeps its waiting events in a sorted list (fast for nearly ordered
 * lines); this checks it gives exactly what the earlier heap version gave, for nearly
 * ordered, shuffled and reversed streams, with windows small enough to overflow.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeadroomTracker, type HeadroomEvent } from '../../src/analysis/headroom.js';
import { HeapHeadroomTracker } from './headroom-heap-reference.js';
import { ListHeadroomTracker } from './headroom-list-reference.js';

const refusalClasses = [null, null, null, 'requests', 'tokens', 'capacity'] as const;

const eventArbitrary = fc.record({
  timeMs: fc.integer({ min: 0, max: 60 }),
  instant: fc.boolean(),
  refusal: fc.integer({ min: 0, max: refusalClasses.length - 1 }),
  remainingRequests: fc.option(fc.integer({ min: 0, max: 3 })),
  remainingTokens: fc.option(fc.integer({ min: 0, max: 3 })),
});

interface RawEvent {
  timeMs: number;
  instant: boolean;
  refusal: number;
  remainingRequests: number | null;
  remainingTokens: number | null;
}

function toEvents(raw: RawEvent[]): HeadroomEvent[] {
  return raw.map((item, seq) => ({
    timeMs: item.timeMs,
    instant: item.instant,
    seq,
    refusalClass: refusalClasses[item.refusal]!,
    remainingRequests: item.remainingRequests,
    remainingTokens: item.remainingTokens,
  }));
}

function bothResults(events: HeadroomEvent[], window: number) {
  const list = new HeadroomTracker(window);
  const heap = new HeapHeadroomTracker(window);
  const middle = [] as unknown[];
  events.forEach((event, index) => {
    list.add(event);
    heap.add(event);
    if (index === events.length >> 1) middle.push(list.result(), heap.result());
  });
  return { list: [middle[0], list.result()], heap: [middle[1], heap.result()] };
}

describe('headroom tracker order', () => {
  it('gives the same results as the heap version for any stream and window', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom('as-is', 'sorted', 'reversed'), (raw, window, order) => {
        const events = toEvents(raw);
        if (order === 'sorted') events.sort((a, b) => a.timeMs - b.timeMs);
        if (order === 'reversed') events.sort((a, b) => b.timeMs - a.timeMs);
        const { list, heap } = bothResults(events, window);
        expect(list).toEqual(heap);
      }),
      { numRuns: 300 },
    );
  });

  it('places events far behind the end (past the linear steps) exactly', () => {
    // Times rise, and every 50th event is 40 positions late: placed by binary search.
    const raw = Array.from({ length: 2000 }, (_, index) => ({
      timeMs: index % 50 === 0 ? index - 40 : index,
      instant: false,
      refusal: index % 7 === 0 ? 3 : 0,
      remainingRequests: index % 3,
      remainingTokens: null,
    }));
    const { list, heap } = bothResults(toEvents(raw), 100);
    expect(list).toEqual(heap);
  });

  it('gives exactly what the object-list version gave, with read and send times, charges and every class, past compaction', () => {
    const everyClass = [null, null, 'requests', 'tokens', 'capacity', 'never', 'quota', 'gateway', 'unknown'] as const;
    const fullEvent = fc.record({
      timeMs: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(Number.NaN)),
      instant: fc.boolean(),
      refusal: fc.integer({ min: 0, max: everyClass.length - 1 }),
      remainingRequests: fc.option(fc.integer({ min: -1, max: 3 })),
      remainingTokens: fc.option(fc.integer({ min: 0, max: 30 })),
      readMs: fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
      sentMs: fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
      estimatedTokens: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(fullEvent, { maxLength: 400 }), fc.integer({ min: 1, max: 40 }), (raw, window) => {
        const typed = new HeadroomTracker(window);
        const list = new ListHeadroomTracker(window);
        raw.forEach((item, seq) => {
          const { refusal, ...rest } = item;
          const event: HeadroomEvent = { ...rest, seq, refusalClass: everyClass[refusal]! };
          typed.add(event);
          list.add(event);
          if (seq % 97 === 0) expect(typed.result()).toEqual(list.result());
        });
        expect(typed.result()).toEqual(list.result());
      }),
      { numRuns: 300 },
    );
    // Long enough to grow the arrays and compact the processed prefix many times.
    const typed = new HeadroomTracker(300);
    const list = new ListHeadroomTracker(300);
    for (let seq = 0; seq < 30_000; seq++) {
      const late = seq % 101 === 0 ? 250 : seq % 13 === 0 ? 20 : 0;
      const event: HeadroomEvent = {
        timeMs: seq - late,
        instant: seq % 5 === 0,
        seq,
        refusalClass: seq % 3 === 0 ? 'requests' : seq % 11 === 0 ? 'tokens' : null,
        remainingRequests: seq % 4 === 0 ? null : seq % 6,
        remainingTokens: seq % 9 === 0 ? null : seq % 40,
        readMs: seq + 2,
        sentMs: seq % 7 === 0 ? undefined : seq + (seq % 3),
        estimatedTokens: seq % 17,
      };
      typed.add(event);
      list.add(event);
    }
    expect(typed.result()).toEqual(list.result());
  });
});
