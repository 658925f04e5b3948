/**
 * The one clock of a run. Every time in a recording is "ms since run start" read from
 * here, so planned, sent, first-byte and done times are comparable to the microsecond.
 *
 * Why monotonic: wall-clock time can jump (NTP); performance.now() cannot.
 */
export interface Clock {
  /** Milliseconds since the run started (fractional). */
  now(): number;
  /** Resolves when now() >= atMs, or rejects/returns early when the signal aborts. */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}
