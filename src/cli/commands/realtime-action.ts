/**
 * What `aoai-probe realtime` does (its flags are in realtime.ts), and the realtime runs
 * of `probe --kind realtime` and of `run` with realtime phases: reads the phases from the
 * flags, opens the sessions through the one firing loop (src/run/realtime/run-sessions.ts)
 * against the target or the embedded simulator, and analyses the recording from the file,
 * as `report` would.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from '../io.js';
import { EXIT, InputError } from '../../errors.js';
import { parseDuration, parseRate } from '../../parse/units.js';
import { RECORDING_VERSION, type AdvertisedLimits, type RecordLine, type RecordSink } from '../../record/types.js';
import { secretsOfUrl } from '../../record/redact.js';
import { createRecordingWriter, defaultRecordingPath } from '../../record/writer.js';
import { createRealClock } from '../../run/pacing/real-clock.js';
import { isLoopbackUrl } from '../../run/loopback.js';
import { describeTarget, targetSecrets } from '../../run/target.js';
import { resolveRealtimeTarget, simulatorRealtimeTarget } from '../../run/realtime/target.js';
import { sessionsOf, shardSessionCounts, type RealtimePhase, type RealtimeSchedule } from '../../run/realtime/sources.js';
import type { TargetSpec } from '../../run/types.js';
import { evaluateExpectations } from '../../expect/evaluate.js';
import { parseExpectations } from '../../expect/parse.js';
import { assertExpectationsMet } from '../../expect/failures.js';
import { startSimulatorInWorker } from '../../sim/worker-simulator.js';
import { SimulatorConfigError } from '../../sim/config-error.js';
import type { RunningSimulator } from '../../sim/server.js';
import type { SimulatorProfile } from '../../sim/options.js';
import { optionalCount, optionalDuration, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type ScenarioDefaults } from '../run-settings.js';
import { TOOL_VERSION } from '../version.js';
import { synchroniseShard, type ShardStart } from '../shard-start.js';

/** The realtime phase the flags ask for; throws InputError listing every problem. */
export function realtimePhaseFromFlags(raw: RawOptions): { phase: RealtimePhase; behaviour: { maxOutputTokens?: number; eventTimeoutMs?: number; turnGapMs?: number } } {
  const problems = new Problems();
  const sessions = optionalCount(problems, raw.sessions, '--sessions') ?? 10;
  const turns = optionalCount(problems, raw.turns, '--turns', 0) ?? 0;
  const holdMs = optionalDuration(problems, raw.hold, '--hold') ?? 0;
  const turnGapMs = optionalDuration(problems, raw.turnGap, '--turn-gap') ?? 0;
  const maxOutputTokens = optionalCount(problems, raw.maxOutputTokens, '--max-output-tokens');
  const eventTimeoutMs = optionalDuration(problems, raw.eventTimeout, '--event-timeout');
  let ratePerSecond: number | null = null;
  if (typeof raw.openRate === 'string') ratePerSecond = problems.attempt(() => parseRate(raw.openRate as string, '--open-rate')) ?? null;
  if (ratePerSecond !== null && ratePerSecond <= 0) problems.add('--open-rate: the rate must be above zero; e.g. --open-rate 5/s');
  let phase: RealtimePhase;
  if (typeof raw.ramp === 'string') {
    const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(raw.ramp);
    const everyMs = match ? problems.attempt(() => parseDuration(match[2]!, '--ramp')) : undefined;
    if (!match || everyMs === undefined || everyMs <= 0 || Number(match[1]) < 1) problems.add(`--ramp: "${raw.ramp}" is not STEP/EVERY; write it like --ramp 2/1s (+2 sessions every second)`);
    if (ratePerSecond !== null) problems.add('--ramp and --open-rate both set the pace of opening; use one of them');
    if (turns > 0) problems.add('--ramp holds sessions to count them; --turns applies to --sessions without --ramp');
    phase = { kind: 'session-ramp', name: 'session-ramp', step: Number(match?.[1] ?? 1), everyMs: everyMs ?? 1000, max: sessions, holdAfterMs: holdMs };
  } else if (turns > 0) {
    phase = { kind: 'turns', name: 'turns', sessions, turns, turnGapMs, maxOutputTokens: maxOutputTokens ?? 16, purpose: 'turns' };
  } else {
    phase = { kind: 'sessions', name: 'sessions', count: sessions, ratePerSecond, holdMs, turns: 0 };
  }
  problems.throwIfAny();
  return {
    phase,
    behaviour: { ...(maxOutputTokens !== null ? { maxOutputTokens } : {}), ...(eventTimeoutMs !== null ? { eventTimeoutMs } : {}), turnGapMs },
  };
}

/** Runs `realtime` with the flags commander parsed; returns the exit code. */
export async function runRealtimeCommand(io: CliIo, raw: RawOptions): Promise<number> {
  if (raw.kind !== undefined && raw.kind !== 'realtime') throw new InputError(`--kind: "${String(raw.kind)}" does not apply to realtime sessions; leave it out (or --kind realtime), or use burst, steady or probe for HTTP kinds`);
  const { phase, behaviour } = realtimePhaseFromFlags(raw);
  return runRealtimePlan(io, { ...raw, kind: undefined }, 'realtime', [phase], behaviour, 0);
}

/**
 * The discovery of `probe --kind realtime`: a session ramp (the concurrency cap),
 * then sessions opened at a steady pace for a minute (the open rate), then one
 * session's responses (responses per minute and the bucket), with a pause between
 * them long enough for the previous experiment's limits to recover (`--phase-gap`,
 * default 60 s, the longest window of the documented realtime limits). Its figures
 * come from the recording alone, like every other summary.
 */
export function realtimeProbePhases(raw: RawOptions): { phases: RealtimePhase[]; gapMs: number } {
  const problems = new Problems();
  const gapMs = optionalDuration(problems, raw.phaseGap, '--phase-gap') ?? 60_000;
  const rampMax = optionalCount(problems, raw.rampMax, '--ramp-max') ?? 40;
  const opens = optionalCount(problems, raw.opens, '--opens') ?? 90;
  const opensOver = optionalDuration(problems, raw.opensOver, '--opens-over') ?? 60_000;
  const turns = optionalCount(problems, raw.turns, '--turns') ?? 120;
  const turnGapMs = optionalDuration(problems, raw.turnGap, '--turn-gap') ?? 250;
  const rampEvery = optionalDuration(problems, raw.rampEvery, '--ramp-every') ?? 1000;
  if (opensOver <= 0) problems.add('--opens-over: must be above zero; e.g. --opens-over 60s');
  problems.throwIfAny();
  return {
    gapMs,
    phases: [
      { kind: 'session-ramp', name: 'probe-ramp', step: 2, everyMs: rampEvery, max: rampMax, holdAfterMs: 500 },
      { kind: 'sessions', name: 'probe-opens', count: opens, ratePerSecond: (opens * 1000) / opensOver, holdMs: 0, turns: 0 },
      // Paced faster than any documented response limit (4 per second against 30 per minute), long enough to see the refill.
      { kind: 'turns', name: 'probe-turns', sessions: 1, turns, turnGapMs, maxOutputTokens: 16, purpose: 'turns' },
    ],
  };
}

/** `probe --kind realtime`: the discovery phases through the same plumbing as `realtime`. */
export async function runRealtimeProbe(io: CliIo, raw: RawOptions): Promise<number> {
  const { phases, gapMs } = realtimeProbePhases(raw);
  return runRealtimePlan(io, { ...raw, kind: undefined }, 'probe', phases, {}, gapMs);
}

/** What `run` adds when the phases come from a scenario file: its defaults (flags win) and how the recording names it. */
export interface RealtimeScenario {
  defaults: Omit<ScenarioDefaults, 'target' | 'targets'>;
  name: string;
  file: string;
}

/**
 * Runs realtime phases and reports them: `realtime`, `probe --kind realtime` and `run`
 * with a scenario of realtime phases all come here, so each records and reports alike.
 */
export async function runRealtimePlan(
  io: CliIo,
  raw: RawOptions,
  commandName: 'realtime' | 'probe' | 'run',
  phases: RealtimePhase[],
  behaviour: { maxOutputTokens?: number; eventTimeoutMs?: number; turnGapMs?: number },
  phaseGapMs: number,
  scenario?: RealtimeScenario,
): Promise<number> {
  // The shared flags are read without the target: a realtime target is a ws:// URL the HTTP rules refuse.
  const settings = readRunSettings(
    { ...raw, url: undefined, endpoint: undefined, deployment: undefined, apiVersion: undefined, api: undefined, apiKey: undefined, bearer: undefined },
    io.cwd,
    { ...io.env, AZURE_OPENAI_ENDPOINT: undefined },
    scenario?.defaults ?? {},
  );
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  if (settings.simProfile !== null && (text('url') || text('endpoint'))) {
    throw new InputError('--sim cannot be combined with --url or --endpoint: --sim starts the embedded simulator as the target; drop one of them');
  }
  const given =
    settings.simProfile === null
      ? resolveRealtimeTarget(
          { url: text('url'), endpoint: text('endpoint'), deployment: text('deployment'), apiVersion: text('apiVersion'), api: text('api'), apiKey: text('apiKey'), bearer: text('bearer') },
          io.env,
        )
      : null;
  // A shard opens its share of every phase's sessions (docs/sharding.md); the plan shown and checked is that share.
  const shard = settings.shard !== null && settings.shard.count > 1 ? { index: settings.shard.index, count: settings.shard.count } : null;
  const ownSessions = shard === null ? phases.map(sessionsOf) : shardSessionCounts(phases, shard);
  const planned = ownSessions.reduce((sum, count) => sum + count, 0);
  if (shard !== null && planned === 0) {
    const whole = phases.reduce((sum, phase) => sum + sessionsOf(phase), 0);
    throw new InputError(`shard ${shard.index} of ${shard.count} gets no session: the plan opens ${whole}; use at most ${whole} shards, or raise --sessions`);
  }
  const plannedTurns = phases.reduce((sum, phase, index) => sum + (phase.kind === 'turns' ? ownSessions[index]! * phase.turns : phase.kind === 'sessions' ? ownSessions[index]! * phase.turns : 0), 0);
  const where = given === null ? 'the embedded simulator' : describeTarget(given).url;
  const shareText = shard === null ? '' : ` (shard ${shard.index} of ${shard.count}'s share)`;
  const planLine = `Plan: realtime ${phases.map((phase) => phase.kind).join(', then ')}, ${planned} session${planned === 1 ? '' : 's'}${plannedTurns > 0 ? ` and ${plannedTurns} responses` : ''}${shareText} to ${where}.\n`;
  if ((given !== null && !isLoopbackUrl(given.url.replace(/^ws/, 'http'))) || settings.dryRun) io.stderr.write(planLine);
  if (given !== null && !isLoopbackUrl(given.url.replace(/^ws/, 'http')) && !settings.yes && planned + plannedTurns > settings.maxRequests) {
    throw new InputError(`this plan opens ${planned} sessions and sends ${plannedTurns} responses to a real target, above --max-requests ${settings.maxRequests}; add --yes to run it, raise --max-requests, or use --dry-run to only see the plan`);
  }
  // Checked before anything is sent, on a shard too (whose checks the merged report makes).
  const parsedExpectations = parseExpectations(settings.expectations);
  if (settings.dryRun) return EXIT.ok;
  // The WebSocket client (ws), the analysis and the reports load once the plan is good: bad input exits 2 without them.
  const { runRealtimePhases } = await import('../../run/realtime/run-sessions.js');
  const { analyseRecordingFile, renderOutputs } = await import('../outputs.js');

  const recordingPath = settings.recordPath !== null ? resolve(io.cwd, settings.recordPath) : defaultRecordingPath(io.cwd, commandName, new Date());
  const secrets = given === null ? [] : [...targetSecrets([given]), ...secretsOfUrl(given.url)];
  const writer = createRecordingWriter({ path: recordingPath, secrets });
  let simulator: RunningSimulator | null = null;
  let target: TargetSpec;
  const advertised: AdvertisedLimits = { tpm: settings.advertised.tpm, rpm: settings.advertised.rpm, source: settings.advertised.source };
  if (given !== null) {
    target = given;
  } else {
    const profile = (settings.simProfile ?? 'azure-realtime') as SimulatorProfile;
    try {
      simulator = await startSimulatorInWorker({ profile });
    } catch (error) {
      await writer.close().catch(() => undefined);
      if (error instanceof SimulatorConfigError) throw new InputError(error.problems);
      throw error;
    }
    io.stderr.write(`Started the embedded simulator (${simulator.describe()}) on ${simulator.url}\n`);
    target = simulatorRealtimeTarget(simulator.url, text('deployment') ?? 'gpt-realtime', simulator.profile);
  }

  // The shared start is met when the recording is open and the simulator is up; nothing has been sent yet.
  let shardStart: ShardStart | null = null;
  if (settings.shard !== null) {
    try {
      shardStart = await synchroniseShard(io, settings.shard, settings.clockSkewMs);
    } catch (error) {
      await writer.close().catch(() => undefined);
      rmSync(recordingPath, { force: true });
      await simulator?.close();
      throw error;
    }
  }

  const clock = createRealClock();
  let ended = false;
  const sink: RecordSink = {
    write(line: RecordLine) {
      if (!ended) writer.write(line);
    },
  };
  const stop = new AbortController();
  const abort = new AbortController();
  let interrupts = 0;
  const unsubscribe = io.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr.write('\nStopping: no new sessions; closing those open (Ctrl-C again to cut them at once).\n');
      stop.abort();
    } else abort.abort();
  });
  sink.write({
    type: 'run',
    v: RECORDING_VERSION,
    tool: { name: 'aoai-probe', version: TOOL_VERSION },
    command: commandName,
    startedAt: new Date(shardStart?.wallNow() ?? Date.now()).toISOString(),
    advertised,
    targets: [describeTarget(target)],
    payload: { kind: 'responses', model: target.deployment, maxTokens: behaviour.maxOutputTokens ?? 16, promptTokens: null, stream: true },
    scenario: scenario === undefined ? { phases, phaseGapMs } : { name: scenario.name, file: scenario.file, phases, phaseGapMs },
    ...(shardStart !== null ? { shard: { ...shardStart.identity, clockZeroEpochMs: shardStart.wallNow() - clock.now() } } : {}),
  });
  const startAtClockMs = shardStart?.startAtLocalEpochMs == null ? null : clock.now() + (shardStart.startAtLocalEpochMs - shardStart.wallNow());
  if (startAtClockMs !== null && startAtClockMs - clock.now() > 1000) io.stderr.write(`Waiting ${((startAtClockMs - clock.now()) / 1000).toFixed(1)} s for the shared start (${shardStart!.identity.startAt})\n`);
  if (startAtClockMs !== null && startAtClockMs < clock.now()) {
    io.stderr.write(`note: the shared start passed ${((clock.now() - startAtClockMs) / 1000).toFixed(3)} s ago; starting now (the merged report shows the shards' spread)\n`);
  }
  // Sharded or timed: phases at planned instants, so every shard starts each phase at the same time.
  const schedule: RealtimeSchedule =
    settings.shard === null ? {} : { plannedStarts: true, ...(shard !== null ? { shard } : {}), ...(startAtClockMs !== null ? { notBeforeMs: startAtClockMs } : {}) };
  let sent = 0;
  let dropped = 0;
  let reason: 'completed' | 'interrupted' | 'budget' | 'error' = 'completed';
  try {
    const result = await runRealtimePhases({ target, phases, clock, sink, behaviour, stopSignal: stop.signal, abortSignal: abort.signal, phaseGapMs, schedule });
    sent = result.sent;
    dropped = result.dropped;
    reason = interrupts > 0 ? 'interrupted' : result.reason;
  } catch (error) {
    reason = 'error';
    sink.write({ type: 'end', reason, endMs: clock.now(), sent, dropped, message: error instanceof Error ? error.message : String(error) });
    ended = true;
    await writer.close();
    await simulator?.close();
    await shardStart?.close();
    unsubscribe();
    throw error;
  }
  sink.write({ type: 'end', reason, endMs: clock.now(), sent, dropped });
  ended = true;
  unsubscribe();
  await writer.close();
  await simulator?.close();
  await shardStart?.close();

  const analysed = await analyseRecordingFile(io, recordingPath);
  // One shard's share is not the run: its checks belong to the merged report (docs/sharding.md).

  if (shard !== null && settings.expectations.length > 0) io.stderr.write(`note: the ${settings.expectations.length} expectation${settings.expectations.length === 1 ? ' is' : 's are'} checked on the merged report (aoai-probe report with every shard's recording and --expect), not on one shard\n`);
  const expectations = evaluateExpectations(shard === null ? parsedExpectations : [], analysed.summary);
  renderOutputs(io, settings, analysed, expectations);
  io.stderr.write(`Recording: ${recordingPath}\n`);
  if (reason === 'interrupted') return EXIT.interrupted;
  assertExpectationsMet(expectations);
  return EXIT.ok;
}
