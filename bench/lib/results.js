/**
 * Turns one bench run's measurements into bench/RESULTS.md: the machine, the goals table
 * (ratios against the peers of the same run) with measured values and met / not met (by how much), every figure with the
 * peers beside it, how each was measured, and the hand-written notes (bench/NOTES.md)
 * on what was tried. Nothing here is a figure: every number comes from `results`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderBurst } from '../burst.js';
import { renderSteady } from '../steady.js';
import { renderThroughput } from '../throughput.js';
import { renderMemory } from '../memory.js';
import { renderReportSpeed } from '../report-speed.js';
import { renderSimulator } from '../simulator.js';
import { fmt, quantile } from './stats.js';

/** Median of the non-null numbers, or null. */
function median(values) {
  const clean = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  return clean.length ? quantile(clean, 0.5) : null;
}

/** "met" / "not met: X over (Y %)" for an upper bound; same for a lower bound. */
function verdict(value, goal, direction, unit, decimals) {
  if (value === null || value === undefined) return 'not measured';
  if (goal === null || goal === undefined) return 'no peer measured: no goal';
  const ok = direction === 'max' ? value <= goal : value >= goal;
  if (ok) return '**met**';
  const difference = Math.abs(value - goal);
  return `**not met**: ${fmt(difference, decimals)} ${unit} ${direction === 'max' ? 'over' : 'under'} (${fmt((value / goal) * 100, 0)} % of goal)`;
}

/**
 * The goals are ratios against peers measured in the same run, so a busy or a quiet
 * machine moves goal and figure alike. A goal made of several bounds is the tightest
 * of those measured; `parts` says where each bound came from.
 */
function peerGoal(bounds, unit, decimals, direction = 'max') {
  const measured = bounds.filter((bound) => typeof bound.value === 'number' && Number.isFinite(bound.value));
  if (measured.length === 0) return { value: null, text: `${bounds.map((bound) => bound.label).join(' and ')} (not measured)` };
  const pick = direction === 'max' ? Math.min : Math.max;
  const value = pick(...measured.map((bound) => bound.value));
  const sign = direction === 'max' ? '≤' : '≥';
  return { value, text: `${sign} ${fmt(value, decimals)}${unit.startsWith('/') ? '' : ' '}${unit} (${bounds.map((bound) => `${bound.label}${typeof bound.value === 'number' ? `: ${fmt(bound.value, decimals)}` : ': not measured'}`).join('; ')})` };
}

/** The aoai-probe client run with the non-default transport, if the run measured one. */
function otherTransport(clients) {
  const name = Object.keys(clients).find((client) => client.startsWith('aoai-probe --transport '));
  return name === undefined ? null : { name, flag: name.slice('aoai-probe '.length) };
}

function burstRow(results, size) {
  const clients = results.burst?.sizes?.[size] ?? {};
  const value = clients['aoai-probe']?.spread?.median ?? null;
  const peer = (name) => {
    const figures = clients[name];
    if (!figures || figures.error) return '—';
    return `${fmt(figures.spread.median, 1)} ms (${fmt(figures.spread.min, 1)}–${fmt(figures.spread.max, 1)})`;
  };
  const peerMedian = (name) => (clients[name] && !clients[name].error ? clients[name].spread.median : null);
  const floor = peerMedian('raw sockets');
  const goal = peerGoal([
    { label: 'plain undici', value: peerMedian('undici') },
    { label: '1.5× floor', value: floor === null ? null : 1.5 * floor },
  ], 'ms', 1);
  const ours = clients['aoai-probe'];
  const other = otherTransport(clients);
  let measured = ours && !ours.error ? `${fmt(value, 2)} ms (${fmt(ours.spread.min, 1)}–${fmt(ours.spread.max, 1)})` : ours?.error ? 'failed' : 'not measured';
  let outcome = verdict(value, goal.value, 'max', 'ms', 2);
  if (other !== null) {
    measured += `; \`${other.flag}\`: ${peer(other.name)}`;
    outcome = `default: ${outcome}; \`${other.flag}\`: ${verdict(peerMedian(other.name), goal.value, 'max', 'ms', 2)}`;
  }
  return [`burst ${size}, spread (median of trials)`, peer('undici'), peer('autocannon'), peer('raw sockets'), goal.text, measured, outcome];
}

function steadyRow(results) {
  const clients = results.steady?.clients ?? {};
  const runs = (name) => (clients[name]?.runs ?? []).filter((run) => !run.error);
  const peer = (name) => {
    const list = runs(name);
    if (list.length === 0) return '—';
    return `${list.map((run) => fmt(run.gapP99Ms, 2)).join(' / ')} ms; rate ${list.map((run) => fmt(run.achievedRate, 1)).join(' / ')}/s; max gap ${fmt(Math.max(...list.map((run) => run.gapMaxMs)), 0)} ms`;
  };
  const undiciP99 = median(runs('undici').map((run) => run.gapP99Ms));
  const gapGoal = peerGoal([
    { label: 'absolute', value: 1.2 },
    { label: '0.5× plain undici', value: undiciP99 === null ? null : 0.5 * undiciP99 },
  ], 'ms', 2);
  const figures = (name) => {
    const ours = runs(name);
    if (ours.length === 0) return { measured: (clients[name]?.runs ?? []).length > 0 ? 'failed' : 'not measured', outcome: 'not measured' };
    const gapP99 = median(ours.map((run) => run.gapP99Ms));
    const rateError = median(ours.map((run) => Math.abs(run.achievedRate - results.steady.rate) / results.steady.rate));
    return {
      measured: `gap p99 ${ours.map((run) => fmt(run.gapP99Ms, 2)).join(' / ')} ms; rate ${ours.map((run) => fmt(run.achievedRate, 1)).join(' / ')}/s; max gap ${fmt(Math.max(...ours.map((run) => run.gapMaxMs)), 1)} ms`,
      outcome: `gap: ${verdict(gapP99, gapGoal.value, 'max', 'ms', 2)}; rate: ${verdict(rateError * 100, 0.2, 'max', 'points of %', 2)}`,
    };
  };
  const ours = figures('aoai-probe');
  let measured = ours.measured;
  let outcome = ours.outcome;
  const other = otherTransport(clients);
  if (other !== null) {
    const alternative = figures(other.name);
    measured += `; \`${other.flag}\`: ${alternative.measured}`;
    outcome = `default: ${outcome}; \`${other.flag}\`: ${alternative.outcome}`;
  }
  return ['1000/s, gap p99 (median of runs), rate', peer('undici'), peer('autocannon'), 'httperf (busy-poll) ~1.0 ms, not run here', `gap p99 ${gapGoal.text}; rate within 0.2 %`, measured, outcome];
}

function throughputRow(results) {
  const clients = results.throughput?.clients ?? {};
  const peer = (name) => (clients[name] && !clients[name].error ? `${fmt(clients[name].rate, 0)}/s` : '—');
  const ours = clients['aoai-probe'];
  const value = ours?.saturation?.sentRate ?? null;
  const autocannon = clients.autocannon && !clients.autocannon.error ? clients.autocannon.rate : null;
  const goal = peerGoal([{ label: 'autocannon', value: autocannon }], '/s', 0, 'min');
  return [
    'max rate, all recorded (one client core; aoai-probe at saturation)',
    `${peer('undici')} (recording to a file)`,
    peer('autocannon'),
    'wrk ~100k/s (nginx-bound), not run here',
    goal.text,
    ours?.error ? 'failed' : ours ? `${fmt(value, 0)}/s sent and recorded; without drops: ${ours.rate === null ? `none (${ours.note ?? ''})` : `${fmt(ours.rate, 0)}/s`}` : 'not measured',
    verdict(value, goal.value, 'min', '/s', 0),
  ];
}

/** Growth of RSS after the first quarter of the run: highest sample − the sample at 25 %. */
function growthAfterQuarter(figures) {
  return figures?.curve ? figures.curve.maxSampled - figures.curve.at25 : null;
}

function memoryRow(results) {
  const clients = results.memory?.clients ?? {};
  const peer = (name) => {
    const figures = clients[name];
    if (!figures || figures.error) return '—';
    return `${fmt(figures.maxRssMb, 0)} MB (grew ${fmt(growthAfterQuarter(figures), 0)} MB after 25 %)`;
  };
  const streamed = clients['undici, results streamed to a file'];
  const peakGoal = peerGoal([{ label: '1.2× undici streamed', value: streamed && !streamed.error ? 1.2 * streamed.maxRssMb : null }], 'MB', 0);
  const ours = clients['aoai-probe'];
  let measured = 'not measured';
  let outcome = 'not measured';
  if (ours?.error) measured = 'failed';
  else if (ours) {
    const growth = growthAfterQuarter(ours);
    measured = `${fmt(ours.maxRssMb, 0)} MB max RSS; grew ${fmt(growth, 0)} MB after 25 % of the run; ${fmt(ours.recorded, 0)} requests`;
    outcome = `peak: ${verdict(ours.maxRssMb, peakGoal.value, 'max', 'MB', 0)}; flat: ${verdict(growth, 10, 'max', 'MB', 0)}`;
    if (ours.recorded < results.memory.requests) outcome += `; only ${fmt(ours.recorded, 0)} of ${fmt(results.memory.requests, 0)} requests sent`;
  }
  return [
    `memory, ${fmt(results.memory?.requests ?? 1_000_000, 0)} requests`,
    `${peer('undici, results in an array')} in an array; ${peer('undici, results streamed to a file')} streamed`,
    '—',
    '~100 MB process',
    `max RSS ${peakGoal.text}; ≤ +10 MB after the first quarter`,
    measured,
    outcome,
  ];
}

function reportRow(results) {
  const clients = results.report?.clients ?? {};
  const ours = clients['aoai-probe report --format json'];
  const floor = clients['node: readline + JSON.parse per line'];
  const value = ours && !ours.error ? ours.wallS.median : null;
  const floorS = floor && !floor.error ? floor.wallS.median : null;
  const goal = peerGoal([{ label: '1.2× readline + JSON.parse', value: floorS === null ? null : 1.2 * floorS }], 's', 2);
  return [
    `report, ${fmt(results.report?.lines ?? 1_000_000, 0)} lines (median wall)`,
    '—',
    '—',
    floorS !== null ? `readline + JSON.parse: ${fmt(floorS, 2)} s` : 'disk',
    goal.text,
    ours?.error ? 'failed' : value === null ? 'not measured' : `${fmt(value, 2)} s`,
    verdict(value, goal.value, 'max', 's', 2),
  ];
}

function simulatorRow(results) {
  const servers = results.simulator?.servers ?? {};
  const entries = Object.entries(servers).filter(([name, figures]) => name.startsWith('aoai-probe') && !figures.error);
  const express = servers['express 5, static JSON, no limiter'];
  const bare = servers['node:http, static JSON, no limiter'];
  const value = entries.length ? Math.min(...entries.map(([, figures]) => figures.rate)) : null;
  const goal = peerGoal([{ label: '0.6× bare node:http', value: bare && !bare.error ? 0.6 * bare.rate : null }], '/s', 0, 'min');
  return [
    'simulator, non-streaming req/s (slower of its two configurations)',
    '—',
    express && !express.error ? `express 5 (no limiter): ${fmt(express.rate, 0)}/s` : '—',
    bare && !bare.error ? `node:http (no limiter): ${fmt(bare.rate, 0)}/s` : '—',
    goal.text,
    entries.length ? entries.map(([name, figures]) => `${fmt(figures.rate, 0)}/s ${name.replace('aoai-probe sim, ', '')}`).join('; ') : Object.keys(servers).some((name) => name.startsWith('aoai-probe')) ? 'failed' : 'not measured',
    verdict(value, goal.value, 'min', '/s', 0),
  ];
}

function table(header, rows) {
  const escape = (cell) => String(cell).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

function machineSection(run) {
  const m = run.machine;
  return table(['what', 'value'], [
    ['date', run.startedAt],
    ['CPU', `${m.cpuModel}, ${m.cores} cores available`],
    ['memory', `${fmt(m.memoryGb, 1)} GiB`],
    ['OS / kernel', `${m.os ?? '—'} / ${m.kernel}`],
    ['Node', m.node],
    ['undici', m.undici],
    ['autocannon', m.autocannon],
    ['nginx', m.nginx ?? '—'],
    ['tcpdump', m.tcpdump ?? '—'],
    ['pinning', m.pinned ? 'clients `taskset -c 1`; nginx worker, tcpdump and servers under test on CPU 0' : 'none (taskset missing or one CPU)'],
    ['load average at start (1/5/15 min)', m.loadAverageAtStart.join(' / ')],
    ['bench wall time', `${fmt(run.wallSeconds, 0)} s`],
    ['aoai-probe build', run.aoai.unavailable ? `unavailable: ${run.aoai.unavailable}` : `commands present: ${Object.entries(run.aoai.commands).filter(([, ok]) => ok).map(([name]) => name).join(', ') || 'none'}${run.aoai.buildWarnings ? ' (tsc reported type errors; measured the emitted JavaScript)' : ''}`],
  ]);
}

function sectionOrError(title, result, render) {
  if (!result) return `## ${title}\n\nNot measured in this run.\n`;
  if (result.error) return `## ${title}\n\nThe measurement failed:\n\n\`\`\`\n${result.error.split('\n').slice(0, 8).join('\n')}\n\`\`\`\n`;
  return `## ${title}\n\n${render(result)}\n`;
}

const METHOD = `## How each figure was measured

- **Target**: nginx (generated config in \`bench/out/latest/nginx/\`), one worker pinned to CPU 0, \`keepalive_requests\` 100,000,000, \`return 200\` with a static chat-completion JSON and \`x-ratelimit-remaining-*\` headers. One listener writes a buffered access log with \`$msec\` (bursts, steady runs: a 1 ms cross-check); one has no log (throughput, memory). Loopback only, HTTP/1.1, no TLS.
- **Clients** run pinned to CPU 1 (\`taskset -c 1\`), one process at a time; tcpdump shares CPU 0 with nginx.
- **Wire timing** (bursts, steady): \`tcpdump -i lo -nn --immediate-mode --time-stamp-precision=nano\` captures only TCP segments to the nginx port whose payload starts with \`POST\` (the first segment of each request); the capture is decoded with \`tcpdump -r -tt -A\` and split per trial by the \`?tag=\` each request carries. On loopback a segment is timestamped when the client transmits it, so this measures client dispatch, not nginx. Kernel drop counts are kept in \`bench/out/latest/results.json\`.
- **Burst spread**: first to last request segment of one burst. aoai-probe: \`aoai-probe burst --size N --bursts 3 --gap 500ms --max-in-flight 2N\` (its transport opens the connections before the first burst), two processes; every burst counts. undici: \`Pool({connections: N})\` warmed with N concurrent requests, then 3 bursts of N \`pool.request\` + body, 500 ms apart, two processes. raw sockets: N \`net.Socket\`s warmed by one request each, then one pre-serialised request written per socket in one synchronous loop (the Node floor). autocannon \`-c N -a N\`: one cold process per trial (it cannot reuse connections across runs).
- **Steady 1000/s for 5 s**: achieved rate = (requests − 1) / (last − first arrival); gaps between consecutive arrivals; "gaps < ¼ period" counts clumps; |dev from grid| = |arrival_k − (arrival_0 + k/rate)| after removing its median. aoai-probe: \`steady --rate 1000/s --duration 5s --max-in-flight 200\`, with its default transport (lean HTTP/1.1 for a direct target) and with \`--transport undici\` (the one kept for proxies and Entra ID). undici: open loop, \`setTimeout\` to the next due time then send everything due, 50 warm connections. autocannon \`-R 1000 -c 10 -d 5\`.
- **Max rate, all recorded**: aoai-probe is open loop (a request that finds 50 in flight is recorded as dropped, never queued), so two figures: at saturation — \`steady\` offered 1.25× the best rate it sent during the search, for the full duration, counting requests sent and recorded per second (the goal's verdict; comparable with the closed-loop peers) — and without drops — the highest rate of a rising search of short runs that was sent on time with ≥ 99 % of planned requests recorded, ≤ 1 % dropped, sent at ≥ 98 % of the rate, all 200, confirmed by one full-length run. Peers: closed loops with 50 in flight, best of two runs. Client CPU from /proc/PID/stat.
- **Memory**: \`/usr/bin/time -v\` maximum resident set size of the client process, plus RSS sampled from /proc every 500 ms (the "25 % / 50 % / end" columns). "Flat" = the highest sampled RSS no more than 10 % of the peak above the RSS at a quarter of the run (the process's whole life is sampled, the final analysis of the recording included).
- **Report**: \`/usr/bin/time -v node bin/aoai-probe.js report FILE --format json\`, wall time as seen by the bench (process start to exit), pinned.
- **Simulator**: \`aoai-probe sim --port 0\` pinned to CPU 0, autocannon \`-c 50\` POSTing the bench's chat request from CPU 1; responses/s = all answers (200 and 429) / duration.
- **Goals** are ratios against the peers of the same run (the goals table says which peer and what it measured); the "floor" entries marked "not run here" are reference figures from earlier measurements on this kind of machine and set no goal.
`;

/** The whole RESULTS.md for one run. */
export function renderResults({ run, results, benchDir }) {
  const notesPath = path.join(benchDir, 'NOTES.md');
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8').trim() : 'No notes.';
  const goals = [
    burstRow(results, 100),
    burstRow(results, 500),
    steadyRow(results),
    throughputRow(results),
    memoryRow(results),
    reportRow(results),
    simulatorRow(results),
  ];
  const partial = run.quick || run.only ? `\n> **Partial run** (${[run.quick ? '--quick' : null, run.only ? `--only ${run.only.join(',')}` : null].filter(Boolean).join(' ')}): not the committed results.\n` : '';
  return `# aoai-probe benchmark results

Generated by \`npm run bench\` (bench/run.js) on ${run.startedAt}. Every figure below was measured in that run;
nothing is written by hand except the notes at the end. Loopback only, against a local nginx.
${partial}
## Machine

${machineSection(run)}

## Goals: the default path against its peers

Every goal is a ratio against peers measured in this run (so a busy machine moves goal and figure alike): bursts no wider than plain undici's and than 1.5× the raw-socket floor; steady 1000/s within 0.2 % of the rate with a gap p99 ≤ 1.2 ms and ≤ half of plain undici's timer loop; the max recorded rate at least autocannon's (which records nothing per request); 1M requests in ≤ 1.2× the max RSS of plain undici streaming its results to a file, growing ≤ 10 MB after the first quarter; \`report\` within 1.2× of readline + JSON.parse; the simulator at ≥ 0.6× a bare node:http server. Peer columns: this run's measurements of the same scenario (median, with min–max of trials where there are several).

${table(['figure', 'plain undici', 'autocannon', 'floor', 'goal', 'aoai-probe', 'verdict'], goals)}

${sectionOrError('Burst precision', results.burst, renderBurst)}
${sectionOrError('Steady-rate precision', results.steady, renderSteady)}
${sectionOrError('Throughput with every request recorded', results.throughput, renderThroughput)}
${sectionOrError('Memory', results.memory, renderMemory)}
${sectionOrError('Report speed', results.report, renderReportSpeed)}
${sectionOrError('Simulator throughput', results.simulator, renderSimulator)}
${METHOD}
## What was tried (bench/NOTES.md)

${notes}
`;
}
