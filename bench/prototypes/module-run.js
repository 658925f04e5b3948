/**
 * aoai-probe's run path through its public module functions, exactly as the CLI wires
 * them: planScenario → runPlan with the real clock, createTransport (undici) and the
 * NDJSON recording writer. Used by the bench when this build has no `burst`/`steady`
 * command yet, and to A/B a prototype transport (`transport: "bench/prototypes/…js"`)
 * against the product's on the same runner and writer.
 *
 *   node bench/prototypes/module-run.js '{"repoRoot":"…","url":"…","phase":{…},"maxInFlight":50,"record":"…"}'
 *
 * `clock` (optional) is passed to createRealClock (spinMs, waitSliceMs) for A/B runs.
 * `phase` is a schedule phase: {"kind":"steady","ratePerSecond":1000,"durationMs":5000}
 * or {"kind":"burst","size":100,"bursts":3,"gapMs":500}. Prints one JSON line with the
 * runner's result and the process's CPU time.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readOptions, report } from '../peers/args.js';

const options = readOptions();
const { repoRoot } = options;
const load = (relative) => import(pathToFileURL(path.join(repoRoot, relative)).href);

const { planScenario } = await load('dist/schedule/plan.js');
const { runPlan } = await load('dist/run/runner.js');
const { createRealClock } = await load('dist/run/real-clock.js');
const { createRecordingWriter } = await load('dist/record/writer.js');
const transportModule = await load(options.transport ?? 'dist/run/transport.js');

const clock = createRealClock(options.clock ?? {});
const writer = createRecordingWriter({ path: options.record });
const phase = { name: options.phase.kind, ...options.phase };
const plan = planScenario([phase]);
const target = { id: 'default', kind: 'http', url: options.url, deployment: null, auth: {} };
const payload = { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false };
const transport = transportModule.createTransport({
  target,
  payload,
  clock,
  timeoutMs: 60_000,
  connections: options.maxInFlight,
});

writer.write({
  type: 'run',
  v: 1,
  tool: { name: 'aoai-probe', version: 'bench-module-run' },
  command: phase.kind,
  startedAt: new Date().toISOString(),
  advertised: { tpm: null, rpm: null, source: 'none' },
  targets: [{ id: 'default', kind: 'http', url: options.url, deployment: null }],
  payload,
});
const cpuBefore = process.cpuUsage();
const result = await runPlan(plan, { clock, transport, sink: writer, maxInFlight: options.maxInFlight, graceMs: 10_000 });
const cpu = process.cpuUsage(cpuBefore);
writer.write({ type: 'end', reason: result.reason, endMs: clock.now(), sent: result.sent, dropped: result.dropped });
await transport.close();
await writer.close();
report({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6, heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 });
