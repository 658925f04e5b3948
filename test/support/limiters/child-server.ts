/**
 * Starting and stopping a server process for a test: a free loopback port, the
 * child started with its output kept (for the error message when it does not come
 * up), ready once a TCP connection to the port succeeds, and stopped by its own
 * pid (never by name).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { existsSync, rmSync } from 'node:fs';

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The first of `paths` that exists, else the first name found on PATH; null when none. */
export function findExecutable(paths: readonly string[], name: string): string | null {
  for (const path of paths) if (existsSync(path)) return path;
  for (const folder of (process.env.PATH ?? '').split(':')) {
    const candidate = `${folder}/${name}`;
    if (folder !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A running server process. */
export interface ChildServer {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `command args` and waits (up to `timeoutMs`) until `port` accepts connections. */
export async function startChildServer(command: string, args: readonly string[], port: number, timeoutMs = 10_000): Promise<ChildServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const server: ChildServer = {
    child,
    port,
    output: () => output,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${command} exited before listening on ${port}:\n${output}`);
    if (await portAnswers(port)) return server;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await server.stop();
  throw new Error(`${command} did not listen on ${port} within ${timeoutMs} ms:\n${output}`);
}

/**
 * Starts a server whose configuration lives in `folder` (a temp folder of its own),
 * and removes the folder when the start fails or the server stops: the one cleanup
 * rule every configured limiter (nginx, HAProxy, Apache, Varnish) follows.
 */
export async function startServerInFolder(folder: string, command: string, args: readonly string[], port: number, timeoutMs?: number): Promise<ChildServer> {
  let server: ChildServer;
  try {
    server = await startChildServer(command, args, port, timeoutMs);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
