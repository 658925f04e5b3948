/**
 * HAProxy stick-table request rate as a real limiter for the probe: `track-sc0 src`
 * then `deny` with 429 when `sc_http_req_rate(0)` is above the limit, and a 200
 * answer otherwise (`http-request return`, no backend needed).
 *
 * The truth: the rate is counted by HAProxy's frequency counter over the period —
 * the current period's count plus the previous one's, weighted by how much of the
 * period is left: a sliding-window counter. Every tracked request counts, refused
 * ones too (the tracking happens before the deny), so a client that keeps knocking
 * faster than the limit is never let in: a penalty limiter. A burst from idle
 * admits `limit` requests (the request that brings the rate to limit + 1 is denied);
 * the long-run rate is limit / period.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, freePort, startServerInFolder } from './child-server.js';
import type { RunningLimiter } from './running-limiter.js';

/** Settings of one HAProxy rate limit. */
export interface HaproxyLimitOptions {
  /** Requests allowed per period (denied when the rate is greater than this). */
  limit: number;
  periodSeconds: number;
}

/** The haproxy binary, or null when HAProxy is not installed. */
export function haproxyPath(): string | null {
  return findExecutable(['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'], 'haproxy');
}

/** Starts HAProxy with one stick-table rate limit in front of a 200 answer. */
export async function startHaproxy(options: HaproxyLimitOptions): Promise<RunningLimiter> {
  const binary = haproxyPath();
  if (binary === null) throw new Error('haproxy is not installed');
  const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-haproxy-'));
  const port = await freePort();
  const config = `
global
  maxconn 2000
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend probe
  bind 127.0.0.1:${port}
  stick-table type ip size 1k expire 120s store http_req_rate(${options.periodSeconds}s)
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${options.limit} }
  http-request return status 200 content-type application/json string '{"choices":[{"message":{"role":"assistant","content":"ok"}}],"usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}'
`;
  const configPath = join(folder, 'haproxy.cfg');
  writeFileSync(configPath, config);
  const server = await startServerInFolder(folder, binary, ['-db', '-f', configPath], port);
  return {
    name: `HAProxy sc_http_req_rate(${options.periodSeconds}s) gt ${options.limit} (refused requests counted)`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: options.limit, perSecond: options.limit / options.periodSeconds, windowSeconds: options.periodSeconds, shape: 'sliding-window' },
    stop: () => server.stop(),
  };
}
