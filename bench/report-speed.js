/**
 * `aoai-probe report` on a 1,000,000-line recording: wall time (and max RSS) of the real
 * CLI, `report FILE --format json`, client pinned. The recording is the one memory.js
 * just made against nginx when it holds 1M requests; otherwise a synthetic one
 * (lib/synth-recording.js) of the same size.
 *
 * Floors beside it: `wc -l` (reading the file at all) and plain Node reading every line
 * and JSON.parse-ing it (the least any JavaScript analysis of NDJSON costs).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readRecordingCounts } from './lib/recording.js';
import { writeSyntheticRecording } from './lib/synth-recording.js';
import { CLIENT_CPU, maxRssFromTime, runCommand, sleep } from './lib/proc.js';
import { fmt, minMedianMax } from './lib/stats.js';

export async function measureReportSpeed(ctx) {
  const lines = ctx.quick ? 200_000 : 1_000_000;
  const runs = ctx.quick ? 1 : 2;
  let file = ctx.shared.millionLineRecording ?? null;
  let source = 'the recording memory.js made against nginx';
  const counts = file ? await readRecordingCounts(file) : null;
  if (!file || counts.requests + counts.dropped < lines) {
    file = path.join(ctx.outDir, 'report-synthetic.ndjson');
    ctx.log(`report: writing a synthetic ${fmt(lines, 0)}-line recording`);
    await writeSyntheticRecording(file, lines);
    source = 'synthetic (lib/synth-recording.js): 1000/s against a 500-per-10-s window, so 95 % of lines are 429s';
  }
  const recordingLines = counts && source.startsWith('the recording') ? counts.requests + counts.dropped : lines;
  const sizeMb = statSync(file).size / 2 ** 20;
  const clients = {};

  const timed = async (name, command, args, options = {}) => {
    const walls = [];
    const rss = [];
    for (let run = 1; run <= runs; run += 1) {
      ctx.log(`report: ${name} (run ${run})`);
      const output = await runCommand('/usr/bin/time', ['-v', command, ...args], { cpu: CLIENT_CPU, timeoutMs: 120_000, ...options });
      walls.push(output.wallMs / 1000);
      rss.push(maxRssFromTime(output.stderr));
      await sleep(200);
    }
    return { wallS: minMedianMax(walls), maxRssMb: Math.max(...rss.filter((value) => value !== null)) };
  };

  const ours = 'aoai-probe report --format json';
  try {
    if (ctx.aoai.unavailable) throw new Error(`aoai-probe unavailable: ${ctx.aoai.unavailable}`);
    if (ctx.aoai.commands.report) {
      clients[ours] = await timed('aoai-probe', 'node', [path.join(ctx.repoRoot, 'bin', 'aoai-probe.js'), 'report', file, '--format', 'json'], { cwd: ctx.repoRoot });
      clients[ours].via = 'cli';
    } else if (existsSync(path.join(ctx.repoRoot, 'dist', 'analysis', 'summarise.js'))) {
      // No `report` command in this build yet: the same reader and analysis through their modules.
      clients[ours] = await timed('aoai-probe modules', 'node', [path.join(ctx.benchDir, 'prototypes', 'module-report.js'), ctx.repoRoot, file], { cwd: ctx.repoRoot });
      clients[ours].via = 'modules (readRecording → analyseLines; no report command in this build)';
    } else {
      throw new Error('this build of aoai-probe has neither a `report` command nor dist/analysis/summarise.js');
    }
  } catch (error) {
    clients[ours] = { error: String(error.message ?? error) };
  }
  try {
    clients['node: readline + JSON.parse per line'] = await timed('node floor', 'node', ['-e', PARSE_ALL, file]);
    clients['wc -l'] = await timed('wc -l', 'wc', ['-l', file]);
  } catch (error) {
    clients.floors = { error: String(error.message ?? error) };
  }
  return { lines: recordingLines, sizeMb, source, clients };
}

/** The least a JavaScript analysis of NDJSON costs: read every line and parse it. */
const PARSE_ALL = `
const { createReadStream } = require('node:fs');
const { createInterface } = require('node:readline');
(async () => {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(process.argv[1]) })) if (line) { JSON.parse(line); n += 1; }
  console.log(n);
})();`;

/** Markdown for RESULTS.md. */
export function renderReportSpeed(result) {
  const ours = result.clients['aoai-probe report --format json'];
  const lines = [
    `**\`aoai-probe report\` on a ${fmt(result.lines, 0)}-line recording** (${fmt(result.sizeMb, 0)} MB; ${result.source})`,
    '',
    '| command | wall s (min / median / max) | max RSS MB | aoai-probe ÷ command (median) |',
    '|---|---|---|---|',
  ];
  for (const [name, figures] of Object.entries(result.clients)) {
    if (figures.error) {
      lines.push(`| ${name} | failed: ${figures.error.split('\n')[0].replace(/\|/g, '/')} | | |`);
      continue;
    }
    const ratio = ours && !ours.error && name !== 'aoai-probe report --format json' ? fmt(ours.wallS.median / figures.wallS.median, 1) : '—';
    lines.push(`| ${name}${figures.via && figures.via !== 'cli' ? ` (via ${figures.via})` : ''} | ${fmt(figures.wallS.min, 2)} / ${fmt(figures.wallS.median, 2)} / ${fmt(figures.wallS.max, 2)} | ${fmt(figures.maxRssMb, 0)} | ${ratio} |`);
  }
  return lines.join('\n');
}
