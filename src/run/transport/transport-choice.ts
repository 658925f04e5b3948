/**
 * Which HTTP transport a run uses: `undici` (the default and the reference, any
 * dispatcher or proxy) or `lean` (HTTP/1.1 written synchronously from
 * pre-serialised bytes, for tight bursts and high rates; see lean-transport.ts).
 * Both take the same options and write the same lines, so the choice is one
 * argument; the CLI maps `--transport lean|undici` to it.
 */
import { createLeanTransport } from './lean-transport.js';
import { createTransport, type HttpTransport, type TransportOptions } from './transport.js';

/** The transports a run can choose from. */
export const TRANSPORT_KINDS = ['undici', 'lean'] as const;

/** One of {@link TRANSPORT_KINDS}. */
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** The default: undici, which also supports an injected dispatcher (proxies). */
export const DEFAULT_TRANSPORT_KIND: TransportKind = 'undici';

/** True when `value` names a transport (for validating a flag or a scenario field). */
export function isTransportKind(value: string): value is TransportKind {
  return (TRANSPORT_KINDS as readonly string[]).includes(value);
}

/**
 * Creates the transport of the given kind. `lean` refuses `options.dispatcher`
 * (it opens its own connections) with a TypeError; check before choosing it.
 */
export function createTransportFor(kind: TransportKind, options: TransportOptions): HttpTransport {
  return kind === 'lean' ? createLeanTransport(options) : createTransport(options);
}
