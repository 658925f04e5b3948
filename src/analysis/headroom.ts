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

/** The refusal classes by number, as the waiting events store them (0: an admitted answer). */
const CLASS_CODES: readonly (RefusalClass | null)[] = [null, 'requests', 'tokens', 'capacity', 'never', 'quota', 'gateway', 'unknown'];
const CODE_OF: ReadonlyMap<RefusalClass | null, number> = new Map(CLASS_CODES.map((refusalClass, code) => [refusalClass, code]));
/** Bits of `present`: which of the remaining-* values an event carries (the others are null). */
const HAS_REQUESTS = 1;
const HAS_TOKENS = 2;

/** What the tracker has concluded from the events processed so far. */
interface TrackerState {
  requests: number | null;
  tokens: number | null;
  requestsTime: number;
  tokensTime: number;
  instantTime: number | null;
  requestsReadMs: number;
  tokensReadMs: number;
  count: number;
  first: HeadroomAtRefusal | null;
}

/**
 * Counts refusals made while the headers showed capacity; feed every admitted answer with headers and every refusal.
 *
 * Why the waiting events live in typed arrays, one per field, and not as the event
 * objects: each event waits for 20,000 newer ones, long enough to survive the young
 * generation, so keeping the objects meant copying and promoting every one of them and a
 * full collection later — about a second of `report` on a million-line recording.
 */
export class HeadroomTracker {
  private readonly reorderWindow: number;
  /** Waiting events, sorted by (time, admitted-before-refused, seq), at indexes [head, length). */
  private head = 0;
  private length = 0;
  private capacity = 0;
  private timeMs: Float64Array = new Float64Array(0);
  private seq: Float64Array = new Float64Array(0);
  private remainingRequests: Float64Array = new Float64Array(0);
  private remainingTokens: Float64Array = new Float64Array(0);
  private readMs: Float64Array = new Float64Array(0);
  private sentMs: Float64Array = new Float64Array(0);
  private estimatedTokens: Float64Array = new Float64Array(0);
  private classCode: Uint8Array = new Uint8Array(0);
  private instant: Uint8Array = new Uint8Array(0);
  private present: Uint8Array = new Uint8Array(0);
  private state: TrackerState = {
    requests: null,
    tokens: null,
    requestsTime: Number.NEGATIVE_INFINITY,
    tokensTime: Number.NEGATIVE_INFINITY,
    instantTime: null,
    requestsReadMs: Number.NEGATIVE_INFINITY,
    tokensReadMs: Number.NEGATIVE_INFINITY,
    count: 0,
    first: null,
  };

  constructor(reorderWindow = 20_000) {
    this.reorderWindow = reorderWindow;
  }

  add(event: HeadroomEvent): void {
    if (!Number.isFinite(event.timeMs)) return;
    if (this.length - this.head < this.reorderWindow) {
      this.insert(event);
      return;
    }
    // Full: whichever of the new event and the earliest waiting one comes first is processed now.
    if (this.eventBefore(event, this.head)) {
      processEvent(
        this.state,
        CODE_OF.get(event.refusalClass) ?? 0,
        event.timeMs,
        event.instant,
        event.seq,
        event.remainingRequests,
        event.remainingTokens,
        event.readMs ?? Number.NEGATIVE_INFINITY,
        event.sentMs ?? Number.POSITIVE_INFINITY,
        event.estimatedTokens ?? 0,
      );
      return;
    }
    this.insert(event);
    this.processAt(this.state, this.head);
    this.dropEarliest();
  }

  /**
   * The result over every event so far. Works on a copy of the state, so more events
   * may still be added afterwards (a live progress view asks often).
   */
  result(): { whileHeadersShowedCapacity: number; firstRefusal: HeadroomAtRefusal | null } {
    const copy: TrackerState = { ...this.state };
    for (let index = this.head; index < this.length; index++) this.processAt(copy, index);
    return { whileHeadersShowedCapacity: copy.count, firstRefusal: copy.first };
  }

  private processAt(state: TrackerState, index: number): void {
    const present = this.present[index]!;
    processEvent(
      state,
      this.classCode[index]!,
      this.timeMs[index]!,
      this.instant[index] === 1,
      this.seq[index]!,
      (present & HAS_REQUESTS) !== 0 ? this.remainingRequests[index]! : null,
      (present & HAS_TOKENS) !== 0 ? this.remainingTokens[index]! : null,
      this.readMs[index]!,
      this.sentMs[index]!,
      this.estimatedTokens[index]!,
    );
  }

  /** The order of the waiting list: the new event goes before the waiting one at `index`. */
  private eventBefore(event: HeadroomEvent, index: number): boolean {
    const time = this.timeMs[index]!;
    if (event.timeMs !== time) return event.timeMs < time;
    const rankEvent = event.refusalClass === null ? 0 : 1;
    const rankWaiting = this.classCode[index] === 0 ? 0 : 1;
    if (rankEvent !== rankWaiting) return rankEvent < rankWaiting;
    return event.seq < this.seq[index]!;
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
    if (this.length === this.capacity) this.grow();
    let index = this.length;
    const linearFloor = Math.max(this.head, index - LINEAR_STEPS);
    while (index > linearFloor && this.eventBefore(event, index - 1)) index--;
    if (index === linearFloor && index > this.head && this.eventBefore(event, index - 1)) {
      let low = this.head;
      let high = index - 1;
      // Invariant: event goes after the waiting event at low - 1 and before the one at high.
      while (low < high) {
        const middle = (low + high) >> 1;
        if (this.eventBefore(event, middle)) high = middle;
        else low = middle + 1;
      }
      index = low;
    }
    if (index < this.length) for (const field of this.fields()) field.copyWithin(index + 1, index, this.length);
    this.length++;
    this.timeMs[index] = event.timeMs;
    this.seq[index] = event.seq;
    this.remainingRequests[index] = event.remainingRequests ?? 0;
    this.remainingTokens[index] = event.remainingTokens ?? 0;
    this.present[index] = (event.remainingRequests !== null ? HAS_REQUESTS : 0) | (event.remainingTokens !== null ? HAS_TOKENS : 0);
    this.readMs[index] = event.readMs ?? Number.NEGATIVE_INFINITY;
    this.sentMs[index] = event.sentMs ?? Number.POSITIVE_INFINITY;
    this.estimatedTokens[index] = event.estimatedTokens ?? 0;
    this.classCode[index] = CODE_OF.get(event.refusalClass) ?? 0;
    this.instant[index] = event.instant ? 1 : 0;
  }

  /** Forgets the earliest waiting event (just processed); moves the rest to the front now and then. */
  private dropEarliest(): void {
    this.head++;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.length) {
      for (const field of this.fields()) field.copyWithin(0, this.head, this.length);
      this.length -= this.head;
      this.head = 0;
    }
  }

  private fields(): (Float64Array | Uint8Array)[] {
    return [this.timeMs, this.seq, this.remainingRequests, this.remainingTokens, this.readMs, this.sentMs, this.estimatedTokens, this.classCode, this.instant, this.present];
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const float = (old: Float64Array): Float64Array => {
      const next = new Float64Array(capacity);
      next.set(old.subarray(0, this.length));
      return next;
    };
    const byte = (old: Uint8Array): Uint8Array => {
      const next = new Uint8Array(capacity);
      next.set(old.subarray(0, this.length));
      return next;
    };
    this.timeMs = float(this.timeMs);
    this.seq = float(this.seq);
    this.remainingRequests = float(this.remainingRequests);
    this.remainingTokens = float(this.remainingTokens);
    this.readMs = float(this.readMs);
    this.sentMs = float(this.sentMs);
    this.estimatedTokens = float(this.estimatedTokens);
    this.classCode = byte(this.classCode);
    this.instant = byte(this.instant);
    this.present = byte(this.present);
    this.capacity = capacity;
  }
}

/** One event's effect on the state: an admitted answer sets the reference, a refusal is judged against it. */
function processEvent(
  state: TrackerState,
  classCode: number,
  timeMs: number,
  instant: boolean,
  seq: number,
  remainingRequests: number | null,
  remainingTokens: number | null,
  readMs: number,
  sentMs: number,
  estimatedTokens: number,
): void {
  if (classCode === 0) {
    // Within one burst instant, keep the lowest value seen (the state after all its admissions).
    const sameInstant = instant && state.instantTime === timeMs;
    if (remainingRequests !== null) {
      state.requests = sameInstant && state.requestsTime === timeMs && state.requests !== null ? Math.min(state.requests, remainingRequests) : remainingRequests;
      state.requestsTime = timeMs;
      state.requestsReadMs = sameInstant ? Math.max(state.requestsReadMs, readMs) : readMs;
    }
    if (remainingTokens !== null) {
      state.tokens = sameInstant && state.tokensTime === timeMs && state.tokens !== null ? Math.min(state.tokens, remainingTokens) : remainingTokens;
      state.tokensTime = timeMs;
      state.tokensReadMs = sameInstant ? Math.max(state.tokensReadMs, readMs) : readMs;
    }
    state.instantTime = instant ? timeMs : null;
    return;
  }
  const { requests, tokens, requestsReadMs, tokensReadMs } = state;
  const requestsSeen = requests !== null && requestsReadMs <= sentMs;
  const tokensSeen = tokens !== null && tokensReadMs <= sentMs;
  const tokensEnough = (left: number): boolean => left > 0 && left >= estimatedTokens;
  const refusalClass = CLASS_CODES[classCode];
  let showedCapacity: boolean;
  if (refusalClass === 'requests') showedCapacity = requestsSeen && requests > 0;
  else if (refusalClass === 'tokens') showedCapacity = tokensSeen && tokensEnough(tokens);
  else {
    showedCapacity =
      (requests !== null || tokens !== null) && (requests === null || (requestsSeen && requests > 0)) && (tokens === null || (tokensSeen && tokensEnough(tokens)));
  }
  if (showedCapacity) state.count++;
  if (state.first === null || seq < state.first.seq) state.first = { seq, remainingRequests: requests, remainingTokens: tokens };
}

/** Comparisons from the end before the insertion falls back to binary search. */
const LINEAR_STEPS = 16;
/** Processed events kept at the front of the list before it is compacted. */
const COMPACT_AFTER = 4096;
