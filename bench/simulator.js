/**
 * The simulator's own throughput: responses per second that `aoai-probe sim` serves on
 * loopback with its limiter on, measured with autocannon (`-c 50 -d 10`, non-streaming
 * chat completions). Server pinned to CPU 0, autocannon to CPU 1. The simulator's issue
 * asks for ≥ 15,000 req/s.
 *
 * Two simulator configurations: the default profile (the limiter refuses nearly every
 * request with a 429 after the first few) and the limits raised so that the limiter is
 * consulted on every request but admits them (every answer is a full 200 completion).
 * Peers: bare node:http and express 5 serving a static JSON answer with no limiter (what a
 * Node server does per core here without any simulation).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aoaiBin } from './lib/aoai.js';
import { REQUEST_PATH } from './lib/nginx.js';
import { runAutocannon } from './lib/peers.js';
import { runCommand, SERVER_CPU, sleep, startChild, tail } from './lib/proc.js';
import { fmt } from './lib/stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 50;
export const GOAL_RPS = 15_000;

export async function measureSimulator(ctx) {
  const durationS = ctx.quick ? 5 : 10;
  const servers = {};
  let plan = [];
  let how = null;
  if (!ctx.aoai.unavailable && ctx.aoai.commands.sim) {
    const flags = await simulatorFlags(ctx);
    how = `\`aoai-probe sim --port 0 ${flags.fast.join(' ')}\`; raised: adds \`${flags.raised.join(' ') || '(no limit flags found)'}\``;
    plan = [
      ['aoai-probe sim, default profile (mostly 429s)', ['node', aoaiBin(ctx.repoRoot), 'sim', '--port', '0', ...flags.fast]],
      ['aoai-probe sim, limits raised (all admitted)', ['node', aoaiBin(ctx.repoRoot), 'sim', '--port', '0', ...flags.fast, ...flags.raised]],
    ];
  } else if (!ctx.aoai.unavailable && existsSync(path.join(ctx.repoRoot, 'dist', 'sim', 'index.js'))) {
    // No `sim` command in this build yet: the same server through its module function.
    const script = path.join(here, 'peers', 'sim-module-server.js');
    const options = (simulator) => JSON.stringify({ repoRoot: ctx.repoRoot, simulator });
    how = '`startSimulator()` from dist/sim/index.js (this build has no `sim` command); raised: `{ tpm: 1e9, rpm: 1e9 }`';
    plan = [
      ['aoai-probe sim, default profile (mostly 429s)', ['node', script, options({})]],
      ['aoai-probe sim, limits raised (all admitted)', ['node', script, options({ tpm: 1e9, rpm: 1e9 })]],
    ];
  } else {
    servers['aoai-probe sim'] = { error: ctx.aoai.unavailable ? `aoai-probe unavailable: ${ctx.aoai.unavailable}` : 'this build has neither a `sim` command nor dist/sim/index.js' };
  }
  plan.push(['node:http, static JSON, no limiter', ['node', path.join(here, 'peers', 'node-http-server.js')]]);
  plan.push(['express 5, static JSON, no limiter', ['node', path.join(here, 'peers', 'express-server.js')]]);
  for (const [name, [command, ...args]] of plan) {
    ctx.log(`simulator: ${name}`);
    try {
      servers[name] = await serveAndLoad(ctx, command, args, durationS);
    } catch (error) {
      servers[name] = { error: String(error.message ?? error) };
      ctx.log(`  failed: ${servers[name].error.split('\n')[0]}`);
    }
    await sleep(500);
  }
  return { connections: CONNECTIONS, durationS, goal: GOAL_RPS, how, servers };
}

/**
 * Flags this build's `sim` understands (read from its --help): no artificial latency, and
 * limits high enough that every request is admitted.
 */
async function simulatorFlags(ctx) {
  const { stdout } = await runCommand('node', [aoaiBin(ctx.repoRoot), 'sim', '--help'], { cwd: ctx.repoRoot, timeoutMs: 30_000 });
  const fast = stdout.includes('--latency') ? ['--latency', '0ms'] : [];
  const raised = [];
  if (stdout.includes('--tpm')) raised.push('--tpm', '1000000000');
  if (stdout.includes('--rpm')) raised.push('--rpm', '1000000000');
  return { fast, raised };
}

/** Starts a server pinned to the server CPU, waits for its port, loads it with autocannon. */
async function serveAndLoad(ctx, command, args, durationS) {
  const { child, exited } = startChild(command, args, { cpu: SERVER_CPU, cwd: ctx.repoRoot });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port printed after 15 s: ${tail(output)}`)), 15_000);
      const check = () => {
        const match = output.match(/127\.0\.0\.1:(\d+)/) ?? output.match(/listening (\d+)/) ?? output.match(/port (\d+)/i);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      exited.then(() => { clearTimeout(timer); reject(new Error(`exited before listening: ${tail(output)}`)); });
    });
    const url = `http://127.0.0.1:${port}${REQUEST_PATH}?api-version=2024-10-21`;
    const result = await runAutocannon(url, ['-c', String(CONNECTIONS), '-d', String(durationS)], { timeoutMs: (durationS + 60) * 1000 });
    const total = result.requests.total;
    return {
      rate: total / durationS,
      total,
      ok2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      latencyP99Ms: result.latency?.p99 ?? null,
    };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/** Markdown for RESULTS.md. */
export function renderSimulator(result) {
  const lines = [
    `**Simulator throughput** — autocannon \`-c ${result.connections} -d ${result.durationS}\`, non-streaming chat completions, server on CPU 0, autocannon on CPU 1`,
    '',
    '| server | responses/s | 2xx | non-2xx | errors | latency p99 ms | goal ≥ ' + fmt(result.goal, 0) + '/s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [name, figures] of Object.entries(result.servers)) {
    if (figures.error) {
      lines.push(`| ${name} | failed: ${figures.error.split('\n')[0].replace(/\|/g, '/')} | | | | | |`);
      continue;
    }
    const verdict = name.startsWith('aoai-probe') ? (figures.rate >= result.goal ? 'met' : `not met (${fmt((figures.rate / result.goal) * 100, 0)} % of goal)`) : '—';
    lines.push(`| ${name} | ${fmt(figures.rate, 0)} | ${fmt(figures.ok2xx, 0)} | ${fmt(figures.non2xx, 0)} | ${fmt(figures.errors, 0)} | ${fmt(figures.latencyP99Ms, 0)} | ${verdict} |`);
  }
  if (result.how) lines.push('', `Simulator started as ${result.how}.`);
  return lines.join('\n');
}
