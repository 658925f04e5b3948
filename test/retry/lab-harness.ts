/**
 * Runs the retry lab in this process as the `retry` command does on the simulator: one
 * fresh simulator per policy, all lanes at once through the one firing loop, every line
 * kept; then the same analysis `report` runs.
 */
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { createTransport, type HttpTransport } from '../../src/run/transport/transport.js';
import { simulatorTarget } from '../../src/run/target.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { runSource } from '../../src/run/loop.js';
import { RetryLabSource, type CallerArrival } from '../../src/run/retry-lab-source.js';
import { analyseLines } from '../../src/analysis/summarise.js';
import type { AnalysisResult } from '../../src/analysis/result-types.js';
import { parsePolicy } from '../../src/retry/parse-policy.js';
import type { RecordLine } from '../../src/record/types.js';

/** What a lab run is given. */
export interface LabRun {
  simulator: SimulatorOptions;
  policies: string[];
  callers: number;
  giveUpAfterMs: number;
  maxAttempts?: number;
  arrival?: CallerArrival;
  seed?: number;
}

/** Runs the lab; returns its lines (run line first) and their analysis. */
export async function runLab(run: LabRun): Promise<{ lines: RecordLine[]; result: AnalysisResult }> {
  const clock = createRealClock();
  const simulators: RunningSimulator[] = [];
  const transports: HttpTransport[] = [];
  const policies = run.policies.map((text) => parsePolicy(text, 'test'));
  const lines: RecordLine[] = [];
  try {
    for (const policy of policies) {
      const simulator = await startSimulator(run.simulator);
      simulators.push(simulator);
      transports.push(
        createTransport({
          target: { ...simulatorTarget({ endpoint: simulator.url, deployment: 'gpt-4o', profile: run.simulator.profile ?? 'azure-standard', id: policy.name }), auth: { apiKey: 'test-key' } },
          payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false },
          clock,
          timeoutMs: 10_000,
          connections: run.callers,
        }),
      );
    }
    const startedAt = new Date();
    const epochOffset = Date.now() - clock.now();
    lines.push({
      type: 'run',
      v: 1,
      tool: { name: 'aoai-probe', version: 'test' },
      command: 'retry',
      startedAt: startedAt.toISOString(),
      advertised: { tpm: null, rpm: null, source: 'none' },
      targets: policies.map((policy, index) => ({ id: policy.name, kind: 'simulator', url: simulators[index]!.url, deployment: 'gpt-4o' })),
      payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false },
    });
    const maxAttempts = run.maxAttempts ?? 6;
    const source = new RetryLabSource({
      lanes: policies.map((policy) => ({ policy, target: policy.name, phaseParams: { callers: run.callers, arrival: 'burst', maxAttempts, giveUpAfterMs: run.giveUpAfterMs } })),
      callers: run.callers,
      arrival: run.arrival ?? { kind: 'burst' },
      limits: { maxAttempts, giveUpAfterMs: run.giveUpAfterMs },
      seed: run.seed ?? 1,
      order: 'parallel',
      epochAt: (clockMs) => epochOffset + clockMs,
    });
    const loop = await runSource(source, {
      clock,
      sink: { write: (line) => lines.push(line) },
      targets: policies.map((policy, index) => ({ id: policy.name, sender: transports[index]! })),
      maxInFlight: run.callers * policies.length,
      graceMs: 10_000,
    });
    lines.push({ type: 'end', reason: loop.reason, endMs: clock.now(), sent: loop.sent, dropped: loop.dropped });
  } finally {
    await Promise.all(transports.map((transport) => transport.close()));
    await Promise.all(simulators.map((simulator) => simulator.close()));
  }
  return { lines, result: await analyseLines(lines) };
}
