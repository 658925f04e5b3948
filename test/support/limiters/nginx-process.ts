/**
 * One way to run nginx for the tests: a temp folder holding the config, pid, error
 * log and every temp path (so nothing touches /var or /etc), nginx in the foreground
 * without a master process as a child of the test, stopped and cleaned up together.
 *
 * Why shared: every nginx the tests start (limit_req, limit_conn in front of a
 * WebSocket server, an upstream pool) needs the same prelude; only the `http { … }`
 * contents differ.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, startServerInFolder } from './child-server.js';

/** The nginx binary, or null when nginx is not installed. */
export function nginxPath(): string | null {
  return findExecutable(['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'], 'nginx');
}

/** A running nginx; `stop` ends it and removes its folder. */
export interface RunningNginx {
  stop(): Promise<void>;
}

/**
 * Starts nginx with `httpBlock` (the lines inside `http { … }`: zones, upstreams,
 * servers) and waits until it listens on `port`. `label` names the temp folder.
 */
export async function startNginxProcess(label: string, port: number, httpBlock: string): Promise<RunningNginx> {
  const binary = nginxPath();
  if (binary === null) throw new Error('nginx is not installed');
  const folder = mkdtempSync(join(tmpdir(), `aoai-probe-${label}-`));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(folder, sub));
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
${httpBlock}
}
`;
  const configPath = join(folder, 'nginx.conf');
  writeFileSync(configPath, config);
  const started = await startServerInFolder(folder, binary, ['-p', folder, '-c', configPath, '-e', join(folder, 'logs/error.log')], port);
  return {
    stop: () => started.stop(),
  };
}
