/**
 * A/B of transports on bursts, measured on the wire: for each transport module, one
 * process runs `bursts` bursts of `size` through the product's runner and writer
 * (module-run.js), under a tcpdump capture of a local nginx; prints each burst's spread
 * and a min/median/max summary per transport. Rounds alternate the transports so that a
 * busy machine hurts them alike.
 *
 *   node bench/prototypes/ab-burst.js '{"transports":["dist/run/transport.js","bench/prototypes/transport-raw.js"],"sizes":[100,500],"rounds":2}'
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture, startCapture, tagOf } from '../lib/capture.js';
import { startNginx } from '../lib/nginx.js';
import { CLIENT_CPU, runCommand, stopAllChildren } from '../lib/proc.js';
import { minMedianMax, spread } from '../lib/stats.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(benchDir, '..');
const options = { transports: ['dist/run/transport.js'], sizes: [100, 500], rounds: 1, bursts: 4, ...JSON.parse(process.argv[2] ?? '{}') };
const outDir = path.join(benchDir, 'out', 'ab-burst');
const nginx = await startNginx(path.join(outDir, 'nginx'));
const all = {};
try {
  for (let round = 0; round < options.rounds; round += 1) {
    for (const size of options.sizes) {
      for (const transport of options.transports) {
        const tag = `ab-${size}-${round}`;
        const capture = await startCapture({ port: nginx.loggedPort, file: path.join(outDir, 'ab.pcap') });
        const phase = { kind: 'burst', size, bursts: options.bursts, gapMs: 500 };
        const run = { repoRoot, url: nginx.url(nginx.loggedPort, tag), phase, maxInFlight: size * 2, record: path.join(outDir, 'ab.ndjson'), transport };
        try {
          await runCommand('node', [path.join(benchDir, 'prototypes', 'module-run.js'), JSON.stringify(run)], { cpu: CLIENT_CPU, timeoutMs: 120_000, cwd: repoRoot });
        } finally {
          await capture.stop();
        }
        const segments = (await readCapture(capture.file)).filter((segment) => tagOf(segment.target) === tag);
        const spreads = [];
        for (let burst = 0; burst * size < segments.length; burst += 1) spreads.push(spread(segments.slice(burst * size, (burst + 1) * size).map((segment) => segment.tMs)));
        const key = `${size} ${transport}`;
        (all[key] ??= []).push(...spreads);
        console.log(`${key}: ${spreads.map((value) => value.toFixed(2)).join(' ')} ms`);
      }
    }
  }
  for (const [key, spreads] of Object.entries(all)) {
    const { min, median, max, n } = minMedianMax(spreads);
    console.log(`SUMMARY ${key}: n ${n}, min ${min.toFixed(2)}, median ${median.toFixed(2)}, max ${max.toFixed(2)} ms`);
  }
} finally {
  await nginx.stop();
  await stopAllChildren();
}
