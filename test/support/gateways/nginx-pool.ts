/**
 * nginx as a real gateway with failover: an upstream pool in front of several
 * simulator instances, `proxy_next_upstream http_429 non_idempotent` so a refused
 * POST goes on to the next server, as an API Management pool with a retry policy
 * does. The first server is the primary; the others are `backup` servers, used
 * only when the primary refused (a priority pool).
 *
 * Config, pid, logs and temp paths live in a temp folder; nginx runs in the
 * foreground as a child process on a free loopback port.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, freePort, startChildServer } from '../limiters/child-server.js';

/** A running nginx pool. */
export interface RunningNginxPool {
  /** Base URL of the gateway, no trailing slash. */
  url: string;
  stop(): Promise<void>;
}

/** The nginx binary, or null when nginx is not installed. */
export function nginxBinary(): string | null {
  return findExecutable(['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'], 'nginx');
}

/** Starts nginx in front of `upstreams` (base URLs on 127.0.0.1): the first is primary, the rest backups. */
export async function startNginxPool(upstreams: readonly string[]): Promise<RunningNginxPool> {
  const binary = nginxBinary();
  if (binary === null) throw new Error('nginx is not installed');
  const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-nginx-pool-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(folder, sub));
  const port = await freePort();
  const servers = upstreams
    .map((url, index) => `    server ${new URL(url).host} max_fails=0${index === 0 ? '' : ' backup'};`)
    .join('\n');
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
  upstream pool {
${servers}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://pool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_429 non_idempotent;
      proxy_next_upstream_tries 0;
    }
  }
}
`;
  const configPath = join(folder, 'nginx.conf');
  writeFileSync(configPath, config);
  const server = await startChildServer(binary, ['-p', folder, '-c', configPath, '-e', join(folder, 'logs/error.log')], port);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
