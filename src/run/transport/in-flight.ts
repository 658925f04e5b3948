/**
 * A transport's in-flight requests, grouped by the AbortSignal they were sent
 * with, so that aborting a signal fails exactly its requests and `close()` fails
 * them all. Shared by the undici and the lean transport.
 */
import { RequestAbortedError } from './error-kind.js';

/** What an in-flight request must offer: its abort group (bookkeeping kept on it) and a way to end it. */
export interface Abortable<T> {
  /** The group of its signal while in flight, set by {@link InFlightRequests.add}; read back by `delete`. */
  group: Set<T> | null;
  /** Ends it now with `reason`; must call the owner's `delete` and be a no-op once ended. */
  fail(reason: Error): void;
}

/**
 * The set of requests in flight, plus one group per signal.
 *
 * Why one abort listener per signal, not per request: the runner passes the same
 * signal to every request of a run, and an EventTarget listener costs more than a
 * Set entry. The group is kept on the request itself, so removing it costs no
 * lookup; the WeakMap lets a finished signal and its group be collected.
 */
export class InFlightRequests<T extends Abortable<T>> {
  /** Every request in flight; iterate it for sweeps, never mutate it directly. */
  readonly all = new Set<T>();
  private readonly bySignal = new WeakMap<AbortSignal, Set<T>>();

  /** How many requests are in flight. */
  get size(): number {
    return this.all.size;
  }

  /** Tracks `request` until `delete`; aborting `signal` then fails it with errorKind `aborted`. */
  add(request: T, signal: AbortSignal): void {
    this.all.add(request);
    let group = this.bySignal.get(signal);
    if (group === undefined) {
      const members = new Set<T>();
      group = members;
      this.bySignal.set(signal, members);
      signal.addEventListener(
        'abort',
        () => {
          // A copy: each fail() deletes its request from the set being walked.
          for (const member of [...members]) member.fail(new RequestAbortedError());
        },
        { once: true },
      );
    }
    group.add(request);
    request.group = group;
  }

  /** Forgets `request` (it settled). */
  delete(request: T): void {
    this.all.delete(request);
    request.group?.delete(request);
  }

  /** Fails every request in flight with `reason` (the transport is closing). */
  failAll(reason: Error): void {
    for (const request of [...this.all]) request.fail(reason);
  }
}
