/**
 * The real clock of a run: performance.now() relative to the clock's creation, and a
 * sleep precise to a fraction of a millisecond.
 *
 * Why timers and then setImmediate: Node's setTimeout has a 1 ms granularity and often
 * fires 1–2 ms late on a busy machine, which at 1000 requests/s clumps requests in pairs
 * (measured: 23–31 % of gaps under 0.25 ms). Polling the clock with setImmediate is exact
 * but burns a whole core. So: sleep on a timer until about `spinMs` before the due time
 * (cheap, imprecise), then yield with setImmediate and re-read the clock until due
 * (precise, costs CPU only for that last stretch). Each setImmediate turn lets the event
 * loop run I/O callbacks, so responses keep being read while we wait.
 *
 * Why Atomics.wait in that last stretch: a pure setImmediate loop re-reads the clock
 * millions of times and costs a whole core at 1000 requests/s, where every gap is inside
 * the last stretch. Blocking the thread for a short slice (≤ `waitSliceMs`, 0.25 ms by
 * default) between turns sleeps in the kernel instead. Measured on the shared 2-core box
 * (steady 1000/s for 3 s, no-op transport, one run each): ~10 % of a core instead of
 * ~100 %, the same gap p50 (1.000 ms), gap p99 1.08–2.3 ms against 1.02–1.6 ms for the
 * pure loop depending on what else ran; with the box overloaded (load average 7) the pure
 * loop fell apart (p99 12–15 ms) while the sliced wait held 4–5 ms. `waitSliceMs: 0`
 * restores the pure loop for a quiet machine and the tightest gaps.
 * The cost: an I/O callback may wait up to one slice before it runs, which can add up to
 * one slice to a recorded response time. Node allows Atomics.wait on the main thread.
 *
 * Why the slice shrinks for short sleeps: a caller that sleeps for less than a
 * millisecond at a time (a runner at thousands of requests/s) has responses arriving all
 * the time, and a 0.25 ms block per sleep would leave most of the time blocked with
 * responses unread (the profile of steady 5000/s spent half its samples inside the
 * slices, and its in-flight ceiling filled up). So a slice is at most a quarter of the
 * sleep that was asked for: at 1000/s (1 ms sleeps) nothing changes, at half-millisecond
 * sleeps a response waits at most ~0.12 ms to be read.
 *
 * Why the last stretch is spun through without yielding: once the last blocking slice
 * has ended (WAIT_MARGIN_MS before the due time, plus whatever the kernel adds to the
 * wake-up), yielding to the event loop once more let any callback that happened to be
 * ready (a response to read, the writer's flush timer) run before the send: at 1000/s a
 * quarter of the requests left 0.15 ms or more after their time, and each of those makes
 * a gap above 1.2 ms on the wire. Reading the clock in a loop for those last tens of
 * microseconds costs about as much CPU as the yield did, and the request leaves on time;
 * the callbacks run right after it. With `waitSliceMs: 0` (the pure setImmediate loop)
 * nothing changes.
 *
 * The promise never resolves synchronously: even a due time already past resolves from a
 * setImmediate callback. A caller that awaits it therefore always lets pending I/O run;
 * the runner relies on this to keep reading responses when it runs behind schedule.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from './clock.js';

/** Options of the real clock; the defaults suit 1–1000 requests/s. */
export interface RealClockOptions {
  /** How long before the due time to stop sleeping on timers and start yielding, ms. Default 1.5. */
  spinMs?: number;
  /** Longest blocking wait between two setImmediate turns of that last stretch, ms. Default 0.25; 0 = pure setImmediate loop. */
  waitSliceMs?: number;
}

/** Margin kept between the end of a blocking wait and the due time, ms (the wake-up itself takes ~20–50 µs). */
const WAIT_MARGIN_MS = 0.03;

/**
 * A remaining time at or below this is spun through synchronously, ms (see "Why the last stretch").
 * Twice the wait margin: a shorter stretch is not worth a blocking wait.
 */
const FINAL_STRETCH_MS = 2 * WAIT_MARGIN_MS;

/** Longest blocking slice as a fraction of the sleep asked for (see "Why the slice shrinks"). */
const SLICE_FRACTION_OF_SLEEP = 0.25;

/** A monotonic clock starting at 0 now, with a timer-then-setImmediate sleepUntil. */
export function createRealClock(options: RealClockOptions = {}): Clock {
  const origin = performance.now();
  const spinMs = options.spinMs ?? 1.5;
  const waitSliceMs = options.waitSliceMs ?? 0.25;
  // Nobody ever notifies this cell: Atomics.wait on it is a sub-millisecond sleep.
  const waitCell = new Int32Array(new SharedArrayBuffer(4));
  const now = (): number => performance.now() - origin;

  return {
    now,
    sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve) => {
        const sliceMs = Math.min(waitSliceMs, (atMs - now()) * SLICE_FRACTION_OF_SLEEP);
        let timer: NodeJS.Timeout | undefined;
        let immediate: NodeJS.Immediate | undefined;
        const finish = (): void => {
          if (timer !== undefined) clearTimeout(timer);
          if (immediate !== undefined) clearImmediate(immediate);
          signal?.removeEventListener('abort', finish);
          resolve();
        };
        const step = (): void => {
          timer = undefined;
          immediate = undefined;
          const remaining = atMs - now();
          if (remaining <= 0 || signal?.aborted) {
            finish();
          } else if (remaining > spinMs) {
            timer = setTimeout(step, remaining - spinMs);
          } else if (sliceMs > 0 && remaining <= FINAL_STRETCH_MS) {
            spinUntilDue();
          } else {
            if (sliceMs > 0 && remaining > 2 * WAIT_MARGIN_MS) {
              const waitMs = Math.min(remaining - WAIT_MARGIN_MS, sliceMs);
              Atomics.wait(waitCell, 0, 0, waitMs);
              // The slice that ends at the margin is the last one (see "Why the last stretch").
              if (waitMs === remaining - WAIT_MARGIN_MS) {
                spinUntilDue();
                return;
              }
            }
            immediate = setImmediate(step);
          }
        };
        /** Reads the clock in a loop until due, then resolves: nothing else runs in between. */
        const spinUntilDue = (): void => {
          while (now() < atMs) {
            // The wait left at most WAIT_MARGIN_MS (or FINAL_STRETCH_MS) to burn.
          }
          finish();
        };
        if (signal?.aborted) {
          immediate = setImmediate(finish);
          return;
        }
        signal?.addEventListener('abort', finish, { once: true });
        const remaining = atMs - now();
        if (remaining > spinMs) timer = setTimeout(step, remaining - spinMs);
        else immediate = setImmediate(step);
      });
    },
  };
}
