/**
 * A/B of burst spreads through the real CLI (`aoai-probe burst`), on the wire: like
 * ab-steady.js for bursts. Each variant adds CLI arguments, node arguments and/or
 * environment variables; rounds alternate the variants. Every burst of every process counts.
 *
 *   node bench/prototypes/ab-burst-cli.js '{"variants":[{"name":"lean","args":["--transport","lean"]}],"sizes":[100,500],"rounds":3}'
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture, startCapture, tagOf } from '../lib/capture.js';
import { startNginx } from '../lib/nginx.js';
import { CLIENT_CPU, runCommand, stopAllChildren } from '../lib/proc.js';
import { minMedianMax, spread } from '../lib/stats.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(benchDir, '..');
const options = { variants: [{ name: 'default' }], sizes: [100], rounds: 2, bursts: 3, ...JSON.parse(process.argv[2] ?? '{}') };
const outDir = path.join(benchDir, 'out', 'ab-burst-cli');
const nginx = await startNginx(path.join(outDir, 'nginx'));
const all = {};
try {
  for (let round = 0; round < options.rounds; round += 1) {
    for (const size of options.sizes) {
      for (const variant of options.variants) {
        const tag = `abb-${size}-${round}-${variant.name}`.replace(/[^a-zA-Z0-9-]/g, '-');
        const capture = await startCapture({ port: nginx.loggedPort, file: path.join(outDir, 'ab.pcap') });
        const args = [
          ...(variant.nodeArgs ?? []), path.join(repoRoot, 'bin', 'aoai-probe.js'),
          'burst', '--size', String(size), '--bursts', String(options.bursts), '--gap', '500ms',
          '--url', nginx.url(nginx.loggedPort, tag), '--max-in-flight', String(2 * size),
          '--record', path.join(outDir, `${tag}.ndjson`), '--json', '--quiet', ...(variant.args ?? []),
        ];
        try {
          await runCommand('node', args, { cpu: CLIENT_CPU, timeoutMs: 120_000, cwd: repoRoot, env: { ...process.env, ...(variant.env ?? {}) } });
        } finally {
          await capture.stop();
        }
        const segments = (await readCapture(capture.file)).filter((segment) => tagOf(segment.target) === tag);
        const spreads = [];
        for (let burst = 0; burst * size < segments.length; burst += 1) spreads.push(spread(segments.slice(burst * size, (burst + 1) * size).map((segment) => segment.tMs)));
        const key = `${size} ${variant.name}`;
        (all[key] ??= []).push(...spreads);
        console.log(`${key} r${round}: ${spreads.map((value) => value.toFixed(2)).join(' ')} ms`);
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
