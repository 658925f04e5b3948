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
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, freePort, startChildServer } from './child-server.js';
import type { RunningLimiter } from './running-limiter.js';

/** Settings of one nginx limit_req. */
export interface NginxLimitOptions {
  /** Requests per second (nginx `rate=Nr/s`, or per minute when `perMinute`). */
  rate: number;
  perMinute?: boolean;
  burst: number;
  /** Refusal status (default nginx's 503). */
  status?: 429 | 503;
}

/** The nginx binary, or null when nginx is not installed. */
export function nginxPath(): string | null {
  return findExecutable(['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'], 'nginx');
}

/** Starts nginx with one limit_req zone in front of a 200 answer. */
export async function startNginx(options: NginxLimitOptions): Promise<RunningLimiter> {
  const binary = nginxPath();
  if (binary === null) throw new Error('nginx is not installed');
  const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-nginx-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(folder, sub));
  const [port, upstream] = [await freePort(), await freePort()];
  const rate = `${options.rate}r/${options.perMinute ? 'm' : 's'}`;
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${folder}/nginx.pid;
error_log ${folder}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${folder}/client_body;
  proxy_temp_path ${folder}/proxy;
  fastcgi_temp_path ${folder}/fastcgi;
  uwsgi_temp_path ${folder}/uwsgi;
  scgi_temp_path ${folder}/scgi;
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
}
`;
  const configPath = join(folder, 'nginx.conf');
  writeFileSync(configPath, config);
  const server = await startChildServer(binary, ['-p', folder, '-c', configPath, '-e', join(folder, 'logs/error.log')], port);
  const perSecond = options.perMinute ? options.rate / 60 : options.rate;
  const capacity = options.burst + 1;
  return {
    name: `nginx limit_req rate=${rate} burst=${options.burst} nodelay${options.status ? ` status ${options.status}` : ''}`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: capacity, perSecond, windowSeconds: capacity / perSecond, shape: 'token-bucket' },
    async stop() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
