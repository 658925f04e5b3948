/**
 * Failures → the stable `errorKind` codes of the recording (src/record/types.ts).
 *
 * Why codes and not messages: analysis and CI checks group failures by kind
 * ("12 resets, 3 timeouts"); messages differ between Node versions, undici
 * versions and operating systems. Node and undici put a `code` on their errors
 * (sometimes on a `cause`, or on each error of an AggregateError when several
 * addresses were tried), so the codes are collected from all of them.
 */
import type { ErrorKind } from '../../record/types.js';

/** The transport's own timeout (timeoutMs elapsed before the body was read). */
export class RequestTimeoutError extends Error {
  readonly code = 'AOAI_PROBE_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The run's own stop cut the request (second Ctrl-C, grace period over, transport closed). */
export class RequestAbortedError extends Error {
  readonly code = 'AOAI_PROBE_ABORTED';
  constructor(message = 'cut by the run stopping') {
    super(message);
    this.name = 'RequestAbortedError';
  }
}

const REFUSED = new Set(['ECONNREFUSED']);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'EAI_ADDRFAMILY']);
const TIMEOUT = new Set(['AOAI_PROBE_TIMEOUT', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const ABORTED = new Set(['AOAI_PROBE_ABORTED', 'UND_ERR_ABORTED', 'ABORT_ERR', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);
/** OpenSSL and Node TLS codes: handshake failures, certificate problems, a plain-HTTP server on a TLS port (EPROTO). */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|EPROTO$)|_CERT(_|$)|SELF_SIGNED|LEAF_SIGNATURE|HOSTNAME_MISMATCH/;

/** The stable kind of a failure; `other` when nothing is recognised. */
export function errorKindOf(error: unknown): ErrorKind {
  for (const code of codesOf(error)) {
    if (REFUSED.has(code)) return 'refused';
    if (DNS.has(code)) return 'dns';
    if (TIMEOUT.has(code)) return 'timeout';
    if (ABORTED.has(code)) return 'aborted';
    if (TLS_CODE.test(code)) return 'tls';
    if (RESET.has(code)) return 'reset';
  }
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  const message = messageOf(error);
  if (/other side closed|socket hang up|connection reset/i.test(message)) return 'reset';
  if (/certificate|\bssl\b|\btls\b/i.test(message)) return 'tls';
  return 'other';
}

/** The most specific code of a failure (for `error.code` in the recording), or null. */
export function errorCodeOf(error: unknown): string | null {
  const codes = codesOf(error);
  // undici wraps socket errors (UND_ERR_SOCKET) around the system error; the inner code says more.
  return codes.find((code) => !code.startsWith('UND_ERR_')) ?? codes[0] ?? null;
}

/** Codes of the error, its causes and the errors of an AggregateError, outermost first. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 4) return;
    seen.add(value);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((value as { cause?: unknown }).cause, depth + 1);
    const errors = (value as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/**
 * The message of any thrown value, never throwing itself: `String(value)` throws for an
 * object without a prototype or with a throwing `toString`, and a failure must still
 * become a line of the recording.
 */
function messageOf(error: unknown): string {
  if (error instanceof Error) return typeof error.message === 'string' ? error.message : '';
  try {
    return String(error);
  } catch {
    return '';
  }
}
