/**
 * A recorded run as a library: the NDJSON recording a run writes, from its `run` line
 * to its `end` line, and the ways a run ends. Every command that sends (burst, steady,
 * ramp, run, probe) and every library user goes through it, so the recording's shape
 * (docs/recording.md) is decided in one place:
 *
 *     open the file → run line → send (the firing loop) → end line → close
 *
 * including the two other endings:
 *   - failed: whatever was measured before the failure stays in the file, under an end
 *     line with reason "error" and the failure's message; the failure is rethrown;
 *   - interrupted at once (a second Ctrl-C): whoever cuts the run reserves the end line
 *     (`reserveEnd`) and writes it (reason "interrupted") once the cut requests are
 *     recorded; the normal ending that races it writes nothing. `end` writes at most one
 *     end line and nothing reaches the file after it, whichever path gets there first.
 */
import { rmSync } from 'node:fs';
import type { EndLine, RecordLine, RecordSink, RunLine } from '../record/types.js';
import { createRecordingWriter, type RecordingWriter } from '../record/writer.js';
import { LiveCounters } from './live-counters.js';

/** Where the recording goes and what must never reach it. */
export interface RecordingOptions {
  path: string;
  /** Strings redacted from every line (keys, tokens, secret query values). */
  secrets?: readonly string[];
  /** fsync on close. Default true. */
  fsync?: boolean;
  /** The default recordings folder, as the user would write it, when no `--record` was given (see WriterOptions). */
  defaultFolder?: string;
}

/** How a run's sending ended: the end line's reason, and what it adds. */
export interface RunEnding {
  reason: EndLine['reason'];
  /** Planned requests never started (the stop or the budget came first). */
  unsent?: number;
  message?: string;
}

/** An open recording: its sink (counted for the progress line), and its one ending. */
export class RecordedRun {
  /** Every line goes here: it is counted, then reaches the file (until the end line). */
  readonly sink: LiveCounters;
  private readonly writer: RecordingWriter;
  private endWritten = false;
  /** Set by an abort that will write the end line itself shortly (see reserveEnd). */
  private endReserved = false;
  private closing: Promise<void> | null = null;

  private constructor(readonly path: string, options: RecordingOptions) {
    this.writer = createRecordingWriter({ path, ...(options.secrets ? { secrets: options.secrets } : {}), ...(options.fsync !== undefined ? { fsync: options.fsync } : {}), ...(options.defaultFolder !== undefined ? { defaultFolder: options.defaultFolder } : {}) });
    const file: RecordSink = {
      write: (line: RecordLine): void => {
        // After the end line nothing belongs in the file (an abort may race the normal ending).
        if (this.endWritten) return;
        if (line.type === 'end') this.endWritten = true;
        this.writer.write(line);
      },
    };
    this.sink = new LiveCounters(file);
  }

  /** Opens (creates) the recording file; nothing is written yet. Throws when the path cannot be written. */
  static open(options: RecordingOptions): RecordedRun {
    return new RecordedRun(options.path, options);
  }

  /** Writes the run line: what was asked, of what target. */
  start(line: RunLine): void {
    this.sink.write(line);
  }

  /** Whether an abort reserved the end line: it writes it and closes the file itself. */
  get endReservedByAbort(): boolean {
    return this.endReserved;
  }

  /** Whether the end line was written (by this run's ending, or by an abort). */
  get ended(): boolean {
    return this.endWritten;
  }

  /**
   * Reserves the end line for an abort that writes it shortly (after the lines of the
   * requests it cut): a normal ending that arrives meanwhile writes nothing.
   *
   * Why: cut requests settle at once, so the sending can end before the abort's own end
   * line is written; without the reservation the normal ending would write its end line
   * first, without the abort's reason and message.
   */
  reserveEnd(): void {
    this.endReserved = true;
  }

  /**
   * Writes the end line with the counts of what was written, unless one was written
   * already or an abort reserved it (`byAbort` is that abort's own call).
   */
  end(ending: RunEnding, endMs: number, byAbort = false): void {
    if (this.endWritten || (this.endReserved && !byAbort)) return;
    const { sent, dropped } = this.sink;
    this.sink.write({
      type: 'end',
      reason: ending.reason,
      endMs,
      sent,
      dropped,
      ...(ending.unsent !== undefined && ending.unsent > 0 ? { unsent: ending.unsent } : {}),
      ...(ending.message !== undefined ? { message: ending.message } : {}),
    });
  }

  /** Flushes and closes the file. Safe to call twice: both calls wait for the same close. */
  close(): Promise<void> {
    this.closing ??= this.writer.close();
    return this.closing;
  }

  /** Closes and removes the file: for a run that failed before its run line, so nothing half-written stays. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    rmSync(this.path, { force: true });
  }
}

/** What `recordRun` needs besides the recording: the run's clock time for the end line. */
export interface RecordRunOptions {
  now(): number;
  /** Called just before the end line (e.g. to clear a progress line). */
  beforeEnd?(): void;
}

/**
 * Sends through `send` and ends the recording honestly: the ending `send` returns, or an
 * "error" end line when it throws (then rethrows). The end line is skipped when someone
 * else ended the recording or reserved its end (an abort, which then closes the file).
 */
export async function recordRun<Outcome extends RunEnding>(recording: RecordedRun, options: RecordRunOptions, send: (sink: RecordSink) => Promise<Outcome>): Promise<Outcome> {
  let outcome: Outcome;
  try {
    outcome = await send(recording.sink);
  } catch (error) {
    options.beforeEnd?.();
    recording.end({ reason: 'error', message: error instanceof Error ? error.message : String(error) }, options.now());
    if (!recording.endReservedByAbort) await recording.close().catch(() => undefined);
    throw error;
  }
  options.beforeEnd?.();
  recording.end(outcome, options.now());
  // An abort that reserved the end line writes it after this and closes the file itself.
  if (!recording.endReservedByAbort) await recording.close();
  return outcome;
}
