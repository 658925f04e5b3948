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
}

/** A monotonic clock starting at 0 now, with a timer-then-setImmediate sleepUntil. */
export function createRealClock(options: RealClockOptions = {}): Clock {
  const origin = performance.now();
  const spinMs = options.spinMs ?? 1.5;
  const now = (): number => performance.now() - origin;

  return {
    now,
    sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve) => {
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
          } else {
            immediate = setImmediate(step);
          }
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
