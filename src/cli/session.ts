/**
 * One run of a sending command, from validated settings to exit code: the shared
 * plumbing of burst, steady, ramp, run and probe. Each concern has its own file:
 * consent.ts (the plan shown, --yes), embedded-simulator.ts (no target given),
 * interrupts.ts (Ctrl-C), outputs.ts (analysis of the file, renderings, progress); the
 * recording itself is src/run/recorded-run.ts, the same for every command.
 *
 *   resolve the target (or start the embedded simulator) → show the plan and ask for
 *   consent when the target is not loopback → open the recording → run line → send (a
 *   fixed plan, or the probe's experiments) → end line → analyse the recording FILE
 *   with the same code `report` runs → render → check expectations → exit code.
 *
 * The commands' actions import this module with `import()` once their flags are checked:
 * it brings the runner, the embedded simulator's launcher, the analysis and the reports
 * (about 220 files with hdr-histogram-js, chalk and cli-table3), which bad input never
 * needs. With it, `burst --url ""` exits 2 after loading 70 files in 0.15 s (0.15 s CPU)
 * instead of 0.45 s (0.59 s CPU); bench/NOTES.md "Start-up cost of a spawned CLI".
 */
import { devNull } from 'node:os';
import { resolve } from 'node:path';
import type { CliIo } from './io.js';
import type { RunSettings } from './run-settings.js';
import { TOOL_VERSION } from './version.js';
import { EXIT, InputError } from '../errors.js';
import { RECORDING_VERSION, type AdvertisedLimits, type RecordSink, type TargetDescription } from '../record/types.js';
import { secretsOfUrl } from '../record/redact.js';
import type { Phase } from '../schedule/types.js';
import type { Clock } from '../run/pacing/clock.js';
import type { PayloadOverrides, TargetSpec } from '../run/types.js';
import { describeTarget, resolveTarget, targetSecrets } from '../run/target.js';
import { startEntraToken } from './entra.js';
import type { RefreshingBearerToken } from '../run/bearer-tokens.js';
import { AuthStopWatch, type AuthStop } from '../run/auth-stop.js';
import { chooseProxy, createProxyDispatcher, proxySecrets, proxyUrlProblem, type ProxyChoice } from '../run/proxy.js';
import type { Dispatcher } from 'undici';
import type { HttpTransport } from '../run/transport/transport.js';
import { createTransportFor } from '../run/transport/transport-choice.js';
import { createRealClock } from '../run/pacing/real-clock.js';
import { runPlan, type RunPlanOptions } from '../run/runner.js';
import { LiveCounters } from '../run/live-counters.js';
import { RecordedRun, recordRun, type RunEnding } from '../run/recorded-run.js';
import { planScenario } from '../schedule/plan.js';
import { planNeedsWarmUp, warmUp } from '../run/warm-up.js';
import { createRecordingWriter, defaultRecordingPath, type RecordingWriter } from '../record/writer.js';
import { DEFAULT_RECORDING_FOLDER } from '../record/recording-path.js';
import { parseExpectations } from '../expect/parse.js';
import { evaluateExpectations } from '../expect/evaluate.js';
import { assertExpectationsMet } from '../expect/failures.js';
import type { Expectation } from '../expect/types.js';
import type { AnalysisResult } from '../analysis/result-types.js';
import type { RunningSimulator } from '../sim/index.js';
import { checkConsent, isLoopbackUrl, planText } from './consent.js';
import { startEmbeddedSimulator, startLaneSimulator } from './embedded-simulator.js';
import type { RetryPolicy } from '../retry/types.js';
import type { CallerLimits } from '../retry/caller-book.js';
import { lanePhaseParams } from '../run/retry-lab-source.js';
import { watchInterrupts } from './interrupts.js';
import { analyseRecordingFile, renderOutputs, startProgress } from './outputs.js';
import { shardPlan } from '../schedule/shard.js';
import { synchroniseShard, type ShardStart } from './shard-start.js';

export { checkConsent, isLoopbackUrl, planText, plannedTokens } from './consent.js';
export { analyseRecordingFile, renderOutputs } from './outputs.js';

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

/** A run in progress: what a driver (a fixed plan, or the probe's experiments) uses to send. */
export interface Session {
  readonly io: CliIo;
  readonly plan: SessionPlan;
  readonly target: TargetSpec;
  readonly targetDescription: TargetDescription;
  readonly transport: HttpTransport;
  readonly clock: Clock;
  /** The recording: its run line is written; `sink` is where every line goes. */
  readonly recording: RecordedRun;
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
  /** Why the run stopped early because the target refused its configuration (src/run/auth-stop.ts), or null. */
  authStop(): AuthStop | null;
  /** Clock time of the shared start of a sharded run (docs/sharding.md), or null: start at once. */
  readonly startAtClockMs: number | null;
}

/** The commands whose plan `--shard` can split (the retry lab splits its callers; realtime has its own session, src/cli/commands/realtime.ts). */
const SHARDED_COMMANDS: readonly SessionPlan['command'][] = ['burst', 'steady', 'ramp', 'run', 'retry'];

/**
 * Why a command cannot be split, and what to do instead (docs/sharding.md). The HTTP
 * probe chooses each experiment from the answers to the last one; a shard sees only its
 * own answers, so N shards would choose differently, drift apart, and their recordings
 * would be N small probes rather than one measurement of the whole.
 */
const UNSHARDABLE: Partial<Record<SessionPlan['command'], string>> = {
  probe:
    'probe cannot be sharded: it chooses each experiment from the answers to the last one, and a shard sees only its own answers, so the shards would choose different experiments and their recordings would not merge into one measurement. Run probe on one machine (the limit it finds is what the target admits, whoever sends), then shard a fixed plan at its figures (burst, steady, ramp or run with --shard I/N); probe --kind realtime (a fixed plan) takes --shard',
};

/** How long in-flight requests may finish after the plan ends or the first Ctrl-C, ms. */
export const GRACE_MS = 5_000;

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
  const shard = plan.settings.shard;
  const unsplitPlan = planScenario(phases);
  const scenarioPlan = shard === null ? unsplitPlan : shardPlan(unsplitPlan, shard);
  if (shard !== null && shard.count > 1) {
    // Why: the shards' seqs are the unsplit plan's numbers only while one planned request is one request.
    if (targetCount > 1) throw new InputError('--shard splits a plan for one target; with several --target run one sharded run per target (each with its own --record)');
    if (plan.retry !== undefined) throw new InputError('--shard cannot be combined with --retry (retries would take numbers of the other shards\' requests); drop one of them');
    if (scenarioPlan.totalRequests === 0 && unsplitPlan.totalRequests > 0) {
      throw new InputError(`shard ${shard.index} of ${shard.count} gets no request: the plan has ${unsplitPlan.totalRequests}; use at most ${unsplitPlan.totalRequests} shards`);
    }
    plan = { ...plan, plannedRequests: scenarioPlan.totalRequests };
  }
  if (scenarioPlan.totalRequests === 0) {
    // Waiting out a plan that sends nothing, then exiting 0, would pass a CI check that measured nothing.
    throw new InputError([`this plan sends no request (${NO_REQUEST_FIX[plan.command] ?? 'give it a phase that sends'})`]);
  }
  const warm = planNeedsWarmUp(scenarioPlan);
  // With --retry the consent plan counts each caller's worst case: all its attempts.
  const attemptsPerRequest = plan.retry === undefined ? 1 : (plan.retry.policy.maxAttempts ?? plan.retry.limits.maxAttempts);
  const session = await openSession(io, { ...plan, plannedRequests: plan.plannedRequests * attemptsPerRequest, payloadVariants, warmUp: warm });
  if (session === null) return EXIT.ok;
  return runSession(session, async () => {
    const options = session.runnerOptions(plan.settings.maxInFlight ?? defaultMaxInFlight(phases));
    if (session.startAtClockMs !== null) options.notBeforeMs = session.startAtClockMs;
    if (shard !== null && shard.count > 1) {
      options.firstSeq = shard.index;
      options.seqStep = shard.count;
      // `requests` stays the whole phase's count (what the plan asked for); the shard's own share is beside it.
      options.phaseParams = (planned) => ({ shardRequests: planned.offsets.length });
    }
    if (plan.retry !== undefined) {
      const epochOffset = Date.now() - session.clock.now();
      options.retry = { ...plan.retry, epochAt: (clockMs) => epochOffset + clockMs };
      // Each phase line names the policy and its parameters, so the recording alone says how it retried.
      const policyParams = lanePhaseParams({ policy: plan.retry.policy, target: '' });
      options.phaseParams = () => ({ ...policyParams, maxAttempts: plan.retry!.limits.maxAttempts, giveUpAfterMs: plan.retry!.limits.giveUpAfterMs });
    }
    const result = await runPlan(scenarioPlan, options);
    return { reason: session.interrupted() ? 'interrupted' : result.reason, unsent: result.unsent };
  });
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

/** A session whose recording is open: what runSession drives and closes. */
export interface OpenSession extends Session {
  /** Whether a second Ctrl-C is ending the run (it writes the end line and exits by itself). */
  aborted(): boolean;
  /** Closes the transport, the recording and the simulator (after a second Ctrl-C: waits for its ending). */
  close(): Promise<void>;
  stopProgress(): void;
}

/** What a command adds to the common ending: its own block instead of the table, and notes after it. */
export interface SessionRendering {
  /** Replaces the table on stderr, from the analysed recording. */
  humanText?: (result: AnalysisResult, width: number) => string;
  notes?: readonly string[];
  /** An exit code other than 0 for a run that completed but measured nothing a command promises (null: 0). */
  exitCodeOf?: (result: AnalysisResult) => number | null;
}

/**
 * Sends through `send` inside the session's recorded run (src/run/recorded-run.ts: end
 * line, or an "error" end line when `send` throws), closes everything, analyses the
 * recording file and renders it. Returns the exit code.
 */
export async function runSession(session: OpenSession, send: () => Promise<RunEnding>, rendering: SessionRendering | ((ending: RunEnding) => SessionRendering) = {}): Promise<number> {
  const { io, plan } = session;
  let ending: RunEnding;
  try {
    ending = await recordRun(session.recording, { now: () => session.clock.now(), beforeEnd: () => session.stopProgress() }, async () => {
      const sent = await send();
      // A target that refused the configuration from the start: an "error" end line carrying the sentence.
      const stop = session.authStop();
      return stop === null ? sent : { reason: 'error', message: stop.sentence };
    });
  } catch (error) {
    // What was measured before the failure is written, under an honest end line.
    await session.close();
    throw error;
  }
  // A second Ctrl-C ends the run by itself (end line, file closed, exit 130).
  if (session.aborted()) {
    await session.close();
    return EXIT.interrupted;
  }
  await session.close();
  const authStop = session.authStop();
  if (authStop !== null) endForBadConfiguration(session, authStop);

  const result = await analyseRecordingFile(io, session.recordingPath);
  // One shard's share is not the run: its checks belong to the merged report (docs/sharding.md).
  const oneShard = plan.settings.shard !== null && plan.settings.shard.count > 1;
  const expectationResults = evaluateExpectations(oneShard ? [] : session.expectations, result.summary);
  if (oneShard && session.expectations.length > 0) io.stderr.write(`note: the ${session.expectations.length} expectation${session.expectations.length === 1 ? ' is' : 's are'} checked on the merged report (aoai-probe report with every shard's recording and --expect), not on one shard\n`);
  const { humanText, notes, exitCodeOf } = typeof rendering === 'function' ? rendering(ending) : rendering;
  renderOutputs(io, plan.settings, result, expectationResults, humanText ? (width) => humanText(result, width) : undefined);
  for (const note of notes ?? []) io.stderr.write(`note: ${note}\n`);
  io.stderr.write(`Recording: ${session.recordingPath}\n`);

  if (ending.reason === 'interrupted') return EXIT.interrupted;
  assertExpectationsMet(expectationResults);
  return exitCodeOf?.(result) ?? EXIT.ok;
}

/**
 * Ends a run the target refused as configured (401/403/404 from the start): the
 * recording (already closed, with an `error` end line carrying the sentence) is named,
 * then the sentence itself is thrown as bad input (exit 2) instead of a table of
 * failures. The recording keeps every request.
 */
function endForBadConfiguration(session: OpenSession, stop: AuthStop): never {
  session.io.stderr.write(`Recording: ${session.recordingPath}\n`);
  throw new InputError(stop.sentence);
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
  let given = named.length > 0 ? named[0]! : settings.simProfile === null ? resolveTarget({ ...settings.targetFlags }, io.env) : null;
  const realTarget = named.length > 0 ? named.some((spec) => !isLoopbackUrl(spec.url)) : given !== null && !isLoopbackUrl(given.url);
  // Checked before anything is sent: a proxy the transport cannot use, or a broken proxy variable, is bad input.
  const givenProxy = given === null ? null : proxyFor(given.url, settings);

  // The plan is shown before anything is sent: always against a real target, and on --dry-run.
  if (realTarget || settings.dryRun) io.stderr.write(planText(plan, given, named));
  if (realTarget) checkConsent(plan);
  if (settings.shard !== null && !SHARDED_COMMANDS.includes(plan.command)) throw new InputError(UNSHARDABLE[plan.command] ?? `--shard, --start-at and --coordinator split a plan fixed in advance (${SHARDED_COMMANDS.join(', ')}, realtime); ${plan.command} chooses what it sends from the answers, so run it on one machine`);
  if (settings.dryRun) return null;

  // Keyless Entra ID: the first token before anything else, so a missing login costs nothing (exit 2).
  let entraToken: RefreshingBearerToken | null = null;
  if (given !== null && given.auth.entra === true) {
    entraToken = await startEntraToken((message) => io.stderr.write(`${message}\n`));
    given = { ...given, auth: { entra: true, bearerSource: entraToken } };
  }

  // The recording opens before the simulator starts or anything is sent, so a bad --record path costs nothing.
  const recordingPath = settings.recordPath !== null ? resolve(io.cwd, settings.recordPath) : defaultRecordingPath(io.cwd, plan.command, new Date());
  const secretTargets = given === null ? [] : named.length > 0 ? named : [given];
  const secrets = [...targetSecrets(secretTargets), ...secretTargets.flatMap((spec) => secretsOfUrl(spec.url)), ...proxySecrets(settings.proxy)];
  let recording: RecordedRun;
  try {
    recording = RecordedRun.open({ path: recordingPath, secrets, ...(settings.recordPath === null ? { defaultFolder: `./${DEFAULT_RECORDING_FOLDER}` } : {}) });
  } catch (error) {
    entraToken?.close();
    throw error;
  }

  let target: TargetSpec;
  let simulator: RunningSimulator | null = null;
  /** The extra simulators of the retry lab's lanes (the first lane uses `simulator`). */
  const laneSimulators: RunningSimulator[] = [];
  const laneIds = given === null && plan.simulatorLanes !== undefined && plan.simulatorLanes.length > 0 ? plan.simulatorLanes : null;
  let advertised: AdvertisedLimits = { tpm: settings.advertised.tpm, rpm: settings.advertised.rpm, source: settings.advertised.source };
  if (given !== null) {
    target = given;
  } else {
    try {
      ({ simulator, target, advertised } = await startEmbeddedSimulator(settings, advertised));
      if (laneIds !== null) {
        const started = await Promise.allSettled(laneIds.slice(1).map(() => startLaneSimulator(settings)));
        for (const outcome of started) if (outcome.status === 'fulfilled') laneSimulators.push(outcome.value);
        const failure = started.find((outcome) => outcome.status === 'rejected');
        if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
      }
    } catch (error) {
      await Promise.all([simulator, ...laneSimulators].map((running) => running?.close()));
      await recording.discard();
      throw error;
    }
    const opening = settings.simProfile === null ? 'No target given: started the embedded Azure OpenAI simulator' : 'Started the embedded simulator';
    const lanesNote = laneIds === null ? '' : `, one fresh instance for each of ${laneIds.length} lanes`;
    io.stderr.write(`${opening} (${simulator.describe()}) on ${simulator.url}${lanesNote}\n`);
  }

  const stopController = new AbortController();
  // The first answers decide whether the configuration works at all (401/403/404 stop the run).
  const authWatch = new AuthStopWatch({
    credential: target.auth.entra === true ? 'entra' : target.auth.apiKey !== undefined ? 'api-key' : target.auth.bearer !== undefined ? 'bearer' : 'none',
    deployment: target.deployment,
    azure: target.kind === 'azure' && settings.targetFlags.url === undefined,
  });
  const counters = recording.sink;
  /**
   * Every line of the run goes through here: to the recording (counted), then, for a
   * request line, to the watch. A stop for a bad configuration is the first stage of
   * stopping: nothing new starts, in-flight requests finish.
   */
  const sink: RecordSink = {
    write: (line) => {
      counters.write(line);
      if (line.type === 'request' && authWatch.stop === null && authWatch.observe(line) !== null) stopController.abort();
    },
  };
  const clock = createRealClock();
  const proxy = given !== null ? givenProxy : proxyFor(target.url, settings);
  const connections = Math.max(1, settings.maxInFlight ?? Math.min(plan.plannedRequests, 1000));
  // The transport leaves an injected dispatcher open, so the session closes it.
  const proxyDispatcher: Dispatcher | null = proxy === null ? null : createProxyDispatcher(proxy, connections);
  if (proxy !== null) io.stderr.write(`Sending through the proxy ${proxy.host} (${proxy.source === 'flag' ? '--proxy' : 'from the environment'})\n`);
  // An environment proxy left unused must not pass in silence: curl and the SDKs would have used it.
  else if (given !== null && isLoopbackUrl(given.url) && (settings.proxy.httpProxy !== undefined || settings.proxy.httpsProxy !== undefined)) {
    io.stderr.write(`Not using the proxy from the environment: ${new URL(given.url).host} is a loopback address, which stays direct (--proxy URL sends it through a proxy)\n`);
  }
  let transport: HttpTransport;
  let shardStart: ShardStart | null = null;
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
          connections,
          payloadVariants: plan.payloadVariants ?? [],
          ...(proxyDispatcher !== null ? { dispatcher: proxyDispatcher } : {}),
        }),
      });
    }
    transport = sessionTargets[0]!.transport;
    if (laneIds !== null) target = targetSpecs[0]!;
    if (plan.warmUp === true) await warmUpBeforeTheRun(settings, target, secrets, plan.payloadVariants ?? []);
    // A sharded run meets its shared start last, when everything is ready: the lead then
    // only has to cover the run line and the first instant's connections. Nothing has
    // reached the target yet, so a coordinator that cannot be reached costs nothing.
    if (settings.shard !== null) shardStart = await synchroniseShard(io, settings.shard, settings.clockSkewMs);
  } catch (error) {
    // Building the payloads (or meeting the shared start) failed before anything was sent: leave nothing running or half-written.
    entraToken?.close();
    await proxyDispatcher?.close();
    await Promise.all(sessionTargets.map((entry) => entry.transport.close()));
    await Promise.all(laneSimulators.map((running) => running.close()));
    await simulator?.close();
    await recording.discard();
    throw error;
  }

  const abortController = new AbortController();
  let stopProgress: () => void = () => {};
  /** The ending of a second Ctrl-C: writes the end line, closes the file and exits. */
  const abortNow = async (): Promise<void> => {
    // Synchronously, before the cut lets the sending end: this ending's end line wins.
    recording.reserveEnd();
    abortController.abort();
    // Why two turns of the event loop: the cut requests settle synchronously in the
    // transport, and their lines reach the sink in the promise callbacks that follow.
    // Every request that left the machine is then in the file before its end line.
    await nextTurn();
    await nextTurn();
    stopProgress();
    recording.end({ reason: 'interrupted', message: 'aborted by a second interrupt' }, clock.now(), true);
    try {
      await recording.close();
    } finally {
      io.stderr.write(`Aborted. Recording: ${recordingPath}\n`);
      io.exitNow(EXIT.interrupted);
    }
  };
  const interrupts = watchInterrupts(io, () => stopController.abort(), abortNow);

  // Which proxy the requests went through (host and port only) goes on each target of the run line.
  const proxyNote = proxy !== null ? { proxy: { host: proxy.host, source: proxy.source } } : {};
  const targetDescription: TargetDescription = { ...describeTarget(target), ...proxyNote };
  recording.start({
    type: 'run',
    v: RECORDING_VERSION,
    tool: { name: 'aoai-probe', version: TOOL_VERSION },
    command: plan.command,
    startedAt: new Date(shardStart?.wallNow() ?? Date.now()).toISOString(),
    advertised,
    targets: targetSpecs.map((spec): TargetDescription => ({ ...describeTarget(spec), ...proxyNote })),
    payload: {
      kind: settings.payload.kind,
      model: settings.payload.model,
      maxTokens: settings.payload.maxTokens,
      promptTokens: settings.payload.promptTokens,
      stream: settings.payload.stream,
    },
    scenario: { ...(plan.scenario as object), rpmPer1kTpm: settings.advertised.rpmPer1kTpm },
    ...(shardStart !== null ? { shard: { ...shardStart.identity, clockZeroEpochMs: shardStart.wallNow() - clock.now() } } : {}),
  });
  const startAtClockMs = shardStart?.startAtLocalEpochMs == null ? null : clock.now() + (shardStart.startAtLocalEpochMs - shardStart.wallNow());
  if (startAtClockMs !== null && startAtClockMs - clock.now() > 1000) {
    io.stderr.write(`Waiting ${((startAtClockMs - clock.now()) / 1000).toFixed(1)} s for the shared start (${shardStart!.identity.startAt})\n`);
  }
  if (startAtClockMs !== null && startAtClockMs < clock.now()) {
    io.stderr.write(`note: the shared start passed ${((clock.now() - startAtClockMs) / 1000).toFixed(3)} s ago; starting now (the merged report shows the shards' spread)\n`);
  }

  stopProgress = startProgress(io, settings, counters, clock);
  return {
    io,
    plan,
    target,
    targetDescription,
    transport,
    clock,
    recording,
    sink,
    counters,
    recordingPath,
    advertised,
    stopSignal: stopController.signal,
    abortSignal: abortController.signal,
    simulator,
    targets: sessionTargets,
    expectations,
    stopProgress: () => stopProgress(),
    interrupted: () => interrupts.interrupted(),
    authStop: () => authWatch.stop,
    startAtClockMs,
    aborted: () => interrupts.aborting() !== null,
    runnerOptions: (maxInFlight) => ({
      clock,
      ...(named.length > 1 ? { targets: sessionTargets } : { transport, targetId: target.id }),
      sink,
      maxInFlight,
      stopSignal: stopController.signal,
      abortSignal: abortController.signal,
      graceMs: GRACE_MS,
    }),
    close: async () => {
      // After a second Ctrl-C the abort path closes the file and exits; wait for it.
      const aborting = interrupts.aborting();
      if (aborting !== null) return aborting;
      stopProgress();
      interrupts.unsubscribe();
      await Promise.all(sessionTargets.map((entry) => entry.transport.close()));
      entraToken?.close();
      await proxyDispatcher?.close();
      await recording.close();
      await Promise.all(laneSimulators.map((running) => running.close()));
      await simulator?.close();
      await shardStart?.close();
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

/**
 * The proxy `url`'s requests go through (src/run/proxy.ts has the rule), refusing
 * before anything is sent what cannot work: a proxy with the lean transport, or a
 * proxy variable that is not a URL (named, never echoed: it may hold a password).
 */
function proxyFor(url: string, settings: RunSettings): ProxyChoice | null {
  const proxy = chooseProxy(url, settings.proxy);
  if (proxy === null) return null;
  if (proxy.source === 'environment') {
    const problem = proxyUrlProblem(proxy.url);
    const variable = proxy.url === settings.proxy.httpsProxy?.trim() ? 'HTTPS_PROXY' : 'HTTP_PROXY';
    if (problem !== null) throw new InputError(`${variable} (from the environment): the value ${problem}; fix it (e.g. http://proxy.example.com:3128), or add the target's host to NO_PROXY`);
  }
  if (settings.transport === 'lean') {
    const how = proxy.source === 'flag' ? 'drop --proxy' : `add the target's host to NO_PROXY if it is reachable directly`;
    throw new InputError(`the requests would go through the proxy ${proxy.host}, which --transport lean cannot do (it opens its own direct connections); drop --transport lean (the default picks a transport that supports proxies), or ${how}`);
  }
  return proxy;
}

/** Resolves after the current turn of the event loop: pending promise callbacks have run. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
