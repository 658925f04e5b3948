/**
 * aoai-probe as the bench runs it: through its real CLI (`node bin/aoai-probe.js …`), the
 * way a user's run exercises it, after making sure dist/ is built and current.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './proc.js';

/** Newest modification time (ms) of files under `dir` whose names end with `suffix`. */
function newestMtime(dir, suffix) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, suffix));
    else if (entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ with `tsc -p tsconfig.build.json` when it is missing or older than src/.
 * Returns `{ built, warnings }`; tsc still emits JavaScript on type errors, so those are
 * reported as warnings and the bench goes on with what was emitted.
 */
export async function ensureBuilt(repoRoot, log) {
  const distMain = path.join(repoRoot, 'dist', 'cli', 'main.js');
  const stale = !existsSync(distMain) || newestMtime(path.join(repoRoot, 'src'), '.ts') > newestMtime(path.join(repoRoot, 'dist'), '.js');
  if (!stale) return { built: false, warnings: null };
  log('building dist/ (npx tsc -p tsconfig.build.json)');
  const result = await runCommand(path.join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: repoRoot,
    timeoutMs: 300_000,
    allowFailure: true,
  });
  if (!existsSync(distMain)) throw new Error(`the build produced no dist/cli/main.js:\n${result.stdout.slice(0, 2000)}`);
  return { built: true, warnings: result.code === 0 ? null : result.stdout.trim().split('\n').slice(0, 10).join('\n') };
}

/** The CLI entry the bench runs (the package's bin shim). */
export function aoaiBin(repoRoot) {
  return path.join(repoRoot, 'bin', 'aoai-probe.js');
}

/**
 * Which aoai-probe commands exist in this build (`node bin/aoai-probe.js NAME --help`
 * exits 0). Lets the bench measure what has landed and say plainly what has not.
 */
export async function availableCommands(repoRoot, names) {
  const available = {};
  for (const name of names) {
    try {
      const { code, stdout } = await runCommand('node', [aoaiBin(repoRoot), name, '--help'], {
        cwd: repoRoot,
        timeoutMs: 30_000,
        allowFailure: true,
      });
      available[name] = code === 0 && stdout.includes(name);
    } catch {
      available[name] = false;
    }
  }
  return available;
}

/** Runs `aoai-probe ARGS…` pinned to `cpu`, with a time limit. Resolves to its output. */
export function runAoai(repoRoot, args, { cpu = null, timeoutMs = 120_000, allowFailure = false, nodeArgs = [], wrapper = [], onStart } = {}) {
  const [command, ...prefix] = [...wrapper, 'node'];
  return runCommand(command, [...prefix, ...nodeArgs, aoaiBin(repoRoot), ...args], { cpu, timeoutMs, cwd: repoRoot, allowFailure, onStart });
}

/** Throws a plain message when this build of aoai-probe has no `name` command yet. */
export function requireCommand(ctx, name) {
  if (ctx.aoai.unavailable) throw new Error(`aoai-probe unavailable: ${ctx.aoai.unavailable}`);
  if (!ctx.aoai.commands[name]) throw new Error(`this build of aoai-probe has no \`${name}\` command`);
}

/**
 * How this build can run a `burst` or `steady` scenario: through the CLI command when it
 * exists ("cli"), else not at all (null). (The route through the modules went with
 * bench/prototypes; git history keeps it.)
 */
export function scenarioRoute(ctx, command) {
  if (ctx.aoai.unavailable) return null;
  if (ctx.aoai.commands[command]) return 'cli';
  return null;
}

/**
 * Runs one aoai-probe scenario against `url` and records it to `record`:
 * `{ kind: 'burst', size, bursts, gapMs }` or `{ kind: 'steady', rate, durationS }`, with
 * `maxInFlight`. Through the CLI (its `--json` summary is returned).
 */
export async function runScenario(ctx, scenario, { cpu = null, timeoutMs = 120_000, onStart, wrapper = [], cliTransport } = {}) {
  const route = scenarioRoute(ctx, scenario.kind);
  if (route === null) {
    throw new Error(ctx.aoai.unavailable ? `aoai-probe unavailable: ${ctx.aoai.unavailable}` : `this build of aoai-probe has no \`${scenario.kind}\` command`);
  }
  if (route === 'cli') {
    const args = scenario.kind === 'burst'
      ? ['burst', '--size', String(scenario.size), '--bursts', String(scenario.bursts), '--gap', `${scenario.gapMs}ms`]
      : ['steady', '--rate', `${scenario.rate}/s`, '--duration', `${scenario.durationS}s`];
    args.push('--url', scenario.url, '--max-in-flight', String(scenario.maxInFlight), '--record', scenario.record, '--json', '--quiet');
    if (cliTransport) args.push('--transport', cliTransport);
    const output = await runAoai(ctx.repoRoot, args, { cpu, timeoutMs, onStart, wrapper });
    let summary = null;
    try {
      summary = JSON.parse(output.stdout);
    } catch {
      summary = null;
    }
    return { via: 'cli', summary, output };
  }
  throw new Error(`unknown route ${route}`);
}
