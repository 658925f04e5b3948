/**
 * The NDJSON v1 recording writer (docs/recording.md): one JSON object per line, written
 * while the run goes, with every known secret redacted before a byte reaches disk.
 *
 * Why batched writes, and what a crash costs:
 * a burst or a fast steady run produces up to tens of thousands of lines per
 * second. One `write()` system call per line would cost more than the requests
 * themselves, so lines are serialised at once (cheap, and it freezes their
 * content), collected in memory, and written in chunks: as soon as a chunk
 * reaches {@link WriterOptions.chunkBytes}, and otherwise at most
 * {@link WriterOptions.flushIntervalMs} (50 ms) after the first line of the chunk.
 * `run` and `end` lines are written at once. So:
 * - memory stays flat: at most one chunk waits, plus what the disk has not yet
 *   taken (a disk slower than ~10 MB/s would let that grow; the sink interface is
 *   synchronous, so the writer cannot push back on the runner);
 * - a Ctrl-C loses nothing, because the CLI awaits `close()`, which writes what
 *   is pending and fsyncs;
 * - a hard crash (kill -9, power loss) loses at most the last ~50 ms of lines,
 *   and the reader tolerates the half-written last line such a crash leaves.
 */
import { existsSync, mkdirSync, openSync, write as writeCallback, fsync as fsyncCallback, close as closeCallback } from 'node:fs';
import { dirname } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { InputError } from '../errors.js';
import { createRedactor, type Redactor } from './redact.js';
import type { RecordLine, RecordSink, RequestLine } from './types.js';

/** Options of {@link createRecordingWriter}. */
export interface WriterOptions {
  /** File to create (overwritten if it exists); parent folders are created. */
  path: string;
  /** Keys and tokens of the run: any occurrence in any string field becomes `REDACTED`. */
  secrets?: readonly string[];
  /** Longest time a line may wait in memory before it is written, ms. Default 50. */
  flushIntervalMs?: number;
  /** Pending size that triggers a write at once, bytes of UTF-8. Default 256 KiB. */
  chunkBytes?: number;
  /** Whether `close()` fsyncs the file. Default true; false for a device such as /dev/null (the warm-up's lines), which refuses fsync. */
  fsync?: boolean;
  /**
   * Set when the user gave no `--record` and the path is the default one inside this
   * folder (as the user would write it, e.g. `./aoai-probe-runs`): messages then name the
   * folder and offer `--record FILE`, instead of blaming a `--record` that was never given.
   */
  defaultFolder?: string;
}

/** A RecordSink that writes to a file. `close()` must be awaited before the process exits. */
export interface RecordingWriter extends RecordSink {
  /** The file being written. */
  readonly path: string;
  /** Lines accepted so far (all types). */
  readonly lineCount: number;
  /** Writes what is pending now; resolves when it reached the operating system. */
  flush(): Promise<void>;
  /** Writes what is pending, fsyncs and closes the file. Rejects if any write failed. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_FLUSH_INTERVAL_MS = 50;
const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** Room in the chunk buffer beyond `chunkBytes`, so the line that crosses it usually still fits. */
const CHUNK_HEADROOM_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Opens the recording file (synchronously, so a bad `--record` path fails before
 * any request is sent) and returns the sink the runner writes to.
 */
export function createRecordingWriter(options: WriterOptions): RecordingWriter {
  const { path } = options;
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const redactor = createRedactor(options.secrets ?? []);
  const fd = openRecordingFile(path, options.defaultFolder);
  const syncOnClose = options.fsync ?? true;

  // Lines are encoded straight into this buffer as they come (see "Why encode each line").
  const capacity = chunkBytes + CHUNK_HEADROOM_BYTES;
  let chunk = Buffer.allocUnsafe(capacity);
  let used = 0;
  let timer: NodeJS.Timeout | null = null;
  let written: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  let lineCount = 0;
  let closing: Promise<void> | null = null;

  const serialise = (line: RecordLine): string => {
    const json = JSON.stringify(line);
    // Almost every line is clean: a scan decides, and only a suspect line pays for the
    // deep copy that redacts string values (never object keys).
    const suspect = line.type === 'request' ? requestLineMightContainSecret(line, json, redactor) : redactor.mightContainSecret(json);
    if (!suspect) return json;
    return JSON.stringify(redactor.value(line));
  };

  const flushPending = (): Promise<void> => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (used > 0 && failure === null) {
      const full = chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(capacity);
      used = 0;
      queueWrite(full);
    }
    return written;
  };

  const queueWrite = (bytes: Buffer): void => {
    written = written.then(() => writeFully(fd, bytes)).catch((error: unknown) => {
      // The disk, not the program: a full disk or a lost mount is the user's to fix (exit 2, not "a bug").
      const where = options.defaultFolder === undefined ? '--record: could not write' : 'could not write';
      failure ??= new InputError(`${where} the recording ${path} (${describeFileError(error)}); free some space or choose another place with --record FILE`);
    });
  };

  /**
   * Why encode each line into one buffer as it comes, rather than keeping the strings and
   * joining them at the flush: the join built a second copy of the chunk as a string
   * before encoding it (flushPending was ~3 % of a saturated run's CPU); writing each
   * line's UTF-8 at once costs ~1.5 µs less per line and keeps no line object or string
   * alive until the flush. A line is at most 3 bytes per UTF-16 unit, so a line that
   * might not fit flushes the chunk first, and one larger than a whole chunk is written
   * on its own.
   */
  const append = (text: string): void => {
    const worstCaseBytes = 3 * text.length + 1;
    if (used + worstCaseBytes > capacity) void flushPending();
    if (worstCaseBytes > capacity) {
      if (failure === null) queueWrite(Buffer.from(`${text}\n`, 'utf8'));
      return;
    }
    used += chunk.write(text, used, 'utf8');
    chunk[used++] = NEWLINE;
  };

  return {
    path,
    get lineCount() {
      return lineCount;
    },
    write(line: RecordLine): void {
      if (closing !== null) throw new Error(`the recording ${path} is already closed; a line of type "${line.type}" came too late`);
      if (failure !== null) return;
      append(serialise(line));
      lineCount++;
      if (line.type === 'run' || line.type === 'end' || used >= chunkBytes) {
        void flushPending();
      } else if (timer === null) {
        timer = setTimeout(flushPending, flushIntervalMs);
      }
    },
    async flush(): Promise<void> {
      await flushPending();
      if (failure !== null) throw failure;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await flushPending();
        try {
          if (failure === null && syncOnClose) await fsyncFile(fd);
        } finally {
          await closeFile(fd);
        }
        if (failure !== null) throw failure;
      })();
      return closing;
    },
  };
}

/**
 * Whether a request line needs the redacting copy. Why not one pattern scan of the whole
 * JSON text, as for the other lines: request lines are written tens of thousands of times
 * per second, and that scan cost ~3 µs per line (2 % of a saturated run's CPU) where
 * scanning only the fields that carry text from outside the program (header values and
 * the error's code, message and type) costs ~0.5 µs. The other fields are numbers and
 * strings the program made itself (phase and target names from the scenario, ids), where
 * only a known secret could appear: those are still searched for in the whole text.
 */
function requestLineMightContainSecret(line: RequestLine, json: string, redactor: Redactor): boolean {
  if (redactor.containsKnownSecret(json)) return true;
  const headers = line.headers;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string' && redactor.mightContainSecret(value)) return true;
  }
  const error = line.error;
  if (error === null) return false;
  return [error.code, error.message, error.type].some((text) => typeof text === 'string' && redactor.mightContainSecret(text));
}

function openRecordingFile(path: string, defaultFolder: string | undefined): number {
  try {
    createFolders(dirname(path));
    return openSync(path, 'w');
  } catch (error) {
    if (defaultFolder !== undefined) throw new InputError(`cannot write ${defaultFolder} (${describeFileError(error)}), where recordings go by default; use --record FILE to put the recording somewhere writable`);
    throw new InputError(`--record: cannot create the recording file ${path} (${describeFileError(error)}); choose a writable path with --record FILE`);
  }
}

/**
 * A file system error in words a person reads: the system's own description of its
 * code ("read-only file system", "permission denied", "no space left on device"),
 * from Node's table of system errors, else the error's message.
 */
export function describeFileError(error: unknown): string {
  const errno = (error as { errno?: unknown } | null)?.errno;
  if (typeof errno === 'number') {
    const known = getSystemErrorMap().get(errno);
    if (known !== undefined) return `${known[1]}, ${known[0]}`;
  }
  return messageOf(error);
}

/**
 * Creates a folder and its missing parents one level at a time.
 * Why not `mkdirSync(folder, { recursive: true })`: under /proc it spins forever at full
 * CPU (a Node bug), so `--record /proc/nope/x.ndjson` hung with no output; one level at a
 * time fails at once with ENOENT.
 */
function createFolders(folder: string): void {
  const missing: string[] = [];
  for (let current = folder; !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const each of missing) mkdirSync(each);
}

/** fs.write may take part of a buffer; loop until all of it is written. */
function writeFully(fd: number, buffer: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const writeFrom = (offset: number): void => {
      writeCallback(fd, buffer, offset, buffer.length - offset, null, (error, bytes) => {
        if (error) return reject(error);
        if (offset + bytes < buffer.length) return writeFrom(offset + bytes);
        resolve();
      });
    };
    writeFrom(0);
  });
}

function fsyncFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsyncCallback(fd, (error) => (error ? reject(error) : resolve())));
}

function closeFile(fd: number): Promise<void> {
  return new Promise((resolve) => closeCallback(fd, () => resolve()));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Re-exported so the CLI finds the default path next to the writer that uses it. */
export { defaultRecordingPath } from './recording-path.js';
