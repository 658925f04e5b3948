// The heap-based HeadroomTracker as it was before the sorted-list version (commit 5eb8e36),
// kept only as the reference the property test compares the new one with.
/**
 * Refusals that came while the remaining-* headers still showed capacity
 * (`throttled.whileHeadersShowedCapacity`), and what the headers showed at the
 * first refusal (for the verdict's "while the headers still showed 45 left").
 *
 * The rule, kept simple and stated once:
 *   A refusal counts when the most recent admitted answer before it, in the order
 *   the limiter admitted them, showed remaining > 0 for the dimension that refused:
 *   remaining-requests for a `requests` refusal, remaining-tokens for a `tokens`
 *   refusal, and every dimension the headers gave for any other class.
 *
 * Why admission order and not the order answers came back: a limiter decides when
 * a request arrives, and its remaining-* header describes its count right after
 * that decision. Refusals come back fast while admitted answers wait for the model,
 * so in a burst every 429 returns before any 200; ordering by `doneMs` would find
 * nothing before them. We order by the time the request was sent (`sentMs`), except
 * that requests of one burst instant count as simultaneous (they share `plannedMs`;
 * their exact send order on several sockets is noise): all admitted answers of the
 * instant come first, and the lowest remaining among them is the reference.
 *
 * Lines arrive in roughly the order requests finish, so events wait in a small heap
 * ordered by (time, admitted-before-refused, seq) and leave it once more than
 * `reorderWindow` newer events have arrived — exact unless an answer is recorded
 * more than that many lines late.
 */
import type { RefusalClass } from '../../src/analysis/summary-types.js';

/** One answer as the tracker needs it. */
export interface HeadroomEvent {
  /** sentMs, or the burst instant's plannedMs. */
  timeMs: number;
  /** True when requests sharing this timeMs are one burst instant (simultaneous). */
  instant: boolean;
  seq: number;
  /** null for an admitted answer. */
  refusalClass: RefusalClass | null;
  remainingRequests: number | null;
  remainingTokens: number | null;
}

/** What the headers showed when a refusal happened. */
export interface HeadroomAtRefusal {
  seq: number;
  remainingRequests: number | null;
  remainingTokens: number | null;
}

function before(a: HeadroomEvent, b: HeadroomEvent): boolean {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs;
  const rankA = a.refusalClass === null ? 0 : 1;
  const rankB = b.refusalClass === null ? 0 : 1;
  if (rankA !== rankB) return rankA < rankB;
  return a.seq < b.seq;
}

/** Counts refusals made while the headers showed capacity; feed every admitted answer with headers and every refusal. */
export class HeapHeadroomTracker {
  private heap: HeadroomEvent[] = [];
  private readonly reorderWindow: number;
  private reference: { requests: number | null; tokens: number | null; requestsTime: number; tokensTime: number; instantTime: number | null } = {
    requests: null,
    tokens: null,
    requestsTime: Number.NEGATIVE_INFINITY,
    tokensTime: Number.NEGATIVE_INFINITY,
    instantTime: null,
  };
  private count = 0;
  private first: HeadroomAtRefusal | null = null;

  constructor(reorderWindow = 20_000) {
    this.reorderWindow = reorderWindow;
  }

  add(event: HeadroomEvent): void {
    if (!Number.isFinite(event.timeMs)) return;
    if (this.heap.length < this.reorderWindow) {
      this.push(event);
      return;
    }
    // Full: whichever of the new event and the earliest waiting one comes first is processed now.
    const top = this.heap[0]!;
    if (before(event, top)) {
      this.process(event);
      return;
    }
    this.heap[0] = event;
    this.siftDown();
    this.process(top);
  }

  /**
   * The result over every event so far. Works on a copy of the waiting events, so
   * more events may still be added afterwards (a live progress view asks often).
   */
  result(): { whileHeadersShowedCapacity: number; firstRefusal: HeadroomAtRefusal | null } {
    const copy = new HeapHeadroomTracker(this.reorderWindow);
    copy.heap.push(...this.heap);
    copy.reference = { ...this.reference };
    copy.count = this.count;
    copy.first = this.first;
    while (copy.heap.length > 0) copy.process(copy.pop());
    return { whileHeadersShowedCapacity: copy.count, firstRefusal: copy.first };
  }

  private process(event: HeadroomEvent): void {
    if (event.refusalClass === null) {
      this.admit(event);
      return;
    }
    const { requests, tokens } = this.reference;
    let showedCapacity: boolean;
    if (event.refusalClass === 'requests') showedCapacity = requests !== null && requests > 0;
    else if (event.refusalClass === 'tokens') showedCapacity = tokens !== null && tokens > 0;
    else showedCapacity = (requests !== null || tokens !== null) && (requests === null || requests > 0) && (tokens === null || tokens > 0);
    if (showedCapacity) this.count++;
    if (this.first === null || event.seq < this.first.seq) {
      this.first = { seq: event.seq, remainingRequests: requests, remainingTokens: tokens };
    }
  }

  private admit(event: HeadroomEvent): void {
    const reference = this.reference;
    // Within one burst instant, keep the lowest value seen (the state after all its admissions).
    const sameInstant = event.instant && reference.instantTime === event.timeMs;
    if (event.remainingRequests !== null) {
      reference.requests =
        sameInstant && reference.requestsTime === event.timeMs && reference.requests !== null
          ? Math.min(reference.requests, event.remainingRequests)
          : event.remainingRequests;
      reference.requestsTime = event.timeMs;
    }
    if (event.remainingTokens !== null) {
      reference.tokens =
        sameInstant && reference.tokensTime === event.timeMs && reference.tokens !== null
          ? Math.min(reference.tokens, event.remainingTokens)
          : event.remainingTokens;
      reference.tokensTime = event.timeMs;
    }
    reference.instantTime = event.instant ? event.timeMs : null;
  }

  private push(event: HeadroomEvent): void {
    const heap = this.heap;
    let index = heap.length;
    heap.push(event);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentEvent = heap[parent]!;
      if (!before(event, parentEvent)) break;
      heap[index] = parentEvent;
      index = parent;
    }
    heap[index] = event;
  }

  /** Moves the event at the top down to its place. */
  private siftDown(): void {
    const heap = this.heap;
    const event = heap[0]!;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, event)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = event;
  }

  private pop(): HeadroomEvent {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown();
    }
    return top;
  }
}
