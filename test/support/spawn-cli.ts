/**
 * The one way tests run the real executable (`node bin/aoai-probe.js` over dist/) the way
 * a user does. Every test that spawns the CLI goes through here, because three guards
 * stand between a test and a real endpoint:
 *
 * 1. The child's environment is the parent's minus anything that could carry a real
 *    target, credential or route out: `AZURE_*` (endpoint, key, Entra ids), `OPENAI_*`,
 *    the proxy variables in any case (`HTTP_PROXY`, `https_proxy`, `NO_PROXY`,
 *    `ALL_PROXY`...), `GITHUB_STEP_SUMMARY`, `AOAI_PROBE_*` and `NODE_OPTIONS`. A test
 *    that needs one of them sets it in `options.env`, which is added back on top. So a
 *    developer with a real endpoint and key in their shell still runs every test on
 *    loopback.
 * 2. Before spawning, every target the child could be given is checked: `--url` and
 *    `--endpoint` values, `url`/`endpoint` keys of scenario files named in the arguments,
 *    and `AZURE_OPENAI_ENDPOINT`/`OPENAI_BASE_URL` in `options.env`. Anything but loopback
 *    (127.0.0.0/8, ::1, localhost) throws, and nothing is spawned.
 * 3. The child runs with a preloaded socket guard: every connection goes through
 *    `net.Socket.prototype.connect`, which lets loopback through and ends the process at
 *    once (exit {@link GUARD_EXIT}, {@link GUARD_MARKER} on stderr) for anything else,
 *    before a name is even looked up. So a bug in the program cannot reach a real host
 *    either, and a test can assert "nothing was attempted" by the absence of the marker.
 *
 * The one exception to 2 is `allowInvalidHosts`: tests of consent and of refusals need a
 * target that is not loopback, and get names under the reserved `.invalid` top-level
 * domain (RFC 6761: it never resolves), still behind guard 3.
 */
import { createHash } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The executable users run. */
export const BIN = join(ROOT, 'bin', 'aoai-probe.js');

/** Exit code of a process the socket guard stopped. */
export const GUARD_EXIT = 97;
/** What the socket guard writes to stderr before stopping the process. */
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

/**
 * Variables a spawned CLI never inherits: targets and credentials (AZURE_*, OPENAI_*),
 * routes out (proxies, any case), files outside the test's folder (GITHUB_STEP_SUMMARY),
 * the program's own switches (AOAI_PROBE_*) and node flags (NODE_OPTIONS).
 */
const NOT_INHERITED = /^(AZURE_|OPENAI_|AOAI_PROBE_|(HTTPS?|NO|ALL)_PROXY$|GITHUB_STEP_SUMMARY$|NODE_OPTIONS$)/i;

/** Environment variables the CLI reads a target from. */
const TARGET_VARIABLES = ['AZURE_OPENAI_ENDPOINT', 'OPENAI_BASE_URL'] as const;

/** Flags whose value is a target URL. */
const TARGET_FLAGS = ['--url', '--endpoint'] as const;

/** Keys of a scenario file whose value is a target URL (at any depth: `target.url`, `targets[].endpoint`). */
const SCENARIO_TARGET_KEYS = new Set(['url', 'endpoint']);

let guardPath: string | null = null;

/** Folders this test file made under the system temp folder (the guard's, {@link temporaryFolder}'s). */
const madeFolders = new Set<string>();

/**
 * Removes every folder this test file made under the system temp folder. Called after
 * each file by test/support/remove-temporary-folders.ts (a setup file), so a run leaves
 * no `aoai-probe-loopback-guard-*` or `aoai-probe-test-*` folders behind.
 */
export function removeTemporaryFolders(): void {
  for (const folder of madeFolders) rmSync(folder, { recursive: true, force: true });
  madeFolders.clear();
  guardPath = null;
}

/** The socket guard module, written once per test file. */
function guardModule(): string {
  if (guardPath === null) {
    const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-loopback-guard-'));
    madeFolders.add(folder);
    guardPath = join(folder, 'loopback-guard.mjs');
    writeFileSync(guardPath, GUARD_SOURCE);
  }
  return pathToFileURL(guardPath).href;
}

/** Whether a host name or address is loopback: localhost, 127.0.0.0/8, ::1 (or ::ffff:127.x). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || /^::ffff:127\./.test(bare) || /^::ffff:7f[0-9a-f]{2}:/.test(bare);
}

/** Throws unless `text` is a URL whose host is loopback (or, when allowed, a name under `.invalid`). */
function checkTarget(text: string, where: string, allowInvalidHosts: boolean): void {
  let host: string;
  try {
    host = new URL(text).hostname;
  } catch {
    // Not a URL: the CLI refuses it as bad input before sending anything.
    return;
  }
  if (isLoopbackHost(host)) return;
  if (allowInvalidHosts && /(^|\.)invalid\.?$/i.test(host)) return;
  throw new Error(
    `spawn-cli: ${where} points at ${host}, which is not loopback; tests may only send to 127.0.0.0/8, ::1 or localhost` +
      (allowInvalidHosts ? '' : ' (a test of refusals can pass allowInvalidHosts and use a name under .invalid)'),
  );
}

/** Every string under a `url` or `endpoint` key of a parsed scenario. */
function scenarioTargets(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) scenarioTargets(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (SCENARIO_TARGET_KEYS.has(key) && typeof child === 'string') found.push(child);
      else scenarioTargets(child, found);
    }
  }
  return found;
}

/**
 * Throws when any target the CLI would be given is not loopback: `--url`/`--endpoint`
 * values (`--url X` and `--url=X`), the targets of scenario files named in `args`
 * (resolved from `cwd`), and target variables of `env`.
 */
export function checkTargets(args: readonly string[], env: Record<string, string | undefined>, cwd: string, allowInvalidHosts = false): void {
  args.forEach((argument, index) => {
    for (const flag of TARGET_FLAGS) {
      if (argument === flag && index + 1 < args.length) checkTarget(args[index + 1]!, `${flag} ${args[index + 1]}`, allowInvalidHosts);
      if (argument.startsWith(`${flag}=`)) checkTarget(argument.slice(flag.length + 1), argument, allowInvalidHosts);
    }
    const extension = extname(argument).toLowerCase();
    if (['.yaml', '.yml', '.json'].includes(extension)) {
      const path = resolve(cwd, argument);
      if (!existsSync(path) || !statSync(path).isFile()) return;
      let parsed: unknown;
      try {
        parsed = parseYaml(readFileSync(path, 'utf8'));
      } catch {
        return; // The CLI refuses a malformed scenario before sending anything.
      }
      for (const target of scenarioTargets(parsed)) checkTarget(target, `the scenario ${argument}`, allowInvalidHosts);
    }
  });
  for (const name of TARGET_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') checkTarget(value, name, allowInvalidHosts);
  }
}

/**
 * The environment of a spawned CLI: `parent` minus every variable in NOT_INHERITED, then
 * NO_COLOR=1, then `extra` (the test's own settings, which win).
 */
export function childEnvironment(parent: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (NOT_INHERITED.test(name)) continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
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
 * covers running a file alone), at most once per test run.
 *
 * Why once per run: other people edit src/ while the suite runs, so a freshness check in
 * every file would rebuild dist/ under the feet of tests that are spawning the CLI. The
 * first file checks (under a lock folder) and leaves a stamp named after the vitest
 * process that runs all of them; the others see the stamp and go on.
 */
export function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'cli', 'main.js');
  const stamp = join(tmpdir(), `aoai-probe-spawn-cli-built-${process.ppid}`);
  if (existsSync(stamp) && existsSync(entry)) return;
  // One lock per checkout: clones side by side (worktrees) build their own dist/ at once.
  const lock = join(tmpdir(), `aoai-probe-spawn-cli-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`could not take the build lock ${lock} (remove it if no test run is building)`);
      // A blocking half-second wait: this runs in a hook, before any test of the file.
      spawnSync('sleep', ['0.5']);
    }
  }
  try {
    const fresh = existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(ROOT, 'src'));
    if (!existsSync(stamp) && !fresh) {
      // Emits even when another part of the tree has type errors (tsc's default); the check below tells.
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
  /** Working folder of the child. Default: the test process's. */
  cwd?: string;
  /** Added to the cleaned environment (see the file's doc comment); wins over it. */
  env?: Record<string, string>;
  /** The process is killed (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Lets targets under the never-resolving `.invalid` domain through the argument check (the socket guard still stops them). */
  allowInvalidHosts?: boolean;
}

/** A running CLI: its child process, its output so far, and its end. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

/** Checks the targets, then starts `node --import <socket guard> bin/aoai-probe.js ...args`. */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const cwd = options.cwd ?? process.cwd();
  const env = childEnvironment(process.env, options.env);
  checkTargets(args, options.env ?? {}, cwd, options.allowInvalidHosts ?? false);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', guardModule(), BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<CliResult>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveDone({ code, signal, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs the CLI to its end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Waits until `condition` holds, checking every 20 ms; throws after `timeoutMs`. For
 * conditions on a child's output, which has no event of its own for "this text arrived".
 */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
}

/** A fresh folder under the system temp folder, removed after the test file. */
export function temporaryFolder(name: string): string {
  const folder = mkdtempSync(join(tmpdir(), `aoai-probe-test-${name}-`));
  madeFolders.add(folder);
  return folder;
}

/** True when the text has a stack-trace line ("    at fn (file:line)"). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at\s/m.test(text);
}
