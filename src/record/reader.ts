/**
 * Reads NDJSON v1 recordings back (docs/recording.md): `report saved.ndjson` and the
 * probe's own replays go through here.
 *
 * The reader streams the file in 256 KiB chunks and parses one line at a time, so a
 * million-request recording is never held in memory and reads in a couple of
 * seconds. It is strict where a mistake would give wrong numbers (not a
 * recording, an unknown version, a damaged line in the middle) and lenient where
 * the cause is known and harmless: a run cut off by a crash leaves a half-written
 * last line, which is skipped with a warning.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { RECORDING_VERSION, type RecordLine } from './types.js';
import { SeenNumbers } from './seen-numbers.js';

/** Options of {@link readRecording} and {@link readRecordings}. */
export interface ReadOptions {
  /** Receives non-fatal findings, e.g. a truncated last line. Default: ignored. */
  onWarning?: (message: string) => void;
}

/** How many damaged lines an error lists by number before summarising the rest. */
const MAX_LISTED_PROBLEMS = 10;
/**
 * Why 256 KiB and not 1 MiB: a batch holds the parsed lines of one chunk while the
 * analysis folds them, and the batch alive at a scavenge is promoted to old space, where
 * it stays as garbage until a full GC. `report` on a 1M-line recording peaked at
 * 193-196 MB RSS with 1 MiB chunks, 174-177 MB with 256 KiB, 172 MB with 64 KiB (which
 * was slower), in the same ~4.5 s.
 */
const CHUNK_BYTES = 1 << 18;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Line types this version knows; others are skipped, so newer additive line types do not break old readers. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(['run', 'phase', 'request', 'dropped', 'end', 'session', 'turn']);

/**
 * The lines of one recording, in file order. Throws InputError (naming the file and
 * the fix) when the file is missing, is not a recording, has an unknown version,
 * or has damaged lines before the last one; all damaged lines are reported at once,
 * after the lines before the first of them were yielded.
 */
export function readRecording(path: string, options: ReadOptions = {}): AsyncIterableIterator<RecordLine> {
  return flatten(readRecordingBatches(path, options));
}

/** Like {@link readRecording} for several files, one after the other (each starts with its own `run` line). */
export function readRecordings(paths: readonly string[], options: ReadOptions = {}): AsyncIterableIterator<RecordLine> {
  return flatten(readRecordingsBatches(paths, options));
}

/**
 * The lines of one recording in batches (one per chunk read, a few thousand lines).
 * Same checks as {@link readRecording}; for folds over large files, where the
 * per-line async step would be a measurable share of the time.
 */
export async function* readRecordingBatches(path: string, options: ReadOptions = {}): AsyncGenerator<RecordLine[], void, undefined> {
  await checkReadable(path);
  const problems: string[] = [];
  let problemCount = 0;
  let sawFirstLine = false;
  let lineNumber = 0;
  const seenSeqs = new SeenNumbers();

  for await (const rawBatch of splitLines(path)) {
    const batch: RecordLine[] = [];
    for (const raw of rawBatch) {
      lineNumber++;
      const parsed = parseLine(raw.text);
      if (parsed === BLANK) continue;

      if (!sawFirstLine) {
        sawFirstLine = true;
        checkFirstLine(path, parsed, raw.text);
        batch.push(parsed as RecordLine);
        continue;
      }

      const reason = problemWith(parsed) ?? requestProblem(parsed as { type: string; seq?: unknown; status?: unknown }, seenSeqs);
      if (reason !== null) {
        if (!raw.terminated) {
          options.onWarning?.(`last line of ${path} is truncated (a run that was cut off); it was ignored`);
          continue;
        }
        problemCount++;
        if (problems.length < MAX_LISTED_PROBLEMS) problems.push(`${path}:${lineNumber}: ${reason}`);
        continue;
      }
      // After a damaged line, keep reading only to list every problem at once.
      if (problemCount > 0) continue;
      if (KNOWN_TYPES.has((parsed as { type: string }).type)) batch.push(parsed as RecordLine);
    }
    if (batch.length > 0) yield batch;
  }

  if (!sawFirstLine) {
    throw new InputError(`${path} is empty, not a recording; pass a file written by aoai-probe (see --record)`);
  }
  if (problemCount > 0) {
    const more = problemCount - problems.length;
    if (more > 0) problems.push(`${path}: ... and ${more} more damaged line${more === 1 ? '' : 's'}`);
    problems.push(
      `${path} has ${problemCount} damaged line${problemCount === 1 ? '' : 's'} before its end; it was changed after aoai-probe wrote it. Re-run the measurement, or remove the damaged lines to analyse the rest`,
    );
    throw new InputError(problems);
  }
}

/**
 * Batches of several recordings, one file after the other. Problems of every file
 * are collected and thrown together (nothing more is yielded after the first one).
 */
export async function* readRecordingsBatches(paths: readonly string[], options: ReadOptions = {}): AsyncGenerator<RecordLine[], void, undefined> {
  const problems: string[] = [];
  const given = new Set<string>();
  for (const path of paths) {
    if (given.has(path)) {
      // Merged twice, every request would count twice (a 3-request run read as 6).
      problems.push(`${path} was given twice; each recording counts once, so pass it once`);
      continue;
    }
    given.add(path);
    try {
      for await (const batch of readRecordingBatches(path, options)) {
        if (problems.length === 0) yield batch;
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * Turns batches into single lines. Hand-written rather than an async generator:
 * a generator's per-item bookkeeping costs about three times as much, which is
 * a quarter of a second on a million-line recording.
 */
function flatten(batches: AsyncGenerator<RecordLine[], void, undefined>): AsyncIterableIterator<RecordLine> {
  let current: RecordLine[] = [];
  let index = 0;
  const iterator: AsyncIterableIterator<RecordLine> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next(): Promise<IteratorResult<RecordLine>> {
      if (index < current.length) return Promise.resolve({ value: current[index++]!, done: false });
      return batches.next().then((result) => {
        if (result.done) return { value: undefined, done: true };
        current = result.value;
        index = 0;
        return iterator.next();
      });
    },
    async return(): Promise<IteratorResult<RecordLine>> {
      await batches.return(undefined);
      return { value: undefined, done: true };
    },
  };
  return iterator;
}

const BLANK = Symbol('blank line');

/** The parsed line, `undefined` when it is not JSON, or BLANK for an empty or whitespace-only line. */
function parseLine(text: string): unknown {
  if (text.length === 0) return BLANK;
  try {
    return JSON.parse(text);
  } catch {
    return text.trim() === '' ? BLANK : undefined;
  }
}

async function checkReadable(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file; check the path (recordings are written under ./aoai-probe-runs/ unless --record says otherwise)`);
    throw new InputError(`${path}: cannot be read (${code ?? String(error)}); check the path and its permissions`);
  }
  if (!info.isFile()) throw new InputError(`${path} is not a file; pass the path of a .ndjson recording`);
}

/** The two bytes every gzip file starts with (0x1f 0x8b), as UTF-8 decoding shows them. */
const GZIP_START = '\u001f\ufffd';

function checkFirstLine(path: string, parsed: unknown, text: string): void {
  const line = parsed as { type?: unknown; v?: unknown } | undefined;
  if (text.startsWith(GZIP_START)) {
    throw new InputError(`${path} is gzip-compressed; unpack it first (gunzip -k ${path}) and pass the .ndjson file`);
  }
  if (line === null || typeof line !== 'object' || line.type !== 'run') {
    throw new InputError(`${path} is not an aoai-probe recording (its first line is not a "run" line); pass a file written by aoai-probe (see --record)`);
  }
  if (line.v !== RECORDING_VERSION) {
    throw new InputError(
      `${path} is a version ${JSON.stringify(line.v)} recording, and this aoai-probe reads version ${RECORDING_VERSION}; use the aoai-probe version that wrote it (or a newer one)`,
    );
  }
}

function problemWith(parsed: unknown): string | null {
  if (parsed === undefined) return 'not valid JSON';
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not a JSON object';
  if (typeof (parsed as { type?: unknown }).type !== 'string') return 'has no "type" field';
  return null;
}

/**
 * What is wrong with a request line's fields the analysis counts by (its `seq` and
 * `status`), or null. A status of "two hundred" was counted as a failure without a word,
 * and a duplicated line counted its request twice.
 */
function requestProblem(line: { type: string; seq?: unknown; status?: unknown }, seen: SeenNumbers): string | null {
  if (line.type !== 'request') return null;
  if (typeof line.seq !== 'number' || !Number.isInteger(line.seq) || line.seq < 0) return `"seq" is ${JSON.stringify(line.seq)}, not a request number (a whole number ≥ 0)`;
  if (line.status !== null && (typeof line.status !== 'number' || !Number.isInteger(line.status))) return `"status" is ${JSON.stringify(line.status)}, not an HTTP status (a whole number, or null)`;
  if (!seen.addIfNew(line.seq)) return `request #${line.seq} appears twice (a line was duplicated)`;
  return null;
}

interface RawLine {
  text: string;
  /** False for a last line with no newline after it: possibly cut off mid-write. */
  terminated: boolean;
}

/**
 * Splits a file into lines, one batch per chunk read. Hand-written rather than
 * `readline`: readline hides whether the last line had its newline, and splitting
 * bytes (decoding each line on its own) measured ~20% faster than splitting one
 * large decoded string. Cutting at byte 0x0A is safe in UTF-8: no multi-byte
 * character contains that byte.
 */
async function* splitLines(path: string): AsyncGenerator<RawLine[], void, undefined> {
  let rest: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    const bytes = chunk as Buffer;
    const batch: RawLine[] = [];
    let start = 0;
    let newline = bytes.indexOf(NEWLINE, start);
    if (rest !== null) {
      // The line cut by the previous chunk's end: join only its two pieces, not the
      // whole chunk (that copy was ~2 % of reading a large recording).
      if (newline === -1) {
        rest = Buffer.concat([rest, bytes]);
        continue;
      }
      const line = Buffer.concat([rest, bytes.subarray(0, newline)]);
      const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.length - 1 : line.length;
      batch.push({ text: line.toString('utf8', 0, end), terminated: true });
      rest = null;
      start = newline + 1;
      newline = bytes.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      const end = newline > start && bytes[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
      batch.push({ text: bytes.toString('utf8', start, end), terminated: true });
      start = newline + 1;
      newline = bytes.indexOf(NEWLINE, start);
    }
    rest = start < bytes.length ? bytes.subarray(start) : null;
    if (batch.length > 0) yield batch;
  }
  if (rest !== null) yield [{ text: rest.toString('utf8'), terminated: false }];
}
