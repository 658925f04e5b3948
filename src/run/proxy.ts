/**
 * Forward proxies (see docs in README, "Proxies"): which proxy, if any, a target's
 * requests go through, and the undici dispatcher that sends them there.
 *
 * The rule:
 * - an explicit `--proxy URL` applies to every target, loopback included (the user
 *   asked for it by name; a local debugging proxy in front of the simulator works);
 * - the environment's `HTTPS_PROXY` (https targets) or `HTTP_PROXY` (http targets,
 *   and https ones when HTTPS_PROXY is unset) applies unless `NO_PROXY` matches the
 *   target, and never to a loopback target, as NO_PROXY conventions do.
 *
 * NO_PROXY is matched the way undici's EnvHttpProxyAgent matches it: entries split
 * on commas or spaces, `*` for everything, a host matches itself and its subdomains
 * (a leading `.` or `*.` is dropped), `host:port` matches that port only.
 *
 * Why this decision is made here rather than left to EnvHttpProxyAgent: undici does
 * not say which way it routed a request, and the recording must state whether a
 * proxy was used. Deciding once, then handing undici a plain ProxyAgent for that one
 * proxy, makes the recorded fact and the actual route the same decision.
 *
 * Nothing here reads the environment: src/cli passes the values in.
 */
import type { Dispatcher } from 'undici';
import { isLoopbackUrl } from './loopback.js';
import { loadUndici } from './transport/undici-module.js';

/** Proxy settings as src/cli read them from `--proxy` and the environment. */
export interface ProxySettings {
  /** `--proxy URL`: applies to every target. */
  explicit?: string;
  /** `HTTP_PROXY` / `http_proxy`. */
  httpProxy?: string;
  /** `HTTPS_PROXY` / `https_proxy`. */
  httpsProxy?: string;
  /** `NO_PROXY` / `no_proxy`. */
  noProxy?: string;
}

/** The proxy one target's requests go through. */
export interface ProxyChoice {
  /** The proxy URL, credentials included (for the dispatcher only; never recorded). */
  url: string;
  /** Host and port of the proxy: what the recording and messages may show. */
  host: string;
  source: 'flag' | 'environment';
}

/** Problems with a proxy URL, or null when it is usable: an absolute http(s) URL with a host. */
export function proxyUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `uses ${url.protocol.replace(/:$/, '')}; give an http:// or https:// proxy URL`;
  if (url.hostname === '') return 'has no host';
  return null;
}

/** The proxy for `targetUrl`, or null for a direct connection (see the module comment for the rule). */
export function chooseProxy(targetUrl: string, settings: ProxySettings): ProxyChoice | null {
  const explicit = nonBlank(settings.explicit);
  if (explicit !== undefined) return choice(explicit, 'flag');
  if (isLoopbackUrl(targetUrl)) return null;
  let target: URL;
  try {
    target = new URL(targetUrl);
  } catch {
    return null;
  }
  const proxy = target.protocol === 'https:' ? (nonBlank(settings.httpsProxy) ?? nonBlank(settings.httpProxy)) : nonBlank(settings.httpProxy);
  if (proxy === undefined) return null;
  if (noProxyMatches(target, settings.noProxy ?? '')) return null;
  return choice(proxy, 'environment');
}

/** Whether NO_PROXY exempts `target` (undici's EnvHttpProxyAgent rules). */
export function noProxyMatches(target: URL, noProxy: string): boolean {
  const value = noProxy.trim();
  if (value === '') return false;
  if (value === '*') return true;
  // `host` keeps IPv6 brackets, like undici; the default port counts when none is written.
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || (target.protocol === 'https:' ? 443 : 80);
  for (const entry of value.split(/[,\s]/)) {
    if (entry === '') continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const entryHost = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2]!, 10) : 0;
    if (entryPort !== 0 && entryPort !== port) continue;
    if (hostname === entryHost || hostname.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

/**
 * The dispatcher that sends a target's requests through `proxy`: undici's ProxyAgent
 * (CONNECT tunnels; `user:password@` in the URL becomes Proxy-Authorization).
 */
export function createProxyDispatcher(proxy: ProxyChoice, connections: number): Dispatcher {
  const { ProxyAgent } = loadUndici();
  return new ProxyAgent({ uri: proxy.url, connections });
}

/**
 * Credentials inside the proxy URLs, for the redaction lists (they must never be
 * written). The proxy URL itself is never recorded (only its host), so these only
 * guard error texts; one- to three-character parts are left out because replacing
 * them everywhere would rewrite ordinary words.
 */
export function proxySecrets(settings: ProxySettings): string[] {
  const secrets: string[] = [];
  for (const text of [settings.explicit, settings.httpProxy, settings.httpsProxy]) {
    if (text === undefined) continue;
    try {
      const url = new URL(text.trim());
      for (const part of [url.username, url.password]) {
        const secret = decodeURIComponent(part);
        if (secret.length >= 4) secrets.push(secret);
      }
    } catch {
      // Not a URL: refused by src/cli (or unused); nothing of it is written.
    }
  }
  return secrets;
}

function choice(url: string, source: ProxyChoice['source']): ProxyChoice {
  let host = url;
  try {
    const parsed = new URL(url);
    host = parsed.port === '' ? `${parsed.hostname}:${parsed.protocol === 'https:' ? 443 : 80}` : parsed.host;
  } catch {
    // An unparseable URL was refused by src/cli before; keep the text without credentials.
    host = url.replace(/^[^@]*@/, '');
  }
  return { url, host, source };
}

function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
