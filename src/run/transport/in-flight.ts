/**
 * A transport's in-flight requests, grouped by the AbortSignal they were sent
 * with, so that aborting a signal fails exactly its requests and `close()` fails
 * them all. Shared by the undici and the lean transport.
 */
import { RequestAbortedError } from './error-kind.js';

/** What an in-flight request must offer: its abort group (bookkeeping kept on it) and a way to end it. */
export interface Abortable<T> {
  /** The group of its signal while in flight, set by {@link InFlightRequests.add}; read back by `delete`. */
  group: AbortGroup<T> | null;
  /** Ends it now with `reason`; must call the owner's `delete` and be a no-op once ended. */
  fail(reason: Error): void;
}

/** The requests in flight on one signal, and the one abort listener that fails them. */
export interface AbortGroup<T> {
  readonly signal: AbortSignal;
  readonly members: Set<T>;
  readonly onAbort: () => void;
}

/**
 * The set of requests in flight, plus one group per signal.
 *
 * Why one abort listener per signal, not per request: the runner passes the same
 * signal to every request of a run, and an EventTarget listener costs more than a
 * Set entry. The group is kept on the request itself, so removing it costs no
 * lookup.
 *
 * Why the listener is removed when its group empties: a signal can outlive the
 * transport (one run-wide signal over several targets' transports, or a caller's
 * long-lived signal over many short runs). A listener left behind on it would keep
 * the transport's bookkeeping alive and pile up, one per transport, until Node warns
 * of a listener leak. With the group gone when idle, the signal holds only what is in
 * flight right now.
 */
export class InFlightRequests<T extends Abortable<T>> {
  /** Every request in flight; iterate it for sweeps, never mutate it directly. */
  readonly all = new Set<T>();
  private readonly bySignal = new Map<AbortSignal, AbortGroup<T>>();

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
      // A copy: each fail() deletes its request from the set being walked.
      const onAbort = (): void => {
        for (const member of [...members]) member.fail(new RequestAbortedError());
      };
      group = { signal, members, onAbort };
      this.bySignal.set(signal, group);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    group.members.add(request);
    request.group = group;
  }

  /** Forgets `request` (it settled); the last request of a signal takes its listener with it. */
  delete(request: T): void {
    this.all.delete(request);
    const group = request.group;
    if (group === null) return;
    request.group = null;
    group.members.delete(request);
    if (group.members.size === 0 && this.bySignal.get(group.signal) === group) {
      this.bySignal.delete(group.signal);
      group.signal.removeEventListener('abort', group.onAbort);
    }
  }

  /** Fails every request in flight with `reason` (the transport is closing). */
  failAll(reason: Error): void {
    for (const request of [...this.all]) request.fail(reason);
  }
}
