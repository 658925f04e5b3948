/**
 * Which HTTP transport a run uses. By default (`auto`) the lean one (HTTP/1.1
 * written synchronously from pre-serialised bytes, see lean-transport.ts) for every
 * direct http: or https: target, and undici (transport.ts) for what the lean one
 * cannot do: a dispatcher such as a proxy, and a bearer token that changes during
 * the run (Entra ID). `undici` and `lean` force one. Both take the same options and
 * write the same lines (one contract suite holds both), so the choice is one
 * argument; the CLI maps `--transport auto|undici|lean` to it.
 *
 * Why lean by default (bench/NOTES.md has the measurements): undici's write path
 * defers each write on a reused socket by one event-loop turn and costs several
 * times the lean one per request, so its bursts were 2–3× wider, its steady gaps
 * longer and its highest recorded rate lower, on the same runner and writer.
 */
import { createLeanTransport } from './lean-transport.js';
import { createTransport, type HttpTransport, type TransportOptions } from './transport.js';
import type { TransportKind } from './transport-kinds.js';

export { DEFAULT_TRANSPORT_KIND, TRANSPORT_KINDS, isTransportKind, type TransportKind } from './transport-kinds.js';

/**
 * The concrete transport `kind` means for these options: `auto` becomes `lean`
 * unless the options need undici (a dispatcher, a refreshing bearer token, a
 * scheme other than http: and https:).
 */
export function resolveTransportKind(kind: TransportKind, options: TransportOptions): 'undici' | 'lean' {
  if (kind !== 'auto') return kind;
  const { auth } = options.target;
  if (options.dispatcher !== undefined || auth.bearerSource !== undefined || auth.entra === true) return 'undici';
  const protocol = new URL(options.target.url).protocol;
  return protocol === 'http:' || protocol === 'https:' ? 'lean' : 'undici';
}

/**
 * Creates the transport of the given kind. `lean` refuses `options.dispatcher`
 * (it opens its own connections) with a TypeError; `auto` never passes it one.
 */
export function createTransportFor(kind: TransportKind, options: TransportOptions): HttpTransport {
  return resolveTransportKind(kind, options) === 'lean' ? createLeanTransport(options) : createTransport(options);
}
