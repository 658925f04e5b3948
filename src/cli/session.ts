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
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { devNull } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { CliIo } from './io.js';
import type { RunSettings } from './run-settings.js';
import { TOOL_VERSION } from './version.js';
import { EXIT, InputError } from '../errors.js';
import { RECORDING_VERSION, type AdvertisedLimits, type RecordLine, type RecordSink, type TargetDescription } from '../record/types.js';
import { secretsOfUrl } from '../record/redact.js';
import type { Phase } from '../schedule/types.js';
import type { Clock } from '../run/pacing/clock.js';
import type { PayloadOverrides, TargetSpec } from '../run/types.js';
import { describeTarget, resolveTarget, simulatorTarget, targetSecrets } from '../run/target.js';
import type { HttpTransport } from '../run/transport/transport.js';
import { createTransportFor } from '../run/transport/transport-choice.js';
import { createRealClock } from '../run/pacing/real-clock.js';
import { runPlan, type RunPlanOptions, type RunPlanResult } from '../run/runner.js';
import { LiveCounters, formatProgress } from '../run/live-counters.js';
import { planScenario } from '../schedule/plan.js';
import { planNeedsWarmUp, warmUp } from '../run/warm-up.js';
import { pauseOptimiser, planIsPaced } from '../run/pacing/optimiser-pause.js';
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
import type { RetryPolicy } from '../retry/types.js';
import type { CallerLimits } from '../retry/caller-book.js';
import { lanePhaseParams } from '../run/retry-lab-source.js';

/** What a command hands to the session. */
export interface SessionPlan {
  command: 'burst' | 'steady' | 'ramp' | 'run' | 'probe' | 'retry' | 'audit';
  settings: RunSettings;
  /** Non-secret description of what was asked (flags or the scenario), for the run line. */
  scenario: unknown;
  /** Requests the plan will send at most (for the consent check). */
  plannedRequests: number;
  /** Payload changes the phases will ask for, built before the clock starts so no request waits for one. */
  payloadVariants?: PayloadOverrides[];
  /** Run the warm-up (src/run/warm-up.ts) before the run line: for plans fast enough that a cold start shows. Default false. */
  warmUp?: boolean;
  /**
   * The retry lab: when the target is the embedded simulator, one fresh simulator per id
   * (same profile and limits), each a target of its own with that id, so every policy
   * meets the same limiter from the same start. Ignored for a real target.
   */
  simulatorLanes?: readonly string[];
  /** `--retry`: every planned request is a caller that retries by this policy, within these limits. */
  retry?: { policy: RetryPolicy; limits: CallerLimits; seed: number };
}

/** One target of a session with its own transport (the retry lab's lanes). */
export interface SessionTarget {
  id: string;
  transport: HttpTransport;
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
  /** Every target with its transport: the one target, or one per simulator lane (SessionPlan.simulatorLanes). */
  readonly targets: readonly SessionTarget[];
  /** Validated --expect expressions (parsed before anything was sent). */
  readonly expectations: Expectation[];
  /** Whether a Ctrl-C arrived. */
  interrupted(): boolean;
  /** Runner options every pass shares (clock, transport, sink, signals, ceiling). */
  runnerOptions(maxInFlight: number): RunPlanOptions;
  /** Counts of what was written so far. */
  readonly counters: LiveCounters;
}

/**
 * Set to "1" to pause V8's optimising compiler while a fast paced plan runs
 * (src/run/pacing/optimiser-pause.ts). Opt-in: it changes how the whole process runs,
 * and its gain (a steadier pace at 1000/s on one pinned core) is a bench figure, not a
 * default every run should pay for.
 */
export const PAUSE_OPTIMISER_ENV = 'AOAI_PROBE_PAUSE_OPTIMISER';

/** How long in-flight requests may finish after the plan ends or the first Ctrl-C, ms. */
export const GRACE_MS = 5_000;
/** The progress line appears once a run has lasted this long (PRODUCT §7). */
const PROGRESS_AFTER_MS = 2_000;
const PROGRESS_EVERY_MS = 250;

/**
 * Is every request going to this machine? Loopback targets need no consent (PRODUCT §9).
 * Only literal loopback addresses and `localhost` count: a name such as
 * `127.0.0.1.example.com` resolves wherever its owner wants, so it is a real target.
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host === 'localhost.') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
  return false;
}

/** Runs a fixed list of phases (burst, steady, ramp, run) from start to exit code. */
export async function runPhasesCommand(io: CliIo, plan: SessionPlan, givenPhases: readonly Phase[]): Promise<number> {
  // With several targets a phase that names no spread gives every target the whole phase.
  const targetCount = plan.settings.targets.length;
  const phases = targetCount > 1 ? givenPhases.map((phase) => (phase.spread === undefined ? { ...phase, spread: { mode: 'each' as const } } : phase)) : givenPhases;
  if (targetCount > 1) plan = { ...plan, plannedRequests: plannedOverTargets(phases, plan.plannedRequests, targetCount) };
  const targetNames = plan.settings.targets.map((target) => target.id);
  const spreadProblems = phases.flatMap((phase) => spreadProblemsOf(phase, targetNames));
  if (spreadProblems.length > 0) throw new InputError(spreadProblems);
  const payloadVariants = phases.flatMap((phase) => (phase.payload ? [phase.payload] : []));
  const scenarioPlan = planScenario(phases);
  if (scenarioPlan.totalRequests === 0) {
    // Waiting out a plan that sends nothing, then exiting 0, would pass a CI check that measured nothing.
    throw new InputError([`this plan sends no request (${NO_REQUEST_FIX[plan.command] ?? 'give it a phase that sends'})`]);
  }
  const warm = planNeedsWarmUp(scenarioPlan);
  // With --retry the consent plan counts each caller's worst case: all its attempts.
  const attemptsPerRequest = plan.retry === undefined ? 1 : (plan.retry.policy.maxAttempts ?? plan.retry.limits.maxAttempts);
  const session = await openSession(io, { ...plan, plannedRequests: plan.plannedRequests * attemptsPerRequest, payloadVariants, warmUp: warm });
  if (session === null) return EXIT.ok;
  // On request, a fast paced plan runs on the code the warm-up optimised (src/run/pacing/optimiser-pause.ts).
  const pauseWanted = io.env[PAUSE_OPTIMISER_ENV] === '1';
  const resumeOptimiser = pauseWanted && warm && planIsPaced(scenarioPlan) ? pauseOptimiser(io.execArgv ?? [], io.env.NODE_OPTIONS ?? '') : () => undefined;
  let result: RunPlanResult;
  try {
    const options = session.runnerOptions(plan.settings.maxInFlight ?? defaultMaxInFlight(phases));
    if (plan.retry !== undefined) {
      const epochOffset = Date.now() - session.clock.now();
      options.retry = { ...plan.retry, epochAt: (clockMs) => epochOffset + clockMs };
      // Each phase line names the policy and its parameters, so the recording alone says how it retried.
      const policyParams = lanePhaseParams({ policy: plan.retry.policy, target: '' });
      options.phaseParams = () => ({ ...policyParams, maxAttempts: plan.retry!.limits.maxAttempts, giveUpAfterMs: plan.retry!.limits.giveUpAfterMs });
    }
    result = await runPlan(scenarioPlan, options);
  } catch (error) {
    resumeOptimiser();
    // What was measured before the failure is still written, with an honest end line.
    await abandonSession(session, error);
    throw error;
  }
  resumeOptimiser();
  return finishSession(session, session.interrupted() ? 'interrupted' : result.reason, result.unsent);
}

/**
 * Requests the plan sends over all its targets, for the consent check: a phase spread to
 * `each` sends its requests once per target. Counted from the planned phases, scaled to
 * the command's own figure (which may already count retries).
 */
function plannedOverTargets(phases: readonly Phase[], plannedRequests: number, targetCount: number): number {
  const scenarioPlan = planScenario(phases);
  let once = 0;
  let total = 0;
  for (const planned of scenarioPlan.phases) {
    once += planned.offsets.length;
    total += planned.offsets.length * (planned.phase.spread?.mode === 'each' ? targetCount : 1);
  }
  return once === 0 ? plannedRequests : Math.ceil((plannedRequests * total) / once);
}

/** A weighted phase needs weights, and its weights must name the run's targets. */
function spreadProblemsOf(phase: Phase, targetNames: readonly string[]): string[] {
  const spread = phase.spread;
  if (spread === undefined) return [];
  if (spread.mode === 'weighted' && Object.keys(spread.weights ?? {}).length === 0) {
    return [`phase ${phase.name}: spread: weighted needs weights, e.g. weights: { ${targetNames[0] ?? 'eastus'}: 3, ${targetNames[1] ?? 'westus'}: 1 }`];
  }
  if (spread.mode !== 'weighted' && spread.weights !== undefined) return [`phase ${phase.name}: weights go with spread: weighted; add it, or remove the weights`];
  const unknown = Object.keys(spread.weights ?? {}).filter((name) => !targetNames.includes(name));
  return unknown.length === 0 ? [] : [`phase ${phase.name}: weights name ${unknown.join(', ')}, not ${unknown.length === 1 ? 'a target' : 'targets'} of this run (the targets: ${targetNames.join(', ') || 'none; add targets:'})`];
}

/** How to make a plan that sends nothing send something, by command. */
const NO_REQUEST_FIX: Partial<Record<SessionPlan['command'], string>> = {
  steady: 'the rate is too low for the duration; raise --rate or lengthen --duration so at least one request is due, e.g. --rate 1/s --duration 10s',
  ramp: 'the rates are too low for the duration; raise --from/--to or lengthen --duration',
  run: 'every phase is a pause or too slow to send one; add a burst, steady or ramp phase',
};

/** A burst needs all its requests in flight at once; steady runs get a generous ceiling. */
export function defaultMaxInFlight(phases: readonly Phase[]): number {
  // A loop, not Math.max(...spread): a scenario of 800,000 phases overflowed the stack.
  let largestBurst = 0;
  for (const phase of phases) if (phase.kind === 'burst') largestBurst = Math.max(largestBurst, phase.size);
  return Math.max(largestBurst, 1000);
}

interface OpenSession extends Session {
  /** Whether a second Ctrl-C is ending the run (it writes the end line and exits by itself). */
  aborted(): boolean;
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
  // Several named targets (--target), or the one target of the flags (null: the embedded simulator).
  const named = settings.targets.map((options) => resolveTarget({ ...options }, io.env)!);
  const given = named.length > 0 ? named[0]! : settings.simProfile === null ? resolveTarget({ ...settings.targetFlags }, io.env) : null;
  const realTarget = named.length > 0 ? named.some((spec) => !isLoopbackUrl(spec.url)) : given !== null && !isLoopbackUrl(given.url);

  // The plan is shown before anything is sent: always against a real target, and on --dry-run.
  if (realTarget || settings.dryRun) io.stderr.write(planText(plan, given, named));
  if (realTarget) checkConsent(plan);
  if (settings.dryRun) return null;

  // The recording opens before the simulator starts or anything is sent, so a bad --record path costs nothing.
  const recordingPath = settings.recordPath !== null ? resolve(io.cwd, settings.recordPath) : defaultRecordingPath(io.cwd, plan.command, new Date());
  const secrets = given === null ? [] : [...targetSecrets(named.length > 0 ? named : [given]), ...(named.length > 0 ? named : [given]).flatMap((spec) => secretsOfUrl(spec.url))];
  const writer = createRecordingWriter({ path: recordingPath, secrets });

  let target: TargetSpec;
  let simulator: RunningSimulator | null = null;
  /** The extra simulators of the retry lab's lanes (the first lane uses `simulator`). */
  const laneSimulators: RunningSimulator[] = [];
  const laneIds = given === null && plan.simulatorLanes !== undefined && plan.simulatorLanes.length > 0 ? plan.simulatorLanes : null;
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
    try {
      simulator = await startEmbeddedSimulator(simulatorOptions);
      if (laneIds !== null) {
        const started = await Promise.allSettled(laneIds.slice(1).map(() => startEmbeddedSimulator(simulatorOptions)));
        for (const outcome of started) if (outcome.status === 'fulfilled') laneSimulators.push(outcome.value);
        const failure = started.find((outcome) => outcome.status === 'rejected');
        if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
      }
    } catch (error) {
      await Promise.all([simulator, ...laneSimulators].map((running) => running?.close()));
      await writer.close().catch(() => undefined);
      rmSync(recordingPath, { force: true });
      throw error;
    }
    const opening = settings.simProfile === null ? 'No target given: started the embedded Azure OpenAI simulator' : 'Started the embedded simulator';
    const lanesNote = laneIds === null ? '' : `, one fresh instance for each of ${laneIds.length} lanes`;
    io.stderr.write(`${opening} (${simulator.describe()}) on ${simulator.url}${lanesNote}\n`);
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

  // After the end line nothing belongs in the file (a second Ctrl-C may race the normal ending).
  let endWritten = false;
  const fileSink: RecordSink = {
    write(line: RecordLine): void {
      if (endWritten) return;
      if (line.type === 'end') endWritten = true;
      writer.write(line);
    },
  };
  const counters = new LiveCounters(fileSink);
  const clock = createRealClock();
  let transport: HttpTransport;
  const targetSpecs: TargetSpec[] =
    named.length > 0
      ? named
      : laneIds === null
      ? [target]
      : laneIds.map((id, index) => ({ ...target, id, url: index === 0 ? target.url : target.url.replace(simulator!.url, laneSimulators[index - 1]!.url) }));
  const sessionTargets: SessionTarget[] = [];
  try {
    for (const spec of targetSpecs) {
      sessionTargets.push({
        id: spec.id,
        transport: createTransportFor(settings.transport, {
          target: spec,
          payload: settings.payload,
          clock,
          timeoutMs: settings.timeoutMs,
          connections: Math.max(1, settings.maxInFlight ?? Math.min(plan.plannedRequests, 1000)),
          payloadVariants: plan.payloadVariants ?? [],
        }),
      });
    }
    transport = sessionTargets[0]!.transport;
    if (laneIds !== null) target = targetSpecs[0]!;
  } catch (error) {
    // Building the payloads failed before anything was sent: leave nothing running or half-written.
    await Promise.all(sessionTargets.map((entry) => entry.transport.close()));
    await Promise.all(laneSimulators.map((running) => running.close()));
    await simulator?.close();
    await writer.close().catch(() => undefined);
    rmSync(recordingPath, { force: true });
    throw error;
  }

  if (plan.warmUp === true) await warmUpBeforeTheRun(settings, target, secrets, plan.payloadVariants ?? []);

  const stopController = new AbortController();
  const abortController = new AbortController();
  let interrupts = 0;
  let stopProgress: () => void = () => {};
  /** Set by the second Ctrl-C: the ending that writes the end line, closes the file and exits. */
  let aborting: Promise<void> | null = null;
  const abortNow = async (): Promise<void> => {
    abortController.abort();
    // Why two turns of the event loop: the cut requests settle synchronously in the
    // transport, and their lines reach the sink in the promise callbacks that follow.
    // Every request that left the machine is then in the file before its end line.
    await nextTurn();
    await nextTurn();
    stopProgress();
    counters.write({ type: 'end', reason: 'interrupted', endMs: clock.now(), sent: counters.sent, dropped: counters.dropped, message: 'aborted by a second interrupt' });
    try {
      await writer.close();
    } finally {
      io.stderr.write(`Aborted. Recording: ${recordingPath}\n`);
      io.exitNow(EXIT.interrupted);
    }
  };
  const unsubscribe = io.onInterrupt(() => {
    interrupts += 1;
    if (interrupts === 1) {
      io.stderr.write('\nStopping: no new requests; waiting for those in flight (Ctrl-C again to abort at once).\n');
      stopController.abort();
      return;
    }
    // The second Ctrl-C: cut what is in flight, write what was measured and leave at once (PRODUCT §9).
    aborting ??= abortNow();
  });

  const targetDescription = describeTarget(target);
  const targetDescriptions = targetSpecs.map((spec) => describeTarget(spec));
  counters.write({
    type: 'run',
    v: RECORDING_VERSION,
    tool: { name: 'aoai-probe', version: TOOL_VERSION },
    command: plan.command,
    startedAt: new Date().toISOString(),
    advertised,
    targets: targetDescriptions,
    payload: {
      kind: settings.payload.kind,
      model: settings.payload.model,
      maxTokens: settings.payload.maxTokens,
      promptTokens: settings.payload.promptTokens,
      stream: settings.payload.stream,
    },
    scenario: { ...(plan.scenario as object), rpmPer1kTpm: settings.advertised.rpmPer1kTpm },
  });

  stopProgress = startProgress(io, settings, counters, clock);
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
    targets: sessionTargets,
    expectations,
    writer,
    stopProgress,
    interrupted: () => interrupts > 0,
    aborted: () => aborting !== null,
    runnerOptions: (maxInFlight) => ({
      clock,
      ...(named.length > 1 ? { targets: sessionTargets } : { transport, targetId: target.id }),
      sink: counters,
      maxInFlight,
      stopSignal: stopController.signal,
      abortSignal: abortController.signal,
      graceMs: GRACE_MS,
    }),
    close: async () => {
      // After a second Ctrl-C the abort path closes the file and exits; wait for it.
      if (aborting !== null) return aborting;
      stopProgress();
      unsubscribe();
      await Promise.all(sessionTargets.map((entry) => entry.transport.close()));
      await writer.close();
      await Promise.all(laneSimulators.map((running) => running.close()));
      await simulator?.close();
    },
  };
}

/**
 * The warm-up (src/run/warm-up.ts): the run's kind of transport, clock, counters and
 * writer, aimed at a loopback server of this process; its lines go to the null device.
 * Nothing reaches the target or the recording, and a failure only means a colder start.
 */
async function warmUpBeforeTheRun(settings: RunSettings, target: TargetSpec, secrets: readonly string[], payloadVariants: readonly PayloadOverrides[]): Promise<void> {
  let writer: RecordingWriter;
  try {
    writer = createRecordingWriter({ path: devNull, secrets, fsync: false });
  } catch {
    return;
  }
  const clock = createRealClock();
  try {
    await warmUp({
      targetUrl: target.url,
      clock,
      sink: new LiveCounters(writer),
      createTransport: (url) =>
        createTransportFor(settings.transport, {
          target: { ...target, url },
          payload: settings.payload,
          clock,
          timeoutMs: settings.timeoutMs,
          connections: 64,
          payloadVariants,
        }),
    });
  } finally {
    await writer.close().catch(() => undefined);
  }
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

/** The plan as a person reads it before consenting (the URL without secrets). */
export function planText(plan: SessionPlan, target: TargetSpec | null, targets: readonly TargetSpec[] = []): string {
  const where =
    targets.length > 1
      ? `${targets.length} targets (${targets.map((spec) => `${spec.id} ${describeTarget(spec).url}`).join(', ')})`
      : target === null
        ? 'the embedded simulator'
        : describeTarget(target).url;
  const perRequest = estimatedTokensPerRequest(plan.settings);
  const tokens = formatCount(plannedTokens(plan));
  return `Plan: ${plan.command}, up to ${formatCount(plan.plannedRequests)} requests to ${where}; the limiter will count about ${tokens} tokens (≈${formatCount(perRequest)} per request, mostly max_tokens; the bill is far smaller).\n`;
}

/** A rough figure for the plan only; the recording holds each request's own estimate. */
function estimatedTokensPerRequest(settings: RunSettings): number {
  return (settings.payload.promptTokens ?? 20) + (settings.payload.maxTokens ?? 650);
}

/** Estimated tokens the limiter counts over the whole plan: the figure the token budget is checked against. */
export function plannedTokens(plan: SessionPlan): number {
  return plan.plannedRequests * estimatedTokensPerRequest(plan.settings);
}

/**
 * Against anything but loopback, plans above --max-requests or above the token budget
 * (--max-estimated-tokens) need --yes (PRODUCT §9). Throws before anything is sent;
 * both limits are named when both are exceeded.
 */
export function checkConsent(plan: SessionPlan): void {
  const { settings } = plan;
  if (settings.yes || settings.dryRun) return;
  const problems: string[] = [];
  if (plan.plannedRequests > settings.maxRequests) {
    problems.push(
      `this plan sends up to ${formatCount(plan.plannedRequests)} requests to a real target, above --max-requests ${formatCount(settings.maxRequests)}; add --yes to run it, raise --max-requests, or use --dry-run to only see the plan`,
    );
  }
  const tokens = plannedTokens(plan);
  if (tokens > settings.maxEstimatedTokens) {
    problems.push(
      `this plan makes the limiter count about ${formatCount(tokens)} tokens, above --max-estimated-tokens ${formatCount(settings.maxEstimatedTokens)}; add --yes to run it, raise --max-estimated-tokens, lower --max-tokens, or use --dry-run to only see the plan`,
    );
  }
  if (problems.length > 0) throw new InputError(problems);
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** Resolves after the current turn of the event loop: pending promise callbacks have run. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  // A second Ctrl-C ends the run by itself (end line, file closed, exit 130).
  if (session.aborted()) {
    await session.close();
    return EXIT.interrupted;
  }
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
  if (!session.aborted()) {
    session.counters.write({ type: 'end', reason: 'error', endMs: session.clock.now(), sent: session.counters.sent, dropped: session.counters.dropped, message });
  }
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
 * `humanText` replaces the table on stderr (the probe prints its own block).
 */
export function renderOutputs(io: CliIo, settings: RunSettings, result: AnalysisResult, expectations: ExpectationResult[], humanText?: (width: number) => string): void {
  // --quiet means no table at all (its help says so), whether or not stdout carries data.
  if (!settings.quiet) {
    const color = settings.color && Boolean(io.stderr.isTTY);
    const width = io.stderr.columns ?? 80;
    io.stderr.write(humanText ? humanText(width) : renderReport(result, { format: 'table', color, width, expectations }));
  }
  if (settings.json) io.stdout.write(renderReport(result, { format: 'json', color: false }));
  if (settings.format !== null) {
    const text = renderReport(result, { format: settings.format, color: settings.color && Boolean(io.stdout.isTTY), expectations });
    if (settings.outPath !== null) writeUserFile('--out', resolve(io.cwd, settings.outPath), text);
    else io.stdout.write(text);
  }
  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) writeUserFile('GITHUB_STEP_SUMMARY', stepSummary, renderReport(result, { format: 'markdown', color: false, expectations }), true);
  if (settings.junitPath !== null) writeUserFile('--junit', resolve(io.cwd, settings.junitPath), renderJunit(expectations, result.summary));
}

/**
 * Writes (or appends to) a file the user named, creating its folders. The paths were
 * checked before the run; a failure now (disk full, a folder removed meanwhile) is
 * still the user's environment, not a bug: an InputError naming the flag, exit 2.
 */
function writeUserFile(what: string, path: string, text: string, append = false): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    if (append) appendFileSync(path, text);
    else writeFileSync(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(`${what} ${path}: cannot write (${code}); the recording holds the run, so \`aoai-probe report\` can render it again`);
  }
}
