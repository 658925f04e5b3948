/**
 * `--record-to FILE`: the simulator writes down every answer it serves, as an
 * aoai-probe recording (NDJSON version 1, docs/probe.md) seen from the server's
 * side: one request line per answer with its arrival, first byte and end
 * (ms from the simulator's start), status, the rate-limit and identity headers
 * it sent, its error code and message, its usage and its admission charge (as
 * `estimatedTokens`).
 *
 * Why this format: `--replay` reads the same format, so a simulator's own
 * record replays as well as a recording the prober made against a real
 * deployment, and `aoai-probe report FILE` reads it like any run. The lines are
 * written by this file alone (the simulator shares no code with the prober's
 * recording writer; see recorded-answers.ts for why).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { SimulatorConfigError } from '../config-error.js';

/** What the recorder needs to know about one served answer. */
export interface ServedAnswer {
  /** performance.now() when the request arrived, its answer head was written, and it ended. */
  arrivedAt: number;
  firstByteAt: number | null;
  doneAt: number;
  /** HTTP status, or null when the connection was dropped without an answer. */
  status: number | null;
  headers: Record<string, string>;
  /** The body of an error answer (its `error` fields are recorded). */
  errorBody: string | undefined;
  usage: { promptTokens: number; completionTokens: number } | null;
  charge: number;
  maxTokens: number | null;
  clientRequestId: string;
}

/** Headers about the transport itself, not the service: never recorded. */
const TRANSPORT_HEADERS = new Set(['content-type', 'content-length', 'cache-control', 'allow']);

/** Writes the served answers of one simulator to a file. */
export class ServedRecorder {
  private readonly stream: WriteStream;
  private readonly startedAt = performance.now();
  private sequence = 0;
  private failure: Error | undefined;

  /** Opens `path` (replacing it) and writes the run line. */
  constructor(
    private readonly path: string,
    description: { url: string; profile: string; tpm: number; rpm: number },
  ) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (error) => (this.failure = error));
    this.write({
      type: 'run',
      v: 1,
      tool: { name: 'aoai-probe', version: 'simulator' },
      command: 'sim',
      startedAt: new Date().toISOString(),
      advertised: { tpm: description.tpm, rpm: description.rpm, source: 'simulator' },
      targets: [{ id: 'sim', kind: 'simulator', url: description.url, deployment: null, profile: description.profile }],
      payload: { kind: 'body', model: null, maxTokens: null, promptTokens: null, stream: false },
    });
  }

  /** Checks that `path` can be written, before the simulator starts: a bad path is a configuration error. */
  static async open(path: string, description: { url: string; profile: string; tpm: number; rpm: number }): Promise<ServedRecorder> {
    const recorder = new ServedRecorder(path, description);
    await new Promise<void>((resolve, reject) => {
      recorder.stream.once('ready', () => resolve());
      recorder.stream.once('error', (error: NodeJS.ErrnoException) =>
        reject(new SimulatorConfigError(`record-to file ${path}: cannot be written (${error.code ?? error.message}); choose a writable path`)),
      );
    });
    return recorder;
  }

  /** One served answer. */
  served(answer: ServedAnswer): void {
    const seq = this.sequence++;
    const at = (time: number): number => Math.round((time - this.startedAt) * 1000) / 1000;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
    const usage = answer.usage === null ? null : { ...answer.usage, totalTokens: answer.usage.promptTokens + answer.usage.completionTokens };
    this.write({
      type: 'request',
      seq,
      phase: 'sim',
      target: 'sim',
      plannedMs: at(answer.arrivedAt),
      sentMs: at(answer.arrivedAt),
      firstByteMs: answer.firstByteAt === null ? null : at(answer.firstByteAt),
      doneMs: at(answer.doneAt),
      status: answer.status,
      errorKind: answer.status === null ? 'reset' : answer.status >= 400 && answer.status !== 429 && answer.status !== 503 ? 'http' : null,
      headers,
      error: answer.status === null ? { code: null, message: 'connection reset by the simulator', type: null } : errorFields(answer.errorBody),
      usage,
      estimatedTokens: answer.charge,
      maxTokens: answer.maxTokens,
      clientRequestId: answer.clientRequestId,
    });
  }

  /** Writes the end line and closes the file. */
  async close(): Promise<void> {
    this.write({ type: 'end', reason: 'completed', endMs: Math.round((performance.now() - this.startedAt) * 1000) / 1000, sent: this.sequence, dropped: 0 });
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    if (this.failure !== undefined) throw new Error(`record-to file ${this.path}: writing failed (${this.failure.message})`);
  }

  private write(line: unknown): void {
    this.stream.write(`${JSON.stringify(line)}\n`);
  }
}

/** The `error` fields of an error body, or null for a success or a body without them. */
function errorFields(body: string | undefined): { code: string | null; message: string | null; type: string | null } | null {
  if (body === undefined) return null;
  try {
    const parsed = JSON.parse(body) as { error?: Record<string, unknown> };
    const error = parsed.error;
    if (typeof error !== 'object' || error === null) return null;
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);
    return { code: text(error.code), message: text(error.message), type: text(error.type) };
  } catch {
    return null;
  }
}
