/**
 * `npm run bench`: installs what it needs, starts a local nginx, measures aoai-probe and
 * its peers on loopback, and writes bench/RESULTS.md from the measurements (never a
 * figure by hand). Bounded in time; every process it starts is stopped at the end, on
 * failure and on Ctrl-C.
 *
 *   node bench/run.js                 full run → bench/RESULTS.md (+ bench/out/results.json)
 *   node bench/run.js --quick         fewer trials, shorter runs → bench/out/RESULTS.md
 *   node bench/run.js --only burst,steady   some measurements → bench/out/RESULTS.md
 *   node bench/run.js --render bench/out/latest/results.json   RESULTS.md again from saved measurements
 *
 * Exit code: 0 when every measurement ran (goals met or not — RESULTS.md says which),
 * 1 when the harness itself failed or a measurement could not be taken.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableCommands, ensureBuilt } from './lib/aoai.js';
import { ensureTools } from './lib/install.js';
import { describeMachine } from './lib/machine.js';
import { startNginx } from './lib/nginx.js';
import { stopAllChildren } from './lib/proc.js';
import { renderResults } from './lib/results.js';
import { measureBurst } from './burst.js';
import { measureSteady } from './steady.js';
import { measureThroughput } from './throughput.js';
import { measureMemory } from './memory.js';
import { measureReportSpeed } from './report-speed.js';
import { measureSimulator } from './simulator.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');

/** Measurements in run order. memory writes the 1M-line recording report-speed reads. */
const MEASUREMENTS = [
  ['burst', measureBurst],
  ['steady', measureSteady],
  ['throughput', measureThroughput],
  ['memory', measureMemory],
  ['report', measureReportSpeed],
  ['simulator', measureSimulator],
];

function parseArguments(argv) {
  const options = { quick: false, only: null, render: null };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--quick') options.quick = true;
    else if (argument === '--render') options.render = argv[++index] ?? '';
    else if (argument === '--only') options.only = (argv[++index] ?? '').split(',').filter(Boolean);
    else if (argument.startsWith('--only=')) options.only = argument.slice(7).split(',').filter(Boolean);
    else throw new Error(`unknown argument ${argument}; use --quick and/or --only ${MEASUREMENTS.map(([name]) => name).join(',')}`);
  }
  for (const name of options.only ?? []) {
    if (!MEASUREMENTS.some(([known]) => known === name)) throw new Error(`--only: no measurement called ${name}`);
  }
  return options;
}

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * `--render FILE`: writes RESULTS.md again from a saved results.json (after a change to the
 * wording or the tables), without measuring anything.
 */
function renderSaved(file) {
  const { run, results } = JSON.parse(readFileSync(file, 'utf8'));
  const partial = run.quick || run.only !== null;
  const target = partial ? path.join(benchDir, 'out', 'RESULTS.md') : path.join(benchDir, 'RESULTS.md');
  writeFileSync(target, renderResults({ run, results, benchDir }));
  log(`wrote ${path.relative(repoRoot, target)} from ${file}`);
  return 0;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.render !== null) return renderSaved(options.render);
  const partial = options.quick || options.only !== null;
  const outDir = path.join(benchDir, 'out', 'latest');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date();
  const started = performance.now();

  await ensureTools(log);
  const machine = describeMachine();

  const aoai = { commands: {}, unavailable: null, buildWarnings: null };
  try {
    const build = await ensureBuilt(repoRoot, log);
    aoai.buildWarnings = build.warnings;
    aoai.commands = await availableCommands(repoRoot, ['burst', 'steady', 'report', 'sim']);
    log(`aoai-probe commands: ${Object.entries(aoai.commands).map(([name, ok]) => `${name} ${ok ? 'yes' : 'no'}`).join(', ')}`);
  } catch (error) {
    aoai.unavailable = String(error.message ?? error).split('\n')[0];
    log(`aoai-probe unavailable: ${aoai.unavailable}`);
  }

  const nginx = await startNginx(path.join(outDir, 'nginx'));
  log(`nginx on 127.0.0.1:${nginx.loggedPort} (access log) and :${nginx.plainPort} (no log)`);
  const ctx = { repoRoot, benchDir, outDir, nginx, aoai, quick: options.quick, log, shared: {} };
  const results = {};
  let failures = 0;
  try {
    for (const [name, measure] of MEASUREMENTS) {
      if (options.only && !options.only.includes(name)) continue;
      const measurementStarted = performance.now();
      log(`— ${name}`);
      try {
        results[name] = await measure(ctx);
      } catch (error) {
        results[name] = { error: String(error.stack ?? error) };
        log(`${name} failed: ${error.message ?? error}`);
      }
      results[name].wallSeconds = (performance.now() - measurementStarted) / 1000;
      failures += countFailures(results[name]);
    }
  } finally {
    await nginx.stop();
  }

  const run = {
    startedAt: startedAt.toISOString(),
    wallSeconds: (performance.now() - started) / 1000,
    quick: options.quick,
    only: options.only,
    machine,
    aoai,
  };
  writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify({ run, results }, null, 2)}\n`);
  const markdown = renderResults({ run, results, benchDir });
  const target = partial ? path.join(benchDir, 'out', 'RESULTS.md') : path.join(benchDir, 'RESULTS.md');
  writeFileSync(target, markdown);
  log(`wrote ${path.relative(repoRoot, target)} in ${Math.round(run.wallSeconds)} s; ${failures} measurement(s) failed`);
  return failures === 0 ? 0 : 1;
}

/** Counts `error` fields anywhere in a measurement's result (one per client that failed). */
function countFailures(value) {
  if (value === null || typeof value !== 'object') return 0;
  let count = typeof value.error === 'string' ? 1 : 0;
  for (const [key, child] of Object.entries(value)) if (key !== 'error') count += countFailures(child);
  return count;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping every process the bench started`);
    await stopAllChildren();
    process.exit(130);
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  log(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stopAllChildren();
  // Explicit: no stray handle (a sampler, a socket) may keep an unattended run alive.
  process.exit(process.exitCode);
}
