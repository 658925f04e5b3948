/**
 * Steady-rate precision: 1000 requests/s for 5 s, open loop. Figures from the wire
 * (tcpdump on `lo`): achieved rate, p50/p99/max of inter-arrival gaps, the share of
 * clumped gaps (< ¼ of the period) and the p99 of |deviation from the grid|.
 *
 * Clients: aoai-probe (`steady --rate 1000/s --duration 5s`, with its default transport and
 * with `--transport undici`, the one it keeps for proxies), a plain undici open-loop
 * scheduler (setTimeout with catch-up, 50 warm connections) and autocannon
 * (`-R 1000 -c 10 -d 5`, which spends each second's quota at the start of the second).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { readCapture, startCapture, tagOf } from './lib/capture.js';
import { runScenario } from './lib/aoai.js';
import { requestOptions, runAutocannon, runPeer } from './lib/peers.js';
import { CLIENT_CPU, sampleProcess, sleep } from './lib/proc.js';
import { cpuShare, fmt, steadyFigures } from './lib/stats.js';

export const RATE = 1000;
export const DURATION_S = 5;

/** Measures each client once (twice for aoai-probe unless --quick). */
export async function measureSteady(ctx) {
  const runs = ctx.quick ? 1 : 2;
  const clients = {};
  const plan = [
    ['aoai-probe', (run) => aoaiSteady(ctx, run)],
    ['aoai-probe --transport undici', (run) => aoaiSteady(ctx, run, 'undici')],
    ['undici', (run) => undiciSteady(ctx, run)],
    ['autocannon', (run) => autocannonSteady(ctx, run)],
  ];
  for (const [client, measure] of plan) {
    clients[client] = { runs: [] };
    for (let run = 1; run <= (client === 'autocannon' ? 1 : runs); run += 1) {
      ctx.log(`steady ${RATE}/s: ${client} (run ${run})`);
      try {
        clients[client].runs.push(await measure(run));
      } catch (error) {
        clients[client].runs.push({ error: String(error.message ?? error) });
        ctx.log(`  failed: ${String(error.message ?? error).split('\n')[0]}`);
      }
      await sleep(300);
    }
  }
  return { rate: RATE, durationS: DURATION_S, clients };
}

/** Runs `run` under a capture of request segments; returns the sorted times with tag `tag`. */
async function wireTimes(ctx, name, tag, run) {
  const capture = await startCapture({ port: ctx.nginx.loggedPort, file: path.join(ctx.outDir, `${name}.pcap`) });
  let runResult;
  let stats;
  try {
    runResult = await run();
  } finally {
    stats = await capture.stop();
  }
  const segments = await readCapture(capture.file);
  const times = segments.filter((segment) => tagOf(segment.target) === tag).map((segment) => segment.tMs);
  return { times, droppedByKernel: stats.droppedByKernel, runResult };
}

function sampled(ctx) {
  let sampler = null;
  return {
    onStart: (child) => { sampler = sampleProcess(child.pid, 200); },
    cpu: () => (sampler ? cpuShare(sampler.stop()) : null),
  };
}

async function aoaiSteady(ctx, run, cliTransport) {
  const tag = `aoai${cliTransport ? `-${cliTransport}` : ''}-steady-${run}`;
  const recording = path.join(ctx.outDir, `steady-${tag}.ndjson`);
  const scenario = {
    kind: 'steady', rate: RATE, durationS: DURATION_S, maxInFlight: 200,
    url: ctx.nginx.url(ctx.nginx.loggedPort, tag), record: recording,
  };
  const probe = sampled(ctx);
  const { times, droppedByKernel, runResult } = await wireTimes(ctx, `steady-${tag}`, tag, () =>
    runScenario(ctx, scenario, { cpu: CLIENT_CPU, timeoutMs: 60_000, onStart: probe.onStart, cliTransport }),
  );
  const clientCpu = probe.cpu();
  const requestLines = readFileSync(recording, 'utf8').split('\n').filter((line) => line.includes('"type":"request"')).length;
  // Any extra POSTs before the run proper (a warm-up, if prepare() sends one) are set aside.
  const extra = Math.max(0, times.length - requestLines);
  return {
    ...steadyFigures(times.slice(extra), RATE),
    extraSegments: extra,
    recorded: requestLines,
    droppedByKernel,
    clientCpu,
    ownSchedule: runResult.summary?.schedule ?? null,
    via: runResult.via,
  };
}

async function undiciSteady(ctx, run) {
  const tag = `undici-steady-${run}`;
  const probe = sampled(ctx);
  const { times, droppedByKernel } = await wireTimes(ctx, `steady-${tag}`, tag, () =>
    runPeer('undici-steady', { ...requestOptions(ctx.nginx.loggedPort), rate: RATE, durationMs: DURATION_S * 1000, connections: 50, tag }, {
      timeoutMs: 60_000,
      onStart: probe.onStart,
    }),
  );
  return { ...steadyFigures(times, RATE), droppedByKernel, clientCpu: probe.cpu() };
}

async function autocannonSteady(ctx, run) {
  const tag = `autocannon-steady-${run}`;
  const probe = sampled(ctx);
  const { times, droppedByKernel } = await wireTimes(ctx, `steady-${tag}`, tag, () =>
    runAutocannon(ctx.nginx.url(ctx.nginx.loggedPort, tag), ['-R', String(RATE), '-c', '10', '-d', String(DURATION_S)], {
      timeoutMs: 60_000,
      onStart: probe.onStart,
    }),
  );
  return { ...steadyFigures(times, RATE), droppedByKernel, clientCpu: probe.cpu() };
}

/** Markdown for RESULTS.md. */
export function renderSteady(result) {
  const lines = [
    `**${fmt(result.rate, 0)} requests/s for ${result.durationS} s** — inter-arrival gaps on the wire (ms)`,
    '',
    '| client | run | requests | achieved rate /s | rate error | gap p50 | gap p99 | gap max | gaps < ¼ period | \\|dev from grid\\| p99 | client CPU |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [client, { runs }] of Object.entries(result.clients)) {
    runs.forEach((figures, index) => {
      if (figures.error) {
        lines.push(`| ${client} | ${index + 1} | failed: ${figures.error.split('\n')[0].replace(/\|/g, '/')} | | | | | | | | |`);
        return;
      }
      const rateError = ((figures.achievedRate - result.rate) / result.rate) * 100;
      lines.push(`| ${client}${figures.via === 'modules' ? ' (via its modules: no steady command in this build)' : ''} | ${index + 1} | ${figures.requests} | ${fmt(figures.achievedRate, 1)} | ${rateError >= 0 ? '+' : '−'}${fmt(Math.abs(rateError), 2)} % | ${fmt(figures.gapP50Ms, 3)} | ${fmt(figures.gapP99Ms, 3)} | ${fmt(figures.gapMaxMs, 2)} | ${fmt(figures.shortGapShare * 100, 1)} % | ${fmt(figures.gridDeviationP99Ms, 2)} | ${figures.clientCpu === null ? '—' : `${fmt(figures.clientCpu * 100, 0)} %`} |`);
    });
  }
  return lines.join('\n');
}
