/**
 * Peak memory over 1,000,000 requests against nginx (client pinned, 50 in flight).
 * Figures: max RSS from `/usr/bin/time -v`, and RSS sampled from /proc every 500 ms to
 * show whether it stays flat (RSS at 25 % of the run vs at the end).
 *
 * aoai-probe: `steady --rate R --duration 1e6/R s --max-in-flight 50 --record FILE`, R
 * being 90 % of the rate the throughput measurement found sustainable (so the run is
 * 1M requests, not 1M drops), capped so the run stays under MAX_SECONDS.
 * Peers: plain undici closed loops over 1M requests, keeping every result in an array
 * (the common way, grows with results) and streaming each to a file.
 *
 * The 1M-line recording it leaves behind is the input of report-speed.js.
 */
import path from 'node:path';
import { runScenario, scenarioRoute } from './lib/aoai.js';
import { requestOptions, runPeer } from './lib/peers.js';
import { readRecordingCounts } from './lib/recording.js';
import { CLIENT_CPU, maxRssFromTime, sampleProcess, sleep } from './lib/proc.js';
import { fmt, quantile } from './lib/stats.js';

const IN_FLIGHT = 50;
const MAX_SECONDS = 150;
/** Rate used when the throughput measurement did not run (or found nothing sustainable). */
const FALLBACK_RATE = 20_000;

export async function measureMemory(ctx) {
  const requests = ctx.quick ? 200_000 : 1_000_000;
  const clients = {};
  const plan = [
    ['aoai-probe', () => aoaiMemory(ctx, requests)],
    ['undici, results in an array', () => undiciMemory(ctx, requests, { keepInMemory: true })],
    ['undici, results streamed to a file', () => undiciMemory(ctx, requests, { recordFile: path.join(ctx.outDir, 'memory-undici.ndjson') })],
  ];
  for (const [client, measure] of plan) {
    ctx.log(`memory: ${client}`);
    try {
      clients[client] = await measure();
    } catch (error) {
      clients[client] = { error: String(error.message ?? error) };
      ctx.log(`  failed: ${clients[client].error.split('\n')[0]}`);
    }
    await sleep(500);
  }
  return { requests, inFlight: IN_FLIGHT, clients };
}

/** RSS growth over the run: sampled RSS at 25 %, 50 % and 100 % of the run's duration. */
function curve(samples) {
  if (samples.length < 4) return null;
  const end = samples[samples.length - 1].tMs;
  const at = (share) => samples.find((sample) => sample.tMs >= end * share)?.rssMb ?? null;
  return {
    at25: at(0.25),
    at50: at(0.5),
    at100: samples[samples.length - 1].rssMb,
    maxSampled: Math.max(...samples.map((sample) => sample.rssMb)),
    p50Sampled: quantile(samples.map((sample) => sample.rssMb), 0.5),
  };
}

async function aoaiMemory(ctx, requests) {
  if (!scenarioRoute(ctx, 'steady')) throw new Error('this build of aoai-probe can run no steady scenario');
  const found = ctx.shared.aoaiMaxRate ?? null;
  let rate = found ? Math.floor((found * 0.9) / 1000) * 1000 : FALLBACK_RATE;
  rate = Math.max(rate, Math.ceil(requests / MAX_SECONDS));
  const durationS = Math.ceil(requests / rate);
  const recording = path.join(ctx.outDir, 'memory-aoai.ndjson');
  let sampler = null;
  const scenario = {
    kind: 'steady', rate, durationS, maxInFlight: IN_FLIGHT,
    url: ctx.nginx.url(ctx.nginx.plainPort), record: recording,
  };
  const { output, via } = await runScenario(ctx, scenario, {
    cpu: CLIENT_CPU,
    wrapper: ['/usr/bin/time', '-v'],
    timeoutMs: (durationS + 120) * 1000,
    onStart: (child) => { sampler = sampleProcess(child.pid, 500); },
  });
  const samples = sampler.stop();
  const counts = await readRecordingCounts(recording);
  ctx.shared.millionLineRecording = recording;
  return {
    rate,
    rateSource: found ? `90 % of ${fmt(found, 0)}/s from the throughput measurement (its rate without drops, or 80 % of the best rate it sent), at least ${fmt(Math.ceil(requests / MAX_SECONDS), 0)}/s to stay within ${MAX_SECONDS} s` : `fallback ${FALLBACK_RATE}/s (throughput not measured)`,
    durationS,
    recorded: counts.requests,
    dropped: counts.dropped,
    ok: counts.ok,
    maxRssMb: maxRssFromTime(output.stderr),
    curve: curve(samples),
    wallS: output.wallMs / 1000,
    via,
  };
}

async function undiciMemory(ctx, requests, storage) {
  let sampler = null;
  const result = await runPeer('undici-max', {
    ...requestOptions(ctx.nginx.plainPort),
    inFlight: IN_FLIGHT,
    maxRequests: requests,
    ...storage,
  }, {
    wrapper: ['/usr/bin/time', '-v'],
    timeoutMs: 300_000,
    onStart: (child) => { sampler = sampleProcess(child.pid, 500); },
  });
  return {
    rate: result.rate,
    recorded: result.completed,
    ok: result.ok,
    maxRssMb: maxRssFromTime(result.stderr),
    curve: curve(sampler.stop()),
    wallS: result.wallMs / 1000,
  };
}

/** Markdown for RESULTS.md. */
export function renderMemory(result) {
  const ours = result.clients['aoai-probe'];
  const lines = [
    `**Peak memory over ${fmt(result.requests, 0)} requests** — ${result.inFlight} in flight, max RSS from \`/usr/bin/time -v\`, RSS sampled every 500 ms`,
    '',
    '| client | requests done | rate /s | max RSS MB | RSS at 25 % / 50 % / end of run, MB | growth after 25 % (highest sample − 25 %) | aoai-probe ÷ client (max RSS) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [client, figures] of Object.entries(result.clients)) {
    if (figures.error) {
      lines.push(`| ${client} | failed: ${figures.error.split('\n')[0].replace(/\|/g, '/')} | | | | | |`);
      continue;
    }
    const growth = figures.curve?.at25 ? figures.curve.maxSampled - figures.curve.at25 : null;
    const ratio = client !== 'aoai-probe' && ours?.maxRssMb && figures.maxRssMb ? fmt(ours.maxRssMb / figures.maxRssMb, 2) : '—';
    lines.push(`| ${client}${figures.via === 'modules' ? ' (via its modules: no steady command in this build)' : ''} | ${fmt(figures.recorded, 0)}${figures.dropped ? ` (+${fmt(figures.dropped, 0)} dropped)` : ''} | ${fmt(figures.rate, 0)} | ${fmt(figures.maxRssMb, 0)} | ${fmt(figures.curve?.at25, 0)} / ${fmt(figures.curve?.at50, 0)} / ${fmt(figures.curve?.at100, 0)} | ${growth === null ? '—' : `${growth >= 0 ? '+' : ''}${fmt(growth, 0)} MB`} | ${ratio} |`);
  }
  if (ours && !ours.error) lines.push('', `aoai-probe ran \`steady --rate ${ours.rate}/s --duration ${ours.durationS}s --max-in-flight ${result.inFlight}\` (rate: ${ours.rateSource}).`);
  return lines.join('\n');
}
