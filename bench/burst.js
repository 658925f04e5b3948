/**
 * Burst precision: N requests meant for the same instant, on pre-opened connections.
 * Figure: the spread on the wire, first to last request segment of a burst (tcpdump on
 * `lo`), per trial; nginx's `$msec` log gives a 1 ms-resolution cross-check.
 *
 * Clients: aoai-probe (`burst --size N --bursts K`, its transport pre-opens the
 * connections), a plain undici Pool warmed with N concurrent requests, autocannon
 * (`-c N -a N`, cold: it always opens its own connections) and raw net.Sockets (the Node
 * floor: pre-serialised bytes written in one loop).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { readCapture, startCapture, tagOf } from './lib/capture.js';
import { runScenario } from './lib/aoai.js';
import { requestOptions, runAutocannon, runPeer } from './lib/peers.js';
import { CLIENT_CPU, sleep } from './lib/proc.js';
import { fmt, minMedianMax, spread } from './lib/stats.js';

/** Burst sizes of the goals table. */
export const SIZES = [100, 500];

/**
 * Measures every client at every size. Returns
 * `{ sizes: { [N]: { [client]: { trials: [...], spread: {min,median,max,n}, error? } } } }`.
 */
export async function measureBurst(ctx) {
  const { trials, processes, autocannonProcesses } = ctx.quick
    ? { trials: 2, processes: 1, autocannonProcesses: 2 }
    : { trials: 3, processes: 2, autocannonProcesses: 5 };
  const sizes = {};
  for (const size of SIZES) {
    sizes[size] = {};
    const clients = [
      ['aoai-probe', () => aoaiBurst(ctx, size, trials, processes)],
      ['aoai-probe --transport undici', () => aoaiBurst(ctx, size, trials, processes, 'undici')],
      ['undici', () => undiciBurst(ctx, 'undici-burst', size, trials, processes)],
      ['autocannon', () => autocannonBurst(ctx, size, autocannonProcesses)],
      ['raw sockets', () => undiciBurst(ctx, 'raw-burst', size, trials, 1)],
    ];
    for (const [client, measure] of clients) {
      ctx.log(`burst ${size}: ${client}`);
      try {
        sizes[size][client] = await measure();
      } catch (error) {
        sizes[size][client] = { error: String(error.message ?? error) };
        ctx.log(`  failed: ${sizes[size][client].error.split('\n')[0]}`);
      }
      await sleep(200);
    }
  }
  return { sizes };
}

/** Captures the wire while `run` executes; returns the request segments and the drop count. */
async function captured(ctx, name, run) {
  const capture = await startCapture({ port: ctx.nginx.loggedPort, file: path.join(ctx.outDir, `${name}.pcap`) });
  let runResult;
  let stats;
  try {
    runResult = await run();
  } finally {
    stats = await capture.stop();
  }
  const segments = await readCapture(capture.file);
  return { segments, dropped: stats.droppedByKernel, runResult };
}

/** One trial's figures from its wire segments and its access-log entries. */
function trialFigures(segments, logEntries) {
  return {
    requests: segments.length,
    connections: new Set(segments.map((segment) => segment.srcPort)).size,
    spreadMs: spread(segments.map((segment) => segment.tMs)),
    nginxSpreadMs: logEntries.length > 0 ? spread(logEntries.map((entry) => entry.arrivalMs)) : null,
  };
}

/** Access-log entries whose query tag is `tag`. */
function logFor(ctx, tag) {
  return ctx.nginx.readAccessLog().filter((entry) => new URLSearchParams(entry.args).get('tag') === tag);
}

function summarise(trials, dropped, extra = {}) {
  return { trials, spread: minMedianMax(trials.map((trial) => trial.spreadMs)), droppedByKernel: dropped, ...extra };
}

/** Peers that tag each trial (`<prefix>-<trial>`): plain undici and raw sockets. */
async function undiciBurst(ctx, peer, size, trials, processes) {
  const all = [];
  let dropped = 0;
  for (let process = 1; process <= processes; process += 1) {
    const tagPrefix = `${peer}-${size}-p${process}`;
    const { segments, dropped: lost } = await captured(ctx, `burst-${tagPrefix}`, () =>
      runPeer(peer, { ...requestOptions(ctx.nginx.loggedPort), size, trials, pauseMs: 500, tagPrefix }, { timeoutMs: 60_000 }),
    );
    dropped += lost ?? 0;
    await ctx.nginx.flushLog();
    for (let trial = 1; trial <= trials; trial += 1) {
      const tag = `${tagPrefix}-${trial}`;
      all.push({ tag, ...trialFigures(segments.filter((segment) => tagOf(segment.target) === tag), logFor(ctx, tag)) });
    }
  }
  return summarise(all, dropped);
}

/** autocannon: one cold process per trial (`-c N -a N`), tagged per process. */
async function autocannonBurst(ctx, size, processes) {
  const all = [];
  let dropped = 0;
  for (let process = 1; process <= processes; process += 1) {
    const tag = `autocannon-${size}-p${process}`;
    const { segments, dropped: lost } = await captured(ctx, `burst-${tag}`, () =>
      runAutocannon(ctx.nginx.url(ctx.nginx.loggedPort, tag), ['-c', String(size), '-a', String(size)], { timeoutMs: 60_000 }),
    );
    dropped += lost ?? 0;
    await ctx.nginx.flushLog();
    all.push({ tag, ...trialFigures(segments.filter((segment) => tagOf(segment.target) === tag), logFor(ctx, tag)) });
  }
  return summarise(all, dropped, { note: 'cold: autocannon opens its connections at start' });
}

/**
 * aoai-probe through its CLI: `burst --size N --bursts K --gap 500ms`, all requests tagged
 * per process. The bursts are cut from the time-ordered segments in chunks of N (bursts
 * are 500 ms apart and each lasts well under that); any leading extra segments (a warm-up
 * POST, if the transport's prepare() sends one) are set aside and reported.
 */
async function aoaiBurst(ctx, size, trials, processes, cliTransport) {
  const all = [];
  let dropped = 0;
  const ownSpreads = [];
  let extraSegments = 0;
  let via = null;
  for (let process = 1; process <= processes; process += 1) {
    const tag = `aoai${cliTransport ? `-${cliTransport}` : ''}-${size}-p${process}`;
    const recording = path.join(ctx.outDir, `burst-${tag}.ndjson`);
    const scenario = {
      kind: 'burst', size, bursts: trials, gapMs: 500, maxInFlight: size * 2,
      url: ctx.nginx.url(ctx.nginx.loggedPort, tag), record: recording,
    };
    const { segments, dropped: lost, runResult } = await captured(ctx, `burst-${tag}`, () =>
      runScenario(ctx, scenario, { cpu: CLIENT_CPU, timeoutMs: 90_000, cliTransport }),
    );
    via = runResult.via;
    dropped += lost ?? 0;
    const ownSpread = runResult.summary?.schedule?.sendSpreadMs;
    if (typeof ownSpread === 'number') ownSpreads.push(ownSpread);
    const mine = segments.filter((segment) => tagOf(segment.target) === tag);
    const requestLines = readFileSync(recording, 'utf8').split('\n').filter((line) => line.includes('"type":"request"')).length;
    const extra = mine.length - size * trials;
    if (extra < 0) throw new Error(`only ${mine.length} request segments on the wire for ${trials} bursts of ${size} (${requestLines} request lines recorded)`);
    extraSegments += extra;
    await ctx.nginx.flushLog();
    const logged = logFor(ctx, tag).sort((a, b) => a.arrivalMs - b.arrivalMs).slice(extra);
    const measured = mine.slice(extra);
    for (let trial = 0; trial < trials; trial += 1) {
      all.push({
        tag: `${tag}-burst${trial + 1}`,
        ...trialFigures(measured.slice(trial * size, (trial + 1) * size), logged.slice(trial * size, (trial + 1) * size)),
      });
    }
  }
  return summarise(all, dropped, { ownSendSpreadMs: ownSpreads, extraSegments, via });
}

/** Markdown for RESULTS.md: one table per size, aoai-probe beside each peer. */
export function renderBurst(result) {
  const lines = [];
  for (const size of SIZES) {
    const clients = result.sizes[size] ?? {};
    lines.push(`**Burst of ${size}** — wire spread, first to last request segment (ms)`, '');
    lines.push('| client | trials | min | median | max | nginx $msec median | all requests seen | aoai-probe ÷ client (median) |');
    lines.push('|---|---|---|---|---|---|---|---|');
    const ours = clients['aoai-probe']?.spread?.median ?? null;
    for (const [client, figures] of Object.entries(clients)) {
      if (figures.error) {
        lines.push(`| ${client} | failed: ${figures.error.split('\n')[0].replace(/\|/g, '/')} | | | | | | |`);
        continue;
      }
      const nginx = minMedianMax(figures.trials.map((trial) => trial.nginxSpreadMs));
      const complete = figures.trials.every((trial) => trial.requests === size && trial.connections === size);
      const ratio = ours !== null && figures.spread.median ? ours / figures.spread.median : null;
      const label = `${client}${figures.via === 'modules' ? ' (via its modules: no burst command in this build)' : ''}${figures.note ? ` (${figures.note})` : ''}`;
      lines.push(`| ${label} | ${figures.spread.n} | ${fmt(figures.spread.min, 2)} | ${fmt(figures.spread.median, 2)} | ${fmt(figures.spread.max, 2)} | ${fmt(nginx.median, 0)} | ${complete ? 'yes' : 'no: ' + figures.trials.map((trial) => `${trial.requests}/${trial.connections}`).join(', ')} | ${client === 'aoai-probe' ? '—' : fmt(ratio, 2)} |`);
    }
    const ours2 = clients['aoai-probe'];
    if (ours2 && !ours2.error) {
      lines.push('', `aoai-probe trials (ms): ${ours2.trials.map((trial) => fmt(trial.spreadMs, 2)).join(', ')}; its own summary's \`schedule.sendSpreadMs\`: ${ours2.ownSendSpreadMs.map((value) => fmt(value, 2)).join(', ') || '—'}${ours2.extraSegments ? `; ${ours2.extraSegments} extra POST segment(s) before the bursts set aside` : ''}.`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
