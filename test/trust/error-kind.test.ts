/**
 * Failures → stable errorKind codes (src/run/transport/error-kind.ts), for the failures a test
 * cannot provoke on loopback without the network (DNS) and for every shape Node and
 * undici wrap them in (a cause chain, an AggregateError of several addresses). And a
 * property: any thrown value at all gets one of the stable codes, never an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestAbortedError, RequestTimeoutError, errorCodeOf, errorKindOf } from '../../src/run/transport/error-kind.js';

function systemError(code: string, message = `${code} failure`): Error {
  return Object.assign(new Error(message), { code });
}

/** undici's shape: a TypeError or UND_ERR_SOCKET whose cause holds the system error. */
function wrapped(inner: Error, outerCode?: string): Error {
  const outer = new TypeError('fetch failed', { cause: inner });
  return outerCode === undefined ? outer : Object.assign(outer, { code: outerCode });
}

describe('errorKindOf', () => {
  it.each([
    ['DNS: no such name', systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND aoai.invalid'), 'dns', 'ENOTFOUND'],
    ['DNS: temporary failure', systemError('EAI_AGAIN'), 'dns', 'EAI_AGAIN'],
    ['DNS inside undici\'s wrapper', wrapped(systemError('ENOTFOUND')), 'dns', 'ENOTFOUND'],
    ['refused', systemError('ECONNREFUSED'), 'refused', 'ECONNREFUSED'],
    ['refused on every address (AggregateError, happy eyeballs)', new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'connect failed'), 'refused', 'ECONNREFUSED'],
    ['reset', systemError('ECONNRESET'), 'reset', 'ECONNRESET'],
    ['reset under UND_ERR_SOCKET', wrapped(systemError('ECONNRESET'), 'UND_ERR_SOCKET'), 'reset', 'ECONNRESET'],
    ['other side closed (no system code)', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'reset', 'UND_ERR_SOCKET'],
    ['broken pipe', systemError('EPIPE'), 'reset', 'EPIPE'],
    ['body shorter than its content-length', systemError('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'reset', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'],
    ['self-signed certificate', systemError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['certificate for another host', systemError('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['expired certificate', systemError('CERT_HAS_EXPIRED'), 'tls', 'CERT_HAS_EXPIRED'],
    ['unknown issuer', systemError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['plain HTTP on a TLS port', systemError('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls', 'ERR_SSL_WRONG_VERSION_NUMBER'],
    ['protocol error', systemError('EPROTO'), 'tls', 'EPROTO'],
    ['our own timeout', new RequestTimeoutError(1000), 'timeout', 'AOAI_PROBE_TIMEOUT'],
    ['connect timeout', systemError('UND_ERR_CONNECT_TIMEOUT'), 'timeout', 'UND_ERR_CONNECT_TIMEOUT'],
    ['headers timeout', systemError('UND_ERR_HEADERS_TIMEOUT'), 'timeout', 'UND_ERR_HEADERS_TIMEOUT'],
    ['our own stop', new RequestAbortedError(), 'aborted', 'AOAI_PROBE_ABORTED'],
    ['an AbortError without a code', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'aborted', null],
    ['anything else', new Error('something odd'), 'other', null],
  ])('%s', (_what, error, kind, code) => {
    expect(errorKindOf(error)).toBe(kind);
    expect(errorCodeOf(error)).toBe(code);
  });

  it('survives a cause chain that loops', () => {
    const first = systemError('ECONNRESET');
    const second = new Error('outer', { cause: first });
    (first as Error & { cause?: unknown }).cause = second;
    expect(errorKindOf(second)).toBe('reset');
  });

  it('gives a stable code for any thrown value and never throws', () => {
    const KINDS = ['timeout', 'reset', 'refused', 'dns', 'tls', 'aborted', 'bad-body', 'http', 'other'];
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ code: fc.anything(), cause: fc.anything(), errors: fc.anything(), message: fc.anything() })), (value) => {
        const code = errorCodeOf(value);
        return KINDS.includes(errorKindOf(value)) && (code === null || typeof code === 'string');
      }),
      { numRuns: 2000 },
    );
  });
});
