/**
 * nginx `limit_req` as a real limiter for the probe: a generated config in a temp
 * folder (prefix, pid, error log and temp paths all inside it), nginx in the
 * foreground as a child process on a free loopback port.
 *
 * Why two server blocks: `return 200` runs in nginx's rewrite phase, before
 * limit_req's preaccess phase, so a location that only returns would never be
 * limited. The limited location proxies to a second server that answers.
 *
 * The truth: limit_req with `burst=B nodelay` admits B + 1 requests at one instant
 * (the first request's excess is 0, each further one adds 1, refused above B), then
 * one every 1/rate; it is a token bucket of capacity B + 1 refilling at the rate,
 * empty to full in (B + 1) / rate. Refused requests do not count. Refusals are 503
 * (an HTML page) unless `limit_req_status` says otherwise.
 */
import { freePort } from './child-server.js';
import { nginxPath, startNginxProcess } from './nginx-process.js';
import type { RunningLimiter } from './running-limiter.js';

/** Whether nginx is installed (the tests that need it say so when it is not). */
export { nginxPath };

/** Settings of one nginx limit_req. */
export interface NginxLimitOptions {
  /** Requests per second (nginx `rate=Nr/s`, or per minute when `perMinute`). */
  rate: number;
  perMinute?: boolean;
  burst: number;
  /** Refusal status (default nginx's 503). */
  status?: 429 | 503;
}

/** Starts nginx with one limit_req zone in front of a 200 answer. */
export async function startNginx(options: NginxLimitOptions): Promise<RunningLimiter> {
  const [port, upstream] = [await freePort(), await freePort()];
  const rate = `${options.rate}r/${options.perMinute ? 'm' : 's'}`;
  const server = await startNginxProcess('nginx', port, `
  limit_req_zone $binary_remote_addr zone=probe:1m rate=${rate};
  ${options.status ? `limit_req_status ${options.status};` : ''}
  server {
    listen 127.0.0.1:${port};
    location / {
      limit_req zone=probe burst=${options.burst} nodelay;
      proxy_pass http://127.0.0.1:${upstream};
    }
  }
  server {
    listen 127.0.0.1:${upstream};
    location / {
      default_type application/json;
      return 200 '{"choices":[{"message":{"role":"assistant","content":"ok"}}],"usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}';
    }
  }
`);
  const perSecond = options.perMinute ? options.rate / 60 : options.rate;
  const capacity = options.burst + 1;
  return {
    name: `nginx limit_req rate=${rate} burst=${options.burst} nodelay${options.status ? ` status ${options.status}` : ''}`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: capacity, perSecond, windowSeconds: capacity / perSecond, shape: 'token-bucket' },
    stop: () => server.stop(),
  };
}
