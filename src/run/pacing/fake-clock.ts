/**
 * A deterministic Clock for tests: time moves only when told to, so runner and transport
 * timings can be asserted exactly (sentMs === plannedMs, not "about").
 *
 * Two ways to move time:
 *   - `advance(ms)` (manual): wakes every sleeper due within the next `ms`, in due order,
 *     letting the woken code run (its promise callbacks) before the next one is woken.
 *   - `autoAdvance: true`: whenever the program has nothing left to do but wait on this
 *     clock, time jumps to the earliest sleeper. A whole run then completes as fast as
 *     the CPU allows, with exact virtual times.
 *
 * Why "nothing left to do" can be detected: the jump happens in a setImmediate callback,
 * which Node runs only after every pending promise callback has run. So code that waits
 * only on this clock and on promises is always idle when the jump happens. Code that
 * waits on real I/O (sockets, files) is not: use the real clock for that.
 *
 * `jump(ms)` moves time at once without waking anyone, to simulate a stall (a long
 * synchronous send, a GC pause): the sleepers that became due wake on the next advance.
 */
import type { Clock } from './clock.js';

/** Options of the fake clock. */
export interface FakeClockOptions {
  /** Start time, ms. Default 0. */
  startMs?: number;
  /** Jump to the earliest sleeper whenever the program is idle. Default false. */
  autoAdvance?: boolean;
}

/** A Clock whose time is moved by the test. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, waking sleepers in due order; resolves once woken code has run. */
  advance(ms: number): Promise<void>;
  /** Moves time forward by `ms` at once, waking nobody yet (simulates a stall). */
  jump(ms: number): void;
  /** Number of sleepers not yet woken. */
  readonly pendingSleepers: number;
}

interface Sleeper {
  atMs: number;
  order: number;
  wake: () => void;
}

/** Lets every pending promise callback run (setImmediate runs after the microtask queue is empty). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Creates a fake clock; see the module comment for manual and automatic advancing. */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  let current = options.startMs ?? 0;
  let order = 0;
  let autoScheduled = false;
  const sleepers: Sleeper[] = [];

  const earliest = (): Sleeper | undefined => {
    let best: Sleeper | undefined;
    for (const sleeper of sleepers) {
      if (best === undefined || sleeper.atMs < best.atMs || (sleeper.atMs === best.atMs && sleeper.order < best.order)) {
        best = sleeper;
      }
    }
    return best;
  };

  const remove = (sleeper: Sleeper): boolean => {
    const index = sleepers.indexOf(sleeper);
    if (index < 0) return false;
    sleepers.splice(index, 1);
    return true;
  };

  /** Wakes every sleeper due at or before the current time, in due order. */
  const wakeDue = (): void => {
    for (;;) {
      const next = earliest();
      if (next === undefined || next.atMs > current) return;
      remove(next);
      next.wake();
    }
  };

  const scheduleAutoAdvance = (): void => {
    if (!options.autoAdvance || autoScheduled) return;
    autoScheduled = true;
    setImmediate(() => {
      autoScheduled = false;
      const next = earliest();
      if (next === undefined) return;
      current = Math.max(current, next.atMs);
      wakeDue();
      if (sleepers.length > 0) scheduleAutoAdvance();
    });
  };

  return {
    now: () => current,

    sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) {
          resolve();
          return;
        }
        const onAbort = (): void => {
          if (remove(sleeper)) resolve();
        };
        const sleeper: Sleeper = {
          atMs,
          order: order++,
          wake: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (atMs <= current && !options.autoAdvance) {
          // Already due: wake on the next turn rather than never.
          queueMicrotask(wakeDue);
        }
        scheduleAutoAdvance();
      });
    },

    async advance(ms: number): Promise<void> {
      const target = current + ms;
      await settle();
      for (;;) {
        const next = earliest();
        if (next === undefined || next.atMs > target) break;
        current = Math.max(current, next.atMs);
        wakeDue();
        await settle();
      }
      current = Math.max(current, target);
      await settle();
    },

    jump(ms: number): void {
      current += ms;
    },

    get pendingSleepers(): number {
      return sleepers.length;
    },
  };
}
