/**
 * Ctrl-C (SIGINT, SIGTERM) during a run, in two stages: the first stops scheduling and
 * lets in-flight requests finish for a short grace; the second cuts them, and the
 * handler given for it writes what it can and exits at once with 130.
 */
import type { CliIo } from './io.js';

/** The state of a run's interrupts. */
export interface Interrupts {
  /** Whether a Ctrl-C arrived. */
  interrupted(): boolean;
  /** The ending started by a second Ctrl-C, or null. */
  aborting(): Promise<void> | null;
  /** Stops listening (the run is over). */
  unsubscribe(): void;
}

/**
 * Listens for interrupts: `onStop` on the first (after saying so on stderr), `onAbort`
 * once on the second; later ones change nothing.
 */
export function watchInterrupts(io: CliIo, onStop: () => void, onAbort: () => Promise<void>): Interrupts {
  let count = 0;
  let aborting: Promise<void> | null = null;
  const unsubscribe = io.onInterrupt(() => {
    count += 1;
    if (count === 1) {
      io.stderr.write('\nStopping: no new requests; waiting for those in flight (Ctrl-C again to abort at once).\n');
      onStop();
      return;
    }
    // The second Ctrl-C: cut what is in flight, write what was measured and leave at once.
    aborting ??= onAbort();
  });
  return {
    interrupted: () => count > 0,
    aborting: () => aborting,
    unsubscribe,
  };
}
