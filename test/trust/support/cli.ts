/**
 * Runs the real executable (`node bin/aoai-probe.js`, over dist/) the way a user does,
 * with one addition: a preloaded loopback guard. Every socket the program opens goes
 * through `net.Socket.prototype.connect`; the guard lets loopback addresses through and
 * ends the process at once (exit 97, a marker on stderr) for anything else, before a
 * name is even looked up. So a consent bug cannot make a test send to a real host, and
 * a test can assert "nothing was attempted" by the absence of the marker.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'aoai-probe.js');

/** Exit code of a process the guard stopped. */
export const GUARD_EXIT = 97;
/** What the guard writes to stderr before stopping the process. */
export const GUARD_MARKER = 'LOOPBACK-GUARD: refused a connection to';

const GUARD_SOURCE = `
import net from 'node:net';
import { writeSync } from 'node:fs';
const loopback = (host) =>
  host === undefined || host === null || host === '' || host === 'localhost' || host === '::1' ||
  /^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$/.test(host) || /^::ffff:127\\./i.test(host);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  let host;
  let unixPath = false;
  if (first !== null && typeof first === 'object') {
    host = first.host;
    unixPath = typeof first.path === 'string';
  } else if (typeof first === 'string' && !/^\\d+$/.test(first)) {
    unixPath = true;
  } else {
    host = typeof args[1] === 'string' ? args[1] : undefined;
  }
  if (!unixPath && !loopback(host)) {
    writeSync(2, '${GUARD_MARKER} ' + host + '\\n');
    process.exit(${GUARD_EXIT});
  }
  return connect.apply(this, args);
};
`;

let guardPath: string | null = null;

/** The guard module, written once per test process. */
function guardModule(): string {
  if (guardPath === null) {
    const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-trust-guard-'));
    guardPath = join(folder, 'loopback-guard.mjs');
    writeFileSync(guardPath, GUARD_SOURCE);
  }
  return pathToFileURL(guardPath).href;
}

/** Newest modification time under a folder, ms. */
function newestMtime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when it is missing or older than src/ (`npm test` builds it first; this
 * covers running these files alone), at most once per test run.
 *
 * Why once per run: other people edit src/ while the suite runs, so a freshness check in
 * every file would rebuild dist/ under the feet of tests that are spawning the CLI. The
 * first of our files checks (under a lock folder) and leaves a stamp named after the
 * vitest process that runs all of them; the others see the stamp and go on.
 */
export function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'cli', 'main.js');
  const stamp = join(tmpdir(), `aoai-probe-trust-built-${process.ppid}`);
  if (existsSync(stamp) && existsSync(entry)) return;
  const lock = join(tmpdir(), 'aoai-probe-trust-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`could not take the build lock ${lock} (remove it if no test run is building)`);
      spawnSync('sleep', ['0.5']);
    }
  }
  try {
    const fresh = existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(ROOT, 'src'));
    if (!existsSync(stamp) && !fresh) {
      spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'ignore' });
    }
    writeFileSync(stamp, new Date().toISOString());
  } finally {
    rmdirSync(lock);
  }
  if (!existsSync(entry)) throw new Error('the build did not produce dist/cli/main.js');
}

/** What a finished run of the CLI left behind. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit, ms. */
  elapsedMs: number;
}

/** Options of {@link startCli} and {@link runCli}. */
export interface CliOptions {
  cwd: string;
  /** Added to a clean environment (no inherited AZURE_* / OPENAI_* variables). */
  env?: Record<string, string>;
  /** The process is killed (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
}

/** A running CLI: its child process, its output so far, and its end. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

/** The environment of every spawned CLI: the parent's, minus anything that could carry a real credential or target. */
function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AZURE_|OPENAI_|AOAI_PROBE_|GITHUB_STEP_SUMMARY$|NODE_OPTIONS$)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Starts `node --import <guard> bin/aoai-probe.js ...args`. */
export function startCli(args: readonly string[], options: CliOptions): RunningCli {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', guardModule(), BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnvironment(options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs the CLI to its end. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A fresh folder under the system temp folder. */
export function temporaryFolder(name: string): string {
  return mkdtempSync(join(tmpdir(), `aoai-probe-trust-${name}-`));
}

/** True when the text has a stack-trace line ("    at fn (file:line)"). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at\s/m.test(text);
}
