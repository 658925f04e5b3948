/**
 * A/B of steady-rate precision through the real CLI (`node bin/aoai-probe.js steady`),
 * measured on the wire like bench/steady.js: each variant adds CLI arguments, node
 * arguments and/or environment variables; rounds alternate the variants so that a busy
 * machine hurts them alike. Per run it prints the steady figures, the connections used
 * (distinct source ports), the five longest gaps with where they happened, the client's
 * CPU share, and (with `--trace-gc` among the node arguments) the GC pauses ≥ 2 ms.
 *
 *   node bench/prototypes/ab-steady.js '{"variants":[{"name":"default"},{"name":"lean","args":["--transport","lean"]}],"rounds":2}'
 *
 * A variant: { name, args?: string[], nodeArgs?: string[], env?: object, gc?: boolean }
 * (gc: preloads gc-observer.mjs and says which long gaps overlap a GC pause). Options:
 * rate (1000), durationS (5), rounds (1), maxInFlight (200).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCapture, startCapture, tagOf } from '../lib/capture.js';
import { startNginx } from '../lib/nginx.js';
import { CLIENT_CPU, runCommand, sampleProcess, stopAllChildren } from '../lib/proc.js';
import { cpuShare, steadyFigures } from '../lib/stats.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(benchDir, '..');
const options = { variants: [{ name: 'default' }], rate: 1000, durationS: 5, rounds: 1, maxInFlight: 200, ...JSON.parse(process.argv[2] ?? '{}') };
const outDir = path.join(benchDir, 'out', 'ab-steady');
const nginx = await startNginx(path.join(outDir, 'nginx'));
const all = {};
const f3 = (value) => (value === null || value === undefined ? '—' : value.toFixed(3));
try {
  for (let round = 0; round < options.rounds; round += 1) {
    for (const variant of options.variants) {
      const tag = `ab-steady-${round}-${variant.name}`.replace(/[^a-zA-Z0-9-]/g, '-');
      const record = path.join(outDir, `${tag}.ndjson`);
      const capture = await startCapture({ port: nginx.loggedPort, file: path.join(outDir, 'ab.pcap') });
      const args = [
        ...(variant.nodeArgs ?? []), path.join(repoRoot, 'bin', 'aoai-probe.js'),
        'steady', '--rate', `${options.rate}/s`, '--duration', `${options.durationS}s`,
        '--url', nginx.url(nginx.loggedPort, tag), '--max-in-flight', String(options.maxInFlight),
        '--record', record, '--json', '--quiet', ...(variant.args ?? []),
      ];
      let sampler = null;
      let output;
      const gcFile = path.join(outDir, `${tag}.gc.json`);
      if (variant.gc) args.unshift('--import', path.join(benchDir, 'prototypes', 'gc-observer.mjs'));
      try {
        output = await runCommand('node', args, {
          cpu: CLIENT_CPU, timeoutMs: 120_000, cwd: repoRoot, env: { ...process.env, ...(variant.env ?? {}), ...(variant.gc ? { GC_OUT: gcFile } : {}) },
          onStart: (child) => { sampler = sampleProcess(child.pid, 200); },
        });
      } finally {
        await capture.stop();
      }
      const cpu = sampler ? cpuShare(sampler.stop()) : null;
      const segments = (await readCapture(capture.file)).filter((segment) => tagOf(segment.target) === tag);
      const recorded = readFileSync(record, 'utf8').split('\n').filter((line) => line.includes('"type":"request"')).length;
      const used = segments.slice(Math.max(0, segments.length - recorded));
      const times = used.map((segment) => segment.tMs);
      const figures = steadyFigures(times, options.rate);
      const ports = new Set(used.map((segment) => segment.srcPort)).size;
      const gaps = [];
      for (let index = 1; index < times.length; index += 1) gaps.push([times[index] - times[index - 1], times[index - 1] - times[0]]);
      gaps.sort((a, b) => b[0] - a[0]);
      const gcPauses = [...output.stdout.matchAll(/(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^\n]*?([\d.]+) \/ ([\d.]+) ms/g)]
        .map((match) => ({ kind: match[1], ms: Number(match[2]) }))
        .filter((pause) => pause.ms >= 2);
      (all[variant.name] ??= []).push({ ...figures, cpu, ports });
      let gcNote = '';
      if (variant.gc) {
        // Long gaps (≥ 1.2 ms) after the first 500 ms, and how many of them overlap a GC pause.
        const pauses = JSON.parse(readFileSync(gcFile, 'utf8'));
        const long = [];
        for (let index = 1; index < times.length; index += 1) {
          if (times[index] - times[0] < 500 || times[index] - times[index - 1] < 1.2) continue;
          const overlapping = pauses.filter(([at, ms]) => at < times[index] && at + ms > times[index - 1]);
          long.push({ gap: times[index] - times[index - 1], gc: overlapping.map(([, ms, kind]) => `${kind} ${ms.toFixed(2)}`).join('+') });
        }
        const withGc = long.filter((gap) => gap.gc !== '');
        const during = pauses.filter(([at]) => at >= times[0] && at <= times[times.length - 1]);
        const perSecond = [];
        for (let index = 1; index < times.length; index += 1) if (times[index] - times[index - 1] >= 1.2) { const second = Math.floor((times[index] - times[0]) / 1000); perSecond[second] = (perSecond[second] ?? 0) + 1; }
        gcNote = `; gaps ≥ 1.2 ms per second of the run: ${Array.from(perSecond, (count) => count ?? 0).join(' ')}`;
        gcNote += `; after 500 ms: ${long.length} gaps ≥ 1.2 ms, ${withGc.length} overlap a GC (${withGc.map((gap) => `${gap.gap.toFixed(1)}:${gap.gc}`).join(' ')}); GCs during the run: ${during.length}, ${during.reduce((sum, [, ms]) => sum + ms, 0).toFixed(1)} ms`;
      }
      console.log(
        `${variant.name} r${round}: n ${figures.requests}, rate ${figures.achievedRate.toFixed(1)}, p50 ${f3(figures.gapP50Ms)}, p99 ${f3(figures.gapP99Ms)}, max ${figures.gapMaxMs.toFixed(2)}, ` +
        `<¼ ${(figures.shortGapShare * 100).toFixed(1)} %, dev p99 ${figures.gridDeviationP99Ms.toFixed(2)}, cpu ${cpu === null ? '—' : (cpu * 100).toFixed(0)} %, connections ${ports}; ` +
        `longest gaps (ms@ms): ${gaps.slice(0, 5).map(([gap, at]) => `${gap.toFixed(1)}@${at.toFixed(0)}`).join(' ')}` +
        (gcPauses.length > 0 ? `; GC ≥ 2 ms: ${gcPauses.map((pause) => `${pause.kind} ${pause.ms}`).join(', ')}` : '') + gcNote,
      );
    }
  }
  for (const [name, runs] of Object.entries(all)) {
    const sorted = (key) => runs.map((run) => run[key]).sort((a, b) => a - b);
    const median = (key) => { const values = sorted(key); return values[Math.floor((values.length - 1) / 2)]; };
    console.log(`SUMMARY ${name}: runs ${runs.length}, gap p99 ${sorted('gapP99Ms').map(f3).join(' / ')} (median ${f3(median('gapP99Ms'))}), max gap median ${f3(median('gapMaxMs'))}, dev p99 median ${f3(median('gridDeviationP99Ms'))}, rate median ${median('achievedRate').toFixed(1)}, cpu median ${(median('cpu') * 100).toFixed(0)} %`);
  }
} finally {
  await nginx.stop();
  await stopAllChildren();
}
