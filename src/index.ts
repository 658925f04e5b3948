/**
 * aoai-probe as a library. Three things, typed:
 *
 *   - `startSimulator(options)`: the Azure OpenAI simulator, in this process, on a free
 *     loopback port: point your own client (and its retry code) at `sim.url` inside your
 *     test suite, the way msw or nock are used, and meet Azure's limits (the 1-s cap, the
 *     token window, 429s with retry-after) without a real endpoint or key.
 *   - `runScenario(options)`: send a list of phases (burst, steady, ramp, pause) through
 *     the same firing loop as the CLI, record them to an NDJSON file, and get the summary
 *     `aoai-probe report` would print for that file.
 *   - `analyseRecording(path)`: the summary of a recording, exactly as `report` computes it.
 *
 * Nothing here reads the environment: the target is what you pass, never
 * AZURE_OPENAI_* variables, so a test suite cannot reach a real endpoint by accident.
 */
import { resolveTarget } from './run/target.js';
import type { TargetOptions } from './run/target.js';
import type { PayloadSpec } from './run/types.js';
import { createTransportFor } from './run/transport/transport-choice.js';
import { createRealClock } from './run/pacing/real-clock.js';
import { runPlan, type RunPlanResult } from './run/runner.js';
import { RecordedRun, recordRun } from './run/recorded-run.js';
import { targetSecrets, describeTarget } from './run/target.js';
import { secretsOfUrl } from './record/redact.js';
import { RECORDING_VERSION } from './record/types.js';
import { readRecordingBatches } from './record/reader.js';
import { planScenario } from './schedule/plan.js';
import type { Phase } from './schedule/types.js';
import { analyseLineBatches } from './analysis/summarise.js';
import type { AnalysisResult } from './analysis/result-types.js';
import { TOOL_VERSION } from './version.js';

export { startSimulator, type RunningSimulator, type SimulatorOptions, type SimulatorProfile } from './sim/index.js';
export type { Summary } from './analysis/summary-types.js';
export type { AnalysisResult } from './analysis/result-types.js';
export type { Phase, BurstPhase, SteadyPhase, RampPhase, PausePhase, PayloadOverrides } from './schedule/types.js';
export type { RecordLine, RunLine, PhaseLine, RequestLine, DroppedLine, EndLine } from './record/types.js';
export type { RunPlanResult } from './run/runner.js';

/** What `runScenario` sends, where, and where it records. */
export interface RunScenarioOptions {
  /**
   * Where the requests go: a full request URL (`url`), or an Azure `endpoint` with a
   * `deployment`, and the key or token it wants. Only what is given here is used.
   */
  target: Pick<TargetOptions, 'url' | 'endpoint' | 'deployment' | 'apiVersion' | 'api' | 'apiKey' | 'bearer' | 'kind'>;
  /** The phases, in order, each with a unique name. */
  phases: readonly Phase[];
  /** The NDJSON recording to write (created, or replaced). */
  record: string;
  /** What every request asks for. Default: a short chat request, model from the deployment, no max_tokens. */
  payload?: Partial<Omit<PayloadSpec, 'kind'>> & { kind?: PayloadSpec['kind'] };
  /** In-flight ceiling: requests past it are recorded as dropped. Default: the largest burst, at least 1000. */
  maxInFlight?: number;
  /** Per-request timeout, ms. Default 60,000. */
  timeoutMs?: number;
  /** After the plan ends (or `signal` aborts), how long requests in flight may finish, ms. Default 5000. */
  graceMs?: number;
  /** Aborting it stops the run: no new request starts, those in flight get the grace. */
  signal?: AbortSignal;
  /** The advertised limits to compare against, if known. */
  advertised?: { tpm?: number; rpm?: number };
}

/** A finished run: its summary (as `report` computes it from the file), and what the runner did. */
export interface ScenarioRunResult {
  summary: AnalysisResult['summary'];
  analysis: AnalysisResult;
  run: RunPlanResult;
  recordingPath: string;
}

/** Sends `options.phases` to `options.target`, records them, and analyses the recording file. */
export async function runScenario(options: RunScenarioOptions): Promise<ScenarioRunResult> {
  // An empty environment: the target is only ever what the caller passed.
  const target = resolveTarget({ ...options.target }, {});
  if (target === null) throw new TypeError('runScenario: give target.url, or target.endpoint and target.deployment');
  const payload: PayloadSpec = {
    kind: options.payload?.kind ?? 'chat',
    model: options.payload?.model ?? target.deployment ?? 'gpt-4o',
    maxTokens: options.payload?.maxTokens ?? null,
    promptTokens: options.payload?.promptTokens ?? null,
    stream: options.payload?.stream ?? false,
    ...(options.payload?.body !== undefined ? { body: options.payload.body } : {}),
  };
  const plan = planScenario(options.phases);
  const largestBurst = Math.max(0, ...options.phases.map((phase) => (phase.kind === 'burst' ? phase.size : 0)));
  const maxInFlight = options.maxInFlight ?? Math.max(largestBurst, 1000);
  const clock = createRealClock();
  const transport = createTransportFor('auto', {
    target,
    payload,
    clock,
    timeoutMs: options.timeoutMs ?? 60_000,
    connections: Math.max(1, Math.min(maxInFlight, plan.totalRequests)),
    payloadVariants: options.phases.flatMap((phase) => (phase.payload ? [phase.payload] : [])),
  });
  const recording = RecordedRun.open({ path: options.record, secrets: [...targetSecrets([target]), ...secretsOfUrl(target.url)] });
  const advertised = { tpm: options.advertised?.tpm ?? null, rpm: options.advertised?.rpm ?? null, source: options.advertised ? ('flags' as const) : ('none' as const) };
  recording.start({
    type: 'run',
    v: RECORDING_VERSION,
    tool: { name: 'aoai-probe', version: TOOL_VERSION },
    command: 'run',
    startedAt: new Date().toISOString(),
    advertised,
    targets: [describeTarget(target)],
    payload: { kind: payload.kind, model: payload.model, maxTokens: payload.maxTokens, promptTokens: payload.promptTokens, stream: payload.stream },
    scenario: { phases: options.phases },
  });
  let run: RunPlanResult | null = null;
  try {
    await recordRun(recording, { now: () => clock.now() }, async (sink) => {
      run = await runPlan(plan, {
        clock,
        transport,
        targetId: target.id,
        sink,
        maxInFlight,
        graceMs: options.graceMs ?? 5000,
        ...(options.signal ? { stopSignal: options.signal } : {}),
      });
      return { reason: run.reason, unsent: run.unsent };
    });
  } finally {
    await transport.close();
  }
  const analysis = await analyseRecording(options.record);
  return { summary: analysis.summary, analysis, run: run!, recordingPath: options.record };
}

/** The analysis of a recording file: the summary `aoai-probe report FILE` prints, plus the reader's warnings. */
export async function analyseRecording(path: string): Promise<AnalysisResult> {
  const warnings: string[] = [];
  const result = await analyseLineBatches(readRecordingBatches(path, { onWarning: (warning) => warnings.push(warning) }), { recordingPath: path });
  return { ...result, warnings: [...warnings, ...result.warnings] };
}
