/**
 * The bytes of one HTTP/1.1 request, serialised once per payload variant.
 *
 * Why: in a burst every request is the same POST but for its
 * `x-ms-client-request-id`. Building headers and a body per request (as a general
 * HTTP client does) costs tens of microseconds each, and a burst of 500 pays it
 * 500 times between its first and last write. Here the request line, the headers
 * and the body are laid out once in two Buffers around a fixed-width hole for the
 * id; a request is one allocation and two copies.
 *
 * The id is always {@link REQUEST_ID_LENGTH} ASCII characters (a UUID-shaped
 * string), so the hole has a fixed width and the Content-Length never changes.
 */
import type { PreparedPayload } from './payload.js';

/** Width of the request id written into every request (UUID text form). */
export const REQUEST_ID_LENGTH = 36;

/** Characters a header value or the request target may never hold (header injection, broken framing). */
const FORBIDDEN_IN_HEAD = /[\r\n\0]/;

/** A request's bytes with a hole for the request id. */
export interface RequestTemplate {
  /** Everything before the id: request line, headers, `x-ms-client-request-id: `. */
  readonly before: Buffer;
  /** Everything after the id: the end of the head and the body. */
  readonly after: Buffer;
  readonly length: number;
}

/** What every request of a target carries, whatever its payload. */
export interface RequestHead {
  /** Path and query, as sent on the request line (already percent-encoded by URL). */
  path: string;
  /** The Host header value (`host[:port]`). */
  host: string;
  /** Extra headers as name/value pairs (auth, user-agent), in order. */
  headers: readonly (readonly [string, string])[];
}

/**
 * Lays out the head once per target and the templates once per payload.
 * Throws when a header value could break the request's framing (a CR or LF in a
 * key pasted with its newline): such a request must never leave.
 */
export class RequestBytes {
  private readonly headText: string;
  private readonly templates = new WeakMap<PreparedPayload, RequestTemplate>();

  constructor(head: RequestHead) {
    const lines = [`POST ${head.path} HTTP/1.1`, `host: ${head.host}`];
    for (const [name, value] of head.headers) lines.push(`${name}: ${value}`);
    for (const line of lines) {
      // The message names the header, never its value (which may be a key).
      if (FORBIDDEN_IN_HEAD.test(line)) throw new TypeError(`a request header (${line.slice(0, line.indexOf(':') + 1 || 5)}) holds a line break or NUL and cannot be sent`);
    }
    this.headText = `${lines.join('\r\n')}\r\n`;
  }

  /** The template of a payload variant (built on first use, then reused). */
  templateOf(payload: PreparedPayload): RequestTemplate {
    let template = this.templates.get(payload);
    if (template === undefined) {
      const before = Buffer.from(`${this.headText}content-length: ${payload.body.length}\r\nx-ms-client-request-id: `, 'latin1');
      const after = Buffer.concat([Buffer.from('\r\n\r\n', 'latin1'), payload.body]);
      template = { before, after, length: before.length + REQUEST_ID_LENGTH + after.length };
      this.templates.set(payload, template);
    }
    return template;
  }

  /** The whole request for one payload and id (`requestId` must be {@link REQUEST_ID_LENGTH} ASCII characters). */
  build(payload: PreparedPayload, requestId: string): Buffer {
    const template = this.templateOf(payload);
    const bytes = Buffer.allocUnsafe(template.length);
    template.before.copy(bytes, 0);
    bytes.write(requestId, template.before.length, REQUEST_ID_LENGTH, 'latin1');
    template.after.copy(bytes, template.before.length + REQUEST_ID_LENGTH);
    return bytes;
  }
}
