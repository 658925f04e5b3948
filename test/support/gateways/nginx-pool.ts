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
import { freePort } from '../limiters/child-server.js';
import { nginxPath, startNginxProcess } from '../limiters/nginx-process.js';

/** A running nginx pool. */
export interface RunningNginxPool {
  /** Base URL of the gateway, no trailing slash. */
  url: string;
  stop(): Promise<void>;
}

/** The nginx binary, or null when nginx is not installed. */
export const nginxBinary = nginxPath;

/** Starts nginx in front of `upstreams` (base URLs on 127.0.0.1): the first is primary, the rest backups. */
export async function startNginxPool(upstreams: readonly string[]): Promise<RunningNginxPool> {
  const port = await freePort();
  const servers = upstreams
    .map((url, index) => `    server ${new URL(url).host} max_fails=0${index === 0 ? '' : ' backup'};`)
    .join('\n');
  const server = await startNginxProcess('nginx-pool', port, `
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
`);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => server.stop(),
  };
}
