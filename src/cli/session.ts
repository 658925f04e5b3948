/**
 * One run of a sending command, from validated settings to exit code: the shared
 * plumbing of burst, steady, ramp, run and probe.
 *
 *   resolve the target (or start the embedded simulator) → show the plan and ask for
 *   consent when the target is not loopback → open the recording → drive it (a fixed
 *   plan, or the probe's controller) → end line → analyse the recording FILE with the
 *   same code `report` runs (so the live numbers and `report saved.ndjson` cannot
 *   differ) → render → check expectations → exit code.
 *
 * Signals: the first Ctrl-C stops scheduling and lets in-flight requests finish for a
 * short grace; the second cuts them, writes what it can and exits at once with 130.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CliIo } from './io.js';
import type { RunSettings } from './run-settings.js';
import { TOOL_VERSION } from './version.js';
import { EXIT, InputError } from '../errors.js';
import { RECORDING_VERSION, type AdvertisedLimits, type RecordSink, type TargetDescription } from '../record/types.js';
import type { Phase } from '../schedule/types.js';
import type { Clock } from '../run/clock.js';
import type { PayloadOverrides, TargetSpec } from '../run/types.js';
import { describeTarget, resolveTarget, simulatorTarget, targetSecrets } from '../run/target.js';
import { createTransport, type HttpTransport } from '../run/transport.js';
import { createRealClock } from '../run/real-clock.js';
import { runPlan, type RunPlanOptions, type RunPlanResult } from '../run/runner.js';
import { LiveCounters, formatProgress } from '../run/live-counters.js';
import { planScenario } from '../schedule/plan.js';
import { createRecordingWriter, defaultRecordingPath, type RecordingWriter } from '../record/writer.js';
import { readRecordingBatches } from '../record/reader.js';
import { analyseLineBatches } from '../analysis/summarise.js';
import type { AnalysisResult } from '../analysis/result-types.js';
import { renderReport } from '../report/render.js';
import { parseExpectations } from '../expect/parse.js';
import { evaluateExpectations } from '../expect/evaluate.js';
import { assertExpectationsMet } from '../expect/failures.js';
import type { Expectation, ExpectationResult } from '../expect/types.js';
import { renderJunit } from '../report/junit.js';
import { startSimulatorInWorker, type RunningSimulator, type WorkerSimulatorOptions } from '../sim/index.js';
import { resolveSimulatorSettings, type SimulatorProfile } from '../sim/options.js';
import { SimulatorConfigError } from '../sim/config-error.js';

/** What a command hands to the session. */
export interface SessionPlan {
  command: 'burst' | 'steady' | 'ramp' | 'run' | 'probe';
  settings: RunSettings;
  /** Non-secret description of what was asked (flags or the scenario), for the run line. */
  scenario: unknown;
  /** Requests the plan will send at most (for the consent check). */
  plannedRequests: number;
  /** Payload changes the phases will ask for, built before the clock starts so no request waits for one. */
  payloadVariants?: PayloadOverrides[];
}

/** A run in progress: what a driver (a fixed plan, or the probe's controller) uses to send. */
export interface Session {
  readonly io: CliIo;
  readonly plan: SessionPlan;
  readonly target: TargetSpec;
  readonly targetDescription: TargetDescription;
  readonly transport: HttpTransport;
  readonly clock: Clock;
  /** Every line goes here: it counts for the progress line, then reaches the recording. */
  readonly sink: RecordSink;
  readonly recordingPath: string;
  readonly advertised: AdvertisedLimits;
  /** Aborts on the first Ctrl-C: stop scheduling. */
  readonly stopSignal: AbortSignal;
  /** Aborts on the second Ctrl-C: cut in-flight requests. */
  readonly abortSignal: AbortSignal;
  /** The embedded simulator, when it is the target. */
  readonly simulator: RunningSimulator | null;
  /** Validated --expect expressions (parsed before anything was sent). */
  readonly expectations: Expectation[];
  /** Whether a Ctrl-C arrived. */
  interrupted(): boolean;
  /** Runner options every pass shares (clock, transport, sink, signals, ceiling). */
  runnerOptions(maxInFlight: number): RunPlanOptions;
  /** Counts of what was written so far. */
  readonly counters: LiveCounters;
}

/** How long in-flight requests may finish after the plan ends or the first Ctrl-C, ms. */
const GRACE_MS = 5_000;
/** The progress line appears once a run has lasted this long (PRODUCT §7). */
const PROGRESS_AFTER_MS = 2_000;
const PROGRESS_EVERY_MS = 250;

/** Is every request going to this machine? Loopback targets need no consent (PRODUCT §9). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Runs a fixed list of phases (burst, steady, ramp, run) from start to exit code. */
export async function runPhasesCommand(io: CliIo, plan: SessionPlan, phases: readonly Phase[]): Promise<number> {
  const payloadVariants = phases.flatMap((phase) => (phase.payload ? [phase.payload] : []));
  const session = await openSession(io, { ...plan, payloadVariants });
  if (session === null) return EXIT.ok;
  let result: RunPlanResult;
  try {
    result = await runPlan(planScenario(phases), session.runnerOptions(plan.settings.maxInFlight ?? defaultMaxInFlight(phases)));
  } catch (error) {
    // What was measured before the failure is still written, with an honest end line.
    await abandonSession(session, error);
    throw error;
  }
  return finishSession(session, session.interrupted() ? 'interrupted' : result.reason, result.unsent);
}

/** A burst needs all its requests in flight at once; steady runs get a generous ceiling. */
export function defaultMaxInFlight(phases: readonly Phase[]): number {
  const largestBurst = Math.max(0, ...phases.map((phase) => (phase.kind === 'burst' ? phase.size : 0)));
  return Math.max(largestBurst, 1000);
}

interface OpenSession extends Session {
  close(): Promise<void>;
  writer: RecordingWriter;
  stopProgress(): void;
}

/**
 * Resolves the target, starts the embedded simulator when none was given, checks
 * consent, opens the recording and writes its `run` line. Returns null when
 * --dry-run only showed the plan.
 */
export async function openSession(io: CliIo, plan: SessionPlan): Promise<OpenSession | null> {
  const { settings } = plan;
  const expectations = parseExpectations(settings.expectations);
  const given = settings.simProfile === null ? resolveTarget({ ...settings.targetFlags }, io.env) : null;

  if (given !== null && !isLoopbackUrl(given.url)) checkConsent(io, plan, given);
  if (settings.dryRun) {
    io.stderr.write(planText(plan, given));
    return null;
  }

  let target: TargetSpec;
  let simulator: RunningSimulator | null = null;
  let advertised: AdvertisedLimits = { tpm: settings.advertised.tpm, rpm: settings.advertised.rpm, source: settings.advertised.source };
  if (given !== null) {
    target = given;
  } else {
    const profile = (settings.simProfile ?? 'azure-standard') as SimulatorProfile;
    const simulatorOptions = {
      profile,
      ...(settings.advertised.tpm !== null ? { tpm: settings.advertised.tpm } : {}),
      ...(settings.advertised.source !== 'none' && settings.advertised.rpm !== null ? { rpm: settings.advertised.rpm } : {}),
    };
    simulator = await startEmbeddedSimulator(simulatorOptions);
    const opening = settings.simProfile === null ? 'No target given: started the embedded Azure OpenAI simulator' : 'Started the embedded simulator';
    io.stderr.write(`${opening} (${simulator.describe()}) on ${simulator.url}\n`);
    target = {
      ...simulatorTarget({
        endpoint: simulator.url,
        deployment: settings.targetFlags.deployment ?? settings.payload.model ?? 'gpt-4o',
        profile: simulator.profile,
        ...(settings.targetFlags.kind ? { kind: settings.targetFlags.kind } : {}),
      }),
      // The simulator wants an api-key like Azure does; any value is accepted.
      auth: { apiKey: 'embedded-simulator-key' },
    };
    if (advertised.source === 'none') {
      const limits = resolveSimulatorSettings(simulatorOptions);
      advertised = { tpm: limits.tpm, rpm: limits.rpm, source: 'simulator' };
    }
  }

  const recordingPath = settings.recordPath !== null ? resolve(io.cwd, settings.recordPath) : defaultRecordingPath(io.cwd, plan.command, new Date());
  let writer: RecordingWriter;
  try {
    writer = createRecordingWriter({ path: recordingPath, secrets: targetSecrets([target]) });
  } catch (error) {
    await simulator?.close();
    throw new InputError(`--record: cannot write ${recordingPath} (${(error as Error).message}); give a path in a folder you can write to`);
  }
  const counters = new LiveCounters(writer);
  const clock = createRealClock();
  const transport = createTransport({
    target,
    payload: settings.payload,
    clock,
    timeoutMs: settings.timeoutMs,
    connections: Math.max(1, settings.maxInFlight ?? Math.min(plan.plannedRequests, 1000)),
    payloadVariants: plan.payloadVariants ?? [],
  });

  const stopController = new AbortController();
  const abortController = new AbortController();
  let interrupts = 0;
  const unsubscribe = io.onInterrupt(() => {
    interrupts += 1;
    if (interrupts === 1) {
      io.stderr.write('\nStopping: no new requests; waiting for those in flight (Ctrl-C again to abort at once).\n');
      stopController.abort();
      return;
    }
    abortController.abort();
    // The second Ctrl-C: flush what was written and leave at once (PRODUCT §9).
    writer.write({ type: 'end', reason: 'interrupted', endMs: clock.now(), sent: counters.sent, dropped: counters.dropped, message: 'aborted by a second interrupt' });
    void writer.close().finally(() => {
      io.stderr.write(`Aborted. Recording: ${recordingPath}\n`);
      io.exitNow(EXIT.interrupted);
    });
  });

  const targetDescription = describeTarget(target);
  counters.write({
    type: 'run',
    v: RECORDING_VERSION,
    tool: { name: 'aoai-probe', version: TOOL_VERSION },
    command: plan.command,
    startedAt: new Date().toISOString(),
    advertised,
    targets: [targetDescription],
    payload: {
      kind: settings.payload.kind,
      model: settings.payload.model,
      maxTokens: settings.payload.maxTokens,
      promptTokens: settings.payload.promptTokens,
      stream: settings.payload.stream,
    },
    scenario: { ...(plan.scenario as object), rpmPer1kTpm: settings.advertised.rpmPer1kTpm },
  });

  const stopProgress = startProgress(io, settings, counters, clock);
  return {
    io,
    plan,
    target,
    targetDescription,
    transport,
    clock,
    sink: counters,
    counters,
    recordingPath,
    advertised,
    stopSignal: stopController.signal,
    abortSignal: abortController.signal,
    simulator,
    expectations,
    writer,
    stopProgress,
    interrupted: () => interrupts > 0,
    runnerOptions: (maxInFlight) => ({
      clock,
      transport,
      targetId: target.id,
      sink: counters,
      maxInFlight,
      stopSignal: stopController.signal,
      abortSignal: abortController.signal,
      graceMs: GRACE_MS,
    }),
    close: async () => {
      stopProgress();
      unsubscribe();
      await transport.close();
      await writer.close();
      await simulator?.close();
    },
  };
}

/** Starts the in-process simulator, turning its configuration errors into input errors (exit 2). */
async function startEmbeddedSimulator(options: WorkerSimulatorOptions): Promise<RunningSimulator> {
  try {
    return await startSimulatorInWorker(options);
  } catch (error) {
    if (error instanceof SimulatorConfigError) throw new InputError(error.problems);
    throw error;
  }
}

/** The plan as a person reads it before consenting. */
function planText(plan: SessionPlan, target: TargetSpec | null): string {
  const where = target === null ? 'the embedded simulator' : describeTarget(target).url;
  const perRequest = estimatedTokensPerRequest(plan.settings);
  const tokens = (plan.plannedRequests * perRequest).toLocaleString('en-US');
  return `Plan: ${plan.command}, up to ${plan.plannedRequests} requests to ${where}; the limiter will count about ${tokens} tokens (≈${perRequest} per request, mostly max_tokens; the bill is far smaller).\n`;
}

/** A rough figure for the consent line only; the recording holds each request's own estimate. */
function estimatedTokensPerRequest(settings: RunSettings): number {
  return (settings.payload.promptTokens ?? 20) + (settings.payload.maxTokens ?? 650);
}

/** Against anything but loopback the plan is shown first; plans above --max-requests need --yes (PRODUCT §9). */
function checkConsent(io: CliIo, plan: SessionPlan, target: TargetSpec): void {
  io.stderr.write(planText(plan, target));
  if (plan.plannedRequests > plan.settings.maxRequests && !plan.settings.yes && !plan.settings.dryRun) {
    throw new InputError(
      `this plan sends up to ${plan.plannedRequests} requests to a real target, above --max-requests ${plan.settings.maxRequests}; add --yes to run it, raise --max-requests, or use --dry-run to only see the plan`,
    );
  }
}

/** Shows the progress line on a terminal for runs longer than ~2 s; returns a function that clears it. */
function startProgress(io: CliIo, settings: RunSettings, counters: LiveCounters, clock: Clock): () => void {
  if (settings.quiet || !io.stderr.isTTY) return () => {};
  let shown = false;
  const timer = setInterval(() => {
    const now = clock.now();
    if (now < PROGRESS_AFTER_MS) return;
    shown = true;
    io.stderr.write(`\r${formatProgress(counters, now)}\u001b[K`);
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (shown) io.stderr.write('\r\u001b[K');
  };
}

/**
 * Ends the run: writes the end line, closes everything, analyses the recording file
 * and renders the result. Returns the exit code.
 */
export async function finishSession(session: OpenSession, reason: 'completed' | 'interrupted' | 'budget' | 'error', unsent = 0): Promise<number> {
  const { io, plan, counters } = session;
  session.stopProgress();
  counters.write({ type: 'end', reason, endMs: session.clock.now(), sent: counters.sent, dropped: counters.dropped, ...(unsent > 0 ? { unsent } : {}) });
  await session.close();

  const result = await analyseRecordingFile(io, session.recordingPath);
  const expectationResults = evaluateExpectations(session.expectations, result.summary);
  renderOutputs(io, plan.settings, result, expectationResults);
  io.stderr.write(`Recording: ${session.recordingPath}\n`);

  if (reason === 'interrupted') return EXIT.interrupted;
  assertExpectationsMet(expectationResults);
  return EXIT.ok;
}

/** Closes a session that failed: writes an `error` end line so the recording says why it stops early. */
export async function abandonSession(session: OpenSession, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  session.counters.write({ type: 'end', reason: 'error', endMs: session.clock.now(), sent: session.counters.sent, dropped: session.counters.dropped, message });
  await session.close();
}

/** Reads a recording back and analyses it, printing the reader's warnings. */
export async function analyseRecordingFile(io: CliIo, recordingPath: string): Promise<AnalysisResult> {
  const warnings: string[] = [];
  const result = await analyseLineBatches(readRecordingBatches(recordingPath, { onWarning: (warning) => warnings.push(warning) }), { recordingPath });
  for (const warning of [...warnings, ...result.warnings]) io.stderr.write(`warning: ${warning}\n`);
  return result;
}

/**
 * Where each rendering goes: the human table on stderr (people), the JSON or --format
 * output on stdout (data) or --out, markdown appended to $GITHUB_STEP_SUMMARY, JUnit to --junit.
 */
export function renderOutputs(io: CliIo, settings: RunSettings, result: AnalysisResult, expectations: ExpectationResult[]): void {
  const stdoutTaken = settings.json || settings.format !== null;
  if (!(settings.quiet && stdoutTaken)) {
    const color = settings.color && Boolean(io.stderr.isTTY);
    io.stderr.write(renderReport(result, { format: 'table', color, width: io.stderr.columns ?? 80, expectations }));
  }
  if (settings.json) io.stdout.write(renderReport(result, { format: 'json', color: false }));
  if (settings.format !== null) {
    const text = renderReport(result, { format: settings.format, color: settings.color && Boolean(io.stdout.isTTY), expectations });
    if (settings.outPath !== null) writeFileCreatingFolders(resolve(io.cwd, settings.outPath), text);
    else io.stdout.write(text);
  }
  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendFileSync(stepSummary, renderReport(result, { format: 'markdown', color: false, expectations }));
  if (settings.junitPath !== null) writeFileCreatingFolders(resolve(io.cwd, settings.junitPath), renderJunit(expectations, result.summary));
}

function writeFileCreatingFolders(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
