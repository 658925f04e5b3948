/**
 * A/B of transports at a high planned rate: for each transport module, one process runs
 * `steady` at `rate` for `seconds` with 50 in flight through the product's runner and
 * writer (module-run.js), against nginx without access log. Prints requests sent, the
 * sent rate, drops, the mean lag behind the plan and the client CPU per sent request.
 * With "prof": "NAME", each run also writes a V8 CPU profile under bench/out/prof/NAME
 * (read it with `node bench/lib/profile-top.js FILE`). "clocks": a list of createRealClock
 * options to compare (e.g. [{}, {"waitSliceMs":0}]).
 *
 *   node bench/prototypes/ab-throughput.js '{"transports":["dist/run/transport.js","bench/prototypes/transport-raw.js"],"rate":30000,"rounds":2}'
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from '../lib/nginx.js';
import { CLIENT_CPU, runCommand, stopAllChildren } from '../lib/proc.js';
import { readRecordingCounts } from '../lib/recording.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(benchDir, '..');
const options = { transports: ['dist/run/transport.js'], clocks: [{}], rate: 30_000, seconds: 3, rounds: 1, ...JSON.parse(process.argv[2] ?? '{}') };
const outDir = path.join(benchDir, 'out', 'ab-throughput');
const nginx = await startNginx(path.join(outDir, 'nginx'));
try {
  for (let round = 0; round < options.rounds; round += 1) {
    for (const transport of options.transports) for (const clock of options.clocks) {
      const record = path.join(outDir, 'ab.ndjson');
      const nodeArgs = options.prof ? ['--cpu-prof', `--cpu-prof-dir=${path.join(benchDir, 'out', 'prof', options.prof)}`] : [];
      const phase = { kind: 'steady', ratePerSecond: options.rate, durationMs: options.seconds * 1000 };
      const run = { repoRoot, url: nginx.url(nginx.plainPort), phase, maxInFlight: 50, record, transport, clock };
      const output = await runCommand('node', [...nodeArgs, path.join(benchDir, 'prototypes', 'module-run.js'), JSON.stringify(run)], { cpu: CLIENT_CPU, timeoutMs: 180_000, cwd: repoRoot });
      const result = JSON.parse(output.stdout.trim().split('\n').pop());
      const counts = await readRecordingCounts(record);
      console.log(`${transport} ${JSON.stringify(clock)}: sent ${result.sent} (${counts.sentRate?.toFixed(0)}/s), dropped ${result.dropped}, mean lag ${counts.lagMeanMs?.toFixed(2)} ms, all 200: ${counts.ok === counts.requests}, CPU ${((result.cpuSeconds / result.sent) * 1e6).toFixed(1)} µs per sent request`);
    }
  }
} finally {
  await nginx.stop();
  await stopAllChildren();
}
