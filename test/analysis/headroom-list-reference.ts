/**
 * The headroom tracker as it was before its waiting events moved into typed arrays
 * (objects in a sorted list), kept as the reference the typed-array version must match
 * exactly (headroom-order.test.ts). Its rule is src/analysis/headroom.ts's.
 */
import type { HeadroomAtRefusal, HeadroomEvent } from '../../src/analysis/headroom.js';

function before(a: HeadroomEvent, b: HeadroomEvent): boolean {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs;
  const rankA = a.refusalClass === null ? 0 : 1;
  const rankB = b.refusalClass === null ? 0 : 1;
  if (rankA !== rankB) return rankA < rankB;
  return a.seq < b.seq;
}

/** The object-list tracker. */
export class ListHeadroomTracker {
  /** Events waiting, sorted by `before`, from index `head` on (the ones before `head` were processed). */
  private waiting: HeadroomEvent[] = [];
  private head = 0;
  private readonly reorderWindow: number;
  private reference: { requests: number | null; tokens: number | null; requestsTime: number; tokensTime: number; instantTime: number | null; requestsReadMs: number; tokensReadMs: number } = {
    requests: null,
    tokens: null,
    requestsTime: Number.NEGATIVE_INFINITY,
    tokensTime: Number.NEGATIVE_INFINITY,
    instantTime: null,
    requestsReadMs: Number.NEGATIVE_INFINITY,
    tokensReadMs: Number.NEGATIVE_INFINITY,
  };
  private count = 0;
  private first: HeadroomAtRefusal | null = null;

  constructor(reorderWindow = 20_000) {
    this.reorderWindow = reorderWindow;
  }

  add(event: HeadroomEvent): void {
    if (!Number.isFinite(event.timeMs)) return;
    if (this.waiting.length - this.head < this.reorderWindow) {
      this.insert(event);
      return;
    }
    // Full: whichever of the new event and the earliest waiting one comes first is processed now.
    const earliest = this.waiting[this.head]!;
    if (before(event, earliest)) {
      this.process(event);
      return;
    }
    this.insert(event);
    this.process(this.takeEarliest());
  }

  /**
   * The result over every event so far. Works on a copy of the waiting events, so
   * more events may still be added afterwards (a live progress view asks often).
   */
  result(): { whileHeadersShowedCapacity: number; firstRefusal: HeadroomAtRefusal | null } {
    const copy = new ListHeadroomTracker(this.reorderWindow);
    copy.reference = { ...this.reference };
    copy.count = this.count;
    copy.first = this.first;
    for (let index = this.head; index < this.waiting.length; index++) copy.process(this.waiting[index]!);
    return { whileHeadersShowedCapacity: copy.count, firstRefusal: copy.first };
  }

  private process(event: HeadroomEvent): void {
    if (event.refusalClass === null) {
      this.admit(event);
      return;
    }
    const { requests, tokens, requestsReadMs, tokensReadMs } = this.reference;
    const sentMs = event.sentMs ?? Number.POSITIVE_INFINITY;
    const requestsSeen = requests !== null && requestsReadMs <= sentMs;
    const tokensSeen = tokens !== null && tokensReadMs <= sentMs;
    const tokensEnough = (left: number): boolean => left > 0 && left >= (event.estimatedTokens ?? 0);
    let showedCapacity: boolean;
    if (event.refusalClass === 'requests') showedCapacity = requestsSeen && requests > 0;
    else if (event.refusalClass === 'tokens') showedCapacity = tokensSeen && tokensEnough(tokens);
    else {
      showedCapacity =
        (requests !== null || tokens !== null) && (requests === null || (requestsSeen && requests > 0)) && (tokens === null || (tokensSeen && tokensEnough(tokens)));
    }
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
      reference.requestsReadMs = sameInstant ? Math.max(reference.requestsReadMs, event.readMs ?? Number.NEGATIVE_INFINITY) : event.readMs ?? Number.NEGATIVE_INFINITY;
    }
    if (event.remainingTokens !== null) {
      reference.tokens =
        sameInstant && reference.tokensTime === event.timeMs && reference.tokens !== null
          ? Math.min(reference.tokens, event.remainingTokens)
          : event.remainingTokens;
      reference.tokensTime = event.timeMs;
      reference.tokensReadMs = sameInstant ? Math.max(reference.tokensReadMs, event.readMs ?? Number.NEGATIVE_INFINITY) : event.readMs ?? Number.NEGATIVE_INFINITY;
    }
    reference.instantTime = event.instant ? event.timeMs : null;
  }

  /**
   * Puts an event at its place in the sorted waiting list.
   *
   * Why a sorted list and not a heap: lines arrive almost in admission order (out of
   * order by about the number of requests in flight), so a new event nearly always
   * belongs at the end, found with one or a few comparisons, where a heap of 20,000
   * events paid ~30 comparisons per event to sift it down (5 % of `report` on a
   * million-line recording). An event found further back is placed by binary search.
   * The order is the same total order as the heap's, so the results are identical.
   */
  private insert(event: HeadroomEvent): void {
    const waiting = this.waiting;
    let index = waiting.length;
    const linearFloor = Math.max(this.head, index - LINEAR_STEPS);
    while (index > linearFloor && before(event, waiting[index - 1]!)) index--;
    if (index === waiting.length) {
      waiting.push(event);
      return;
    }
    if (index === linearFloor && index > this.head && before(event, waiting[index - 1]!)) {
      let low = this.head;
      let high = index - 1;
      // Invariant: event goes after waiting[low - 1] and before waiting[high].
      while (low < high) {
        const middle = (low + high) >> 1;
        if (before(event, waiting[middle]!)) high = middle;
        else low = middle + 1;
      }
      index = low;
    }
    waiting.splice(index, 0, event);
  }

  /** Removes and returns the earliest waiting event; drops the processed prefix now and then. */
  private takeEarliest(): HeadroomEvent {
    const event = this.waiting[this.head]!;
    this.head++;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    return event;
  }
}

/** Comparisons from the end before the insertion falls back to binary search. */
const LINEAR_STEPS = 16;
/** Processed events kept at the front of the list before it is compacted. */
const COMPACT_AFTER = 4096;
