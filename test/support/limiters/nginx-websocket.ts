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
import { freePort } from './child-server.js';
import { startNginxProcess } from './nginx-process.js';

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
  const port = await freePort();
  const server = await startNginxProcess('nginx-ws', port, `
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
`);
  return {
    name: `nginx limit_conn ${connections} in front of a ws server`,
    url: `ws://127.0.0.1:${port}/`,
    connections,
    stop: () => server.stop(),
  };
}
