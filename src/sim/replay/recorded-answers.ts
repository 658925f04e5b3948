/**
 * Reads the answers a deployment gave from an aoai-probe recording (NDJSON
 * version 1, docs/probe.md): for each request line, in the order the requests
 * were sent, its status (or the connection failure), how long the answer took,
 * the rate-limit and identity headers it carried and its error code and
 * message. That is all `--replay` needs to serve the same sequence again.
 *
 * Why a reader of its own and not src/record's: the simulator shares no code
 * with the prober's recording, analysis or runner (docs/ARCHITECTURE.md). It is
 * the ground truth the prober is judged against; a replay read through the
 * prober's own reader would reproduce any mistake of that reader on both sides
 * of a comparison. This one reads only the few fields it uses, synchronously,
 * once, before the server listens.
 */
import { readFileSync } from 'node:fs';

/** One recorded answer, as `--replay` serves it again. */
export interface RecordedAnswer {
  /** The HTTP status, or null when no answer arrived (the connection failed or timed out). */
  status: number | null;
  /** ms from the request leaving to the first byte of the answer (equal to `totalMs` when unknown). */
  firstByteMs: number;
  /** ms from the request leaving to the end of the answer (or of the failure). */
  totalMs: number;
  /** Headers as recorded (rate-limit families, region, deployment, utilization), lower-case names. */
  headers: Record<string, string>;
  /** The error body's code, message and type, when the answer was an error. */
  error: { code: string | null; message: string | null; type: string | null } | null;
}

/** The only recording version this reader understands (the prober's format, docs/probe.md). */
const RECORDING_VERSION = 1;

/** The answers of a recording in send order; problems (unreadable file, not a recording, no requests) are pushed to `problems`. */
export function readRecordedAnswers(path: string, problems: string[]): RecordedAnswer[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(`replay file ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}; give an aoai-probe recording (--record FILE) or a simulator's --record-to FILE`);
    return [];
  }
  const lines = text.split('\n');
  const requests: Array<{ order: number; sentMs: number; answer: RecordedAnswer }> = [];
  let sawRunLine = false;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!.trim();
    if (raw === '') continue;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // A run cut off by a crash leaves a half-written last line; anywhere else the file is damaged.
      if (lines.slice(index + 1).every((rest) => rest.trim() === '')) break;
      problems.push(`replay file ${path}: line ${index + 1} is not JSON; give an aoai-probe recording (NDJSON)`);
      return [];
    }
    if (!sawRunLine) {
      if (line.type !== 'run') {
        problems.push(`replay file ${path}: not an aoai-probe recording (its first line is not a "run" line)`);
        return [];
      }
      if (line.v !== RECORDING_VERSION) {
        problems.push(`replay file ${path}: recording version ${String(line.v)} is not supported (this simulator reads version ${RECORDING_VERSION})`);
        return [];
      }
      sawRunLine = true;
      continue;
    }
    if (line.type !== 'request') continue;
    const answer = answerOf(line);
    if (answer !== undefined) requests.push({ order: requests.length, sentMs: numberOr(line.sentMs, 0), answer });
  }
  if (sawRunLine && requests.length === 0) problems.push(`replay file ${path}: holds no requests to replay`);
  if (!sawRunLine && problems.length === 0) problems.push(`replay file ${path}: is empty; give an aoai-probe recording`);
  // Send order: concurrent requests are written as they finish, not as they left.
  requests.sort((a, b) => a.sentMs - b.sentMs || a.order - b.order);
  return requests.map((request) => request.answer);
}

function answerOf(line: Record<string, unknown>): RecordedAnswer | undefined {
  const sentMs = numberOr(line.sentMs, NaN);
  const doneMs = numberOr(line.doneMs, NaN);
  if (!Number.isFinite(sentMs) || !Number.isFinite(doneMs)) return undefined;
  const status = typeof line.status === 'number' && Number.isInteger(line.status) ? line.status : null;
  const totalMs = Math.max(0, doneMs - sentMs);
  const firstByte = numberOr(line.firstByteMs, NaN);
  const headers: Record<string, string> = {};
  if (typeof line.headers === 'object' && line.headers !== null) {
    for (const [name, value] of Object.entries(line.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  let error: RecordedAnswer['error'] = null;
  if (typeof line.error === 'object' && line.error !== null) {
    const fields = line.error as Record<string, unknown>;
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    error = { code: text(fields.code), message: text(fields.message), type: text(fields.type) };
  }
  return {
    status,
    firstByteMs: Number.isFinite(firstByte) ? Math.min(totalMs, Math.max(0, firstByte - sentMs)) : totalMs,
    totalMs,
    headers,
    error,
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
