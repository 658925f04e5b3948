/**
 * Start-up cost of a spawned CLI: wall time and CPU (user + sys, worker threads included)
 * of short `aoai-probe` commands, the median of several runs, and optionally which files
 * each one loads. The test suite spawns the CLI several hundred times, so this cost adds
 * up there (see "Start-up cost of a spawned CLI" in bench/NOTES.md).
 *
 *   node bench/startup.js               5 rounds, the median of each command
 *   node bench/startup.js --runs 9      more rounds
 *   node bench/startup.js --files       also count the files each command opens (needs strace)
 *   node bench/startup.js --bin OTHER/bin/aoai-probe.js --bin bin/aoai-probe.js
 *                                       compare builds (a copy of an older bin/ and dist/), interleaved
 *
 * Rounds are interleaved (every command once per round), so a burst of load from
 * elsewhere on the machine spreads over all of them. Needs the build (`npm run build`)
 * and GNU time at /usr/bin/time. Not part of `npm run bench`: these are figures for notes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const defaultBin = path.join(repoRoot, 'bin', 'aoai-probe.js');
const smallRecording = path.join(repoRoot, 'test', 'fixtures', 'report-sameness', 'burstretry.ndjson');

/** The commands measured: a name, the arguments, and whether it runs in a fresh folder. */
const COMMANDS = [
  { name: 'node -e 0 (floor)', args: null },
  { name: '--version', args: ['--version'] },
  { name: '--help', args: ['--help'] },
  { name: 'burst --url "" (exit 2)', args: ['burst', '--url', ''] },
  { name: 'burst (embedded simulator)', args: ['burst'], freshFolder: true },
  { name: 'report <15 kB recording>', args: ['report', smallRecording] },
  { name: 'probe --help', args: ['probe', '--help'] },
];

function parseArguments(argv) {
  const options = { runs: 5, files: false, bins: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--runs') options.runs = Number(argv[++index]);
    else if (argument === '--files') options.files = true;
    else if (argument === '--bin') options.bins.push(path.resolve(argv[++index] ?? ''));
    else throw new Error(`unknown argument ${argument}; use --runs N, --files and/or --bin FILE`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs: a whole number above zero');
  if (options.bins.length === 0) options.bins.push(defaultBin);
  return options;
}

/** The node command line of one measured command. */
function commandLine(command, bin) {
  return command.args === null ? ['-e', '0'] : [bin, ...command.args];
}

/** Runs `command` once under GNU time; returns its wall time and CPU in seconds. */
function timeOnce(command, bin) {
  const folder = mkdtempSync(path.join(tmpdir(), 'aoai-probe-startup-'));
  const timing = path.join(folder, 'time.txt');
  try {
    const cwd = command.freshFolder ? folder : repoRoot;
    const result = spawnSync('/usr/bin/time', ['-o', timing, '-f', '%e %U %S', process.execPath, ...commandLine(command, bin)], { cwd, encoding: 'utf8' });
    if (result.error) throw result.error;
    const [wall, user, system] = readFileSync(timing, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { wall, cpu: user + system, exitCode: result.status };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The files under the repository (or its node_modules) the command opens, counted per package or dist folder. */
function filesOpened(command, bin) {
  const folder = mkdtempSync(path.join(tmpdir(), 'aoai-probe-startup-'));
  try {
    const cwd = command.freshFolder ? folder : repoRoot;
    const result = spawnSync('strace', ['-f', '-e', 'trace=openat', process.execPath, ...commandLine(command, bin)], { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (result.error) throw result.error;
    const opened = new Set();
    for (const line of result.stderr.split('\n')) {
      if (line.includes('ENOENT')) continue;
      const match = /openat\([^"]*"([^"]+)"/.exec(line);
      if (match && /\.(c|m)?js$/.test(match[1])) opened.add(match[1]);
    }
    const counts = new Map();
    for (const file of opened) {
      const nodeModules = file.lastIndexOf('/node_modules/');
      let group;
      if (nodeModules >= 0) {
        const parts = file.slice(nodeModules + '/node_modules/'.length).split('/');
        group = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
      } else if (file.startsWith(path.dirname(path.dirname(bin)))) {
        const parts = path.relative(path.dirname(path.dirname(bin)), file).split(path.sep);
        group = parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts.join('/');
      } else {
        continue;
      }
      counts.set(group, (counts.get(group) ?? 0) + 1);
    }
    return { total: [...counts.values()].reduce((sum, count) => sum + count, 0), counts: [...counts].sort((a, b) => b[1] - a[1]) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const options = parseArguments(process.argv.slice(2));
const key = (bin, command) => `${bin}\0${command.name}`;
const samples = new Map();
for (let round = 1; round <= options.runs; round += 1) {
  for (const bin of options.bins) {
    for (const command of COMMANDS) {
      if (!samples.has(key(bin, command))) samples.set(key(bin, command), []);
      samples.get(key(bin, command)).push(timeOnce(command, bin));
    }
  }
}
const nameWidth = Math.max(...COMMANDS.map((command) => command.name.length));
for (const bin of options.bins) {
  console.log(`\n${path.relative(process.cwd(), bin) || bin}`);
  console.log(`${'command'.padEnd(nameWidth)}  wall s  cpu s  exit   (median of ${options.runs})`);
  for (const command of COMMANDS) {
    const runs = samples.get(key(bin, command));
    const exitCodes = [...new Set(runs.map((run) => run.exitCode))].join(',');
    console.log(`${command.name.padEnd(nameWidth)}  ${median(runs.map((run) => run.wall)).toFixed(2).padStart(6)}  ${median(runs.map((run) => run.cpu)).toFixed(2).padStart(5)}  ${exitCodes.padStart(4)}`);
  }
}
if (options.files) {
  for (const bin of options.bins) {
    for (const command of COMMANDS.filter((candidate) => candidate.args !== null)) {
      const { total, counts } = filesOpened(command, bin);
      console.log(`\n${path.relative(process.cwd(), bin) || bin} ${command.name}: ${total} files`);
      console.log(`  ${counts.map(([group, count]) => `${group} ${count}`).join(', ')}`);
    }
  }
}
