/**
 * nginx `limit_conn` in front of a plain WebSocket server: a non-realtime
 * WebSocket limiter for the realtime prober. nginx proxies the upgrade to the
 * upstream and counts each proxied connection against the zone for as long as
 * it is open, so at most `connections` WebSockets are held at once; the next
 * upgrade gets `limit_conn_status` (429 here) from nginx itself.
 *
 * The upstream is the test's own `ws` server (any port); nginx runs in the
 * foreground as a child process, its config and files in a temp folder.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startChildServer } from './child-server.js';
import { nginxPath } from './nginx.js';

/** nginx with limit_conn in front of a WebSocket upstream. */
export interface RunningWebSocketLimiter {
  name: string;
  /** ws:// URL through nginx. */
  url: string;
  /** The cap the prober should find. */
  connections: number;
  stop(): Promise<void>;
}

/** Starts nginx with `limit_conn` of `connections` in front of `upstreamPort`. */
export async function startNginxWebSocketLimit(connections: number, upstreamPort: number): Promise<RunningWebSocketLimiter> {
  const binary = nginxPath();
  if (binary === null) throw new Error('nginx is not installed');
  const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-nginx-ws-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(folder, sub));
  const port = await freePort();
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
  limit_conn_zone $server_name zone=sockets:1m;
  limit_conn_status 429;
  server {
    listen 127.0.0.1:${port};
    server_name websocket-limit;
    location / {
      limit_conn sockets ${connections};
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 60s;
    }
  }
}
`;
  const configPath = join(folder, 'nginx.conf');
  writeFileSync(configPath, config);
  const server = await startChildServer(binary, ['-p', folder, '-c', configPath, '-e', join(folder, 'logs/error.log')], port);
  return {
    name: `nginx limit_conn ${connections} in front of a ws server`,
    url: `ws://127.0.0.1:${port}/`,
    connections,
    async stop() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
