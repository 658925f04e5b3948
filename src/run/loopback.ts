/**
 * Is every request to this URL going to this machine? Loopback targets need no
 * consent and never go through an environment proxy (see docs in README, "Proxies").
 * Only literal loopback addresses and `localhost` count: a name such as
 * `127.0.0.1.example.com` resolves wherever its owner wants, so it is a real target.
 */
import { isIP } from 'node:net';

/** True for http(s) URLs whose host is `localhost`, 127.0.0.0/8, `::1` or an IPv4-mapped 127 address. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host === 'localhost.') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
  return false;
}
