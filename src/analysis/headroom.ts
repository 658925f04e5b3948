/**
 * Refusals that came while the remaining-* headers still showed capacity
 * (`throttled.whileHeadersShowedCapacity`), and what the headers showed at the
 * first refusal (for the verdict's "while the headers still showed 45 left").
 *
 * The rule, kept simple and stated once:
 *   A refusal counts when the most recent admitted answer before it, in the order
 *   the limiter admitted them, showed capacity for the dimension that refused:
 *   remaining-requests > 0 for a `requests` refusal, remaining-tokens at least the
 *   refused request's own estimated charge for a `tokens` refusal (a header showing
 *   900 tokens left does not promise room for a request of 4,000), and every
 *   dimension the headers gave for any other class — and only when that answer's
 *   headers had been read before the refused request was sent. A header the client
 *   could not yet see promised nothing: with requests in flight, an exact header
 *   read after the next request left is simply not news yet.
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
 * Lines arrive in roughly the order requests finish, so events wait in a sorted list
 * ordered by (time, admitted-before-refused, seq) and leave it once more than
 * `reorderWindow` newer events have arrived — exact unless an answer is recorded
 * more than that many lines late.
 */
import type { RefusalClass } from './summary-types.js';

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
  /** When this answer's headers were read (doneMs); for an admitted answer. Absent: unknown, taken as seen in time. */
  readMs?: number;
  /** When the refused request really left (sentMs); for a refusal. Absent: unknown, every header taken as seen. */
  sentMs?: number;
  /** The refused request's estimated token charge (prompt + max_tokens); for a token refusal. */
  estimatedTokens?: number;
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
export class HeadroomTracker {
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
    const copy = new HeadroomTracker(this.reorderWindow);
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
