/**
 * undici, loaded on first use: by the undici transport (transport.ts) and the proxy
 * dispatcher (../proxy.ts), never by a run that does not send through them.
 *
 * Why lazily: undici is 110 modules, about 80 ms wall and 100 ms of CPU to load on the
 * 2-core test machine, and only proxies, Entra ID and `--transport undici` use it. The
 * default transport for a direct target is the lean one, and every `aoai-probe` process
 * that sends nothing (--help, bad input, report) would otherwise pay for it too.
 *
 * Why synchronously (a `require`, not `import()`): transports are created synchronously
 * (createTransportFor, and the warm-up's factory), and undici is a CommonJS package, so
 * `require` returns the very module instance an `import` of it would.
 */
import { createRequire } from 'node:module';

/** The undici module, as `import * as undici from 'undici'` would give it. */
export type UndiciModule = typeof import('undici');

let undici: UndiciModule | null = null;

/** undici, required on the first call and the same instance afterwards. */
export function loadUndici(): UndiciModule {
  undici ??= createRequire(import.meta.url)('undici') as UndiciModule;
  return undici;
}
