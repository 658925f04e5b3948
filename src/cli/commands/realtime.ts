/**
 * `aoai-probe realtime`: WebSocket sessions against a realtime API (Azure OpenAI,
 * OpenAI, Voice Live, any ws:// URL) or the embedded simulator — the open rate,
 * the concurrency cap, responses and tokens per minute, and every way a session
 * is refused (docs/realtime.md).
 *
 *   --sessions N --open-rate R/s     N sessions at R per second (default: all at once),
 *                                    each closed after session.created unless --hold
 *   --hold D --turns K               keep each open D, send K response.create turns
 *   --ramp STEP/EVERY                +STEP sessions every EVERY, held until the end
 *                                    (the concurrency experiment), up to --sessions
 *
 * Sessions go through the one firing loop (src/run/realtime/run-sessions.ts); the
 * recording is analysed from the file, as `report` would.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { EXIT, InputError } from '../../errors.js';
import { parseDuration, parseRate } from '../../parse/units.js';
import { RECORDING_VERSION, type AdvertisedLimits, type RecordLine, type RecordSink } from '../../record/types.js';
import { secretsOfUrl } from '../../record/redact.js';
import { createRecordingWriter, defaultRecordingPath } from '../../record/writer.js';
import { createRealClock } from '../../run/real-clock.js';
import { describeTarget, targetSecrets } from '../../run/target.js';
import { resolveRealtimeTarget, simulatorRealtimeTarget } from '../../run/realtime/target.js';
import { runRealtimePhases } from '../../run/realtime/run-sessions.js';
import type { RealtimePhase } from '../../run/realtime/sources.js';
import type { TargetSpec } from '../../run/types.js';
import { evaluateExpectations } from '../../expect/evaluate.js';
import { parseExpectations } from '../../expect/parse.js';
import { assertExpectationsMet } from '../../expect/failures.js';
import { startSimulatorInWorker, SimulatorConfigError, type RunningSimulator } from '../../sim/index.js';
import type { SimulatorProfile } from '../../sim/options.js';
import { addAdvertisedOptions, addOutputOptions, addTargetOptions, optionalCount, optionalDuration, Problems, type RawOptions } from '../options.js';
import { readRunSettings } from '../run-settings.js';
import { analyseRecordingFile, isLoopbackUrl, renderOutputs } from '../session.js';
import { TOOL_VERSION } from '../version.js';

const HELP_AFTER = `
Targets (as for HTTP; keys never reach the recording):
  --url wss://NAME.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime
  --endpoint https://NAME.openai.azure.com --deployment gpt-realtime [--api v1]
  --url wss://api.openai.com/v1/realtime?model=gpt-realtime --bearer $OPENAI_API_KEY
  no target: the embedded simulator (--sim azure-realtime by default, or --sim speech)

Examples:
  aoai-probe realtime --sim speech --sessions 40 --open-rate 10/s        # the open rate
  aoai-probe realtime --sim speech --sessions 30 --ramp 2/1s             # the concurrency cap
  aoai-probe realtime --sim azure-realtime --sessions 1 --turns 40       # responses per minute
`;

/** Registers `realtime`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('realtime')
    .description('open WebSocket sessions (realtime API or any ws:// URL) and measure how they are limited')
    .option('--sessions <n>', 'sessions to open (default 10)')
    .option('--open-rate <rate>', 'sessions per second, e.g. 5/s or 30/m (default: all at once)')
    .option('--hold <duration>', 'keep each session open this long after its first event (default 0: close after session.created)')
    .option('--turns <k>', 'response.create turns per session, one after another (text only, tiny answers)')
    .option('--turn-gap <duration>', 'pause between two turns of a session (default 0)')
    .option('--max-output-tokens <n>', 'max_output_tokens of each turn: the reservation a token limit counts (default 16)')
    .option('--ramp <step/every>', 'concurrency ramp: +STEP sessions every EVERY (e.g. 2/1s), each held until the ramp ends')
    .option('--event-timeout <duration>', 'no server event within this is a silent hang (default 10s)');
  addOutputOptions(addAdvertisedOptions(addTargetOptions(command)));
  command.addHelpText('after', HELP_AFTER);
  command.action(async (raw: RawOptions) => {
    io.setExitCode(await runRealtimeCommand(io, raw));
  });
}

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

async function runRealtimeCommand(io: CliIo, raw: RawOptions): Promise<number> {
  const { phase, behaviour } = realtimePhaseFromFlags(raw);
  // The shared flags are read without the target: a realtime target is a ws:// URL the HTTP rules refuse.
  const settings = readRunSettings({ ...raw, url: undefined, endpoint: undefined, deployment: undefined, apiVersion: undefined, api: undefined, apiKey: undefined, bearer: undefined }, io.cwd, { ...io.env, AZURE_OPENAI_ENDPOINT: undefined });
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
  const planned = phase.kind === 'sessions' ? phase.count : phase.kind === 'session-ramp' ? phase.max : phase.sessions;
  const plannedTurns = phase.kind === 'turns' ? phase.sessions * phase.turns : 0;
  const where = given === null ? 'the embedded simulator' : describeTarget(given).url;
  const planLine = `Plan: realtime ${phase.kind}, ${planned} session${planned === 1 ? '' : 's'}${plannedTurns > 0 ? ` and ${plannedTurns} responses` : ''} to ${where}.\n`;
  if ((given !== null && !isLoopbackUrl(given.url.replace(/^ws/, 'http'))) || settings.dryRun) io.stderr.write(planLine);
  if (given !== null && !isLoopbackUrl(given.url.replace(/^ws/, 'http')) && !settings.yes && planned + plannedTurns > settings.maxRequests) {
    throw new InputError(`this plan opens ${planned} sessions and sends ${plannedTurns} responses to a real target, above --max-requests ${settings.maxRequests}; add --yes to run it, raise --max-requests, or use --dry-run to only see the plan`);
  }
  if (settings.dryRun) return EXIT.ok;

  const recordingPath = settings.recordPath !== null ? resolve(io.cwd, settings.recordPath) : defaultRecordingPath(io.cwd, 'realtime', new Date());
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
    command: 'realtime',
    startedAt: new Date().toISOString(),
    advertised,
    targets: [describeTarget(target)],
    payload: { kind: 'responses', model: target.deployment, maxTokens: behaviour.maxOutputTokens ?? 16, promptTokens: null, stream: true },
    scenario: { phase },
  });
  let sent = 0;
  let dropped = 0;
  let reason: 'completed' | 'interrupted' | 'budget' | 'error' = 'completed';
  try {
    const result = await runRealtimePhases({ target, phases: [phase], clock, sink, behaviour, stopSignal: stop.signal, abortSignal: abort.signal, phaseGapMs: 0 });
    sent = result.sent;
    dropped = result.dropped;
    reason = interrupts > 0 ? 'interrupted' : result.reason;
  } catch (error) {
    reason = 'error';
    sink.write({ type: 'end', reason, endMs: clock.now(), sent, dropped, message: error instanceof Error ? error.message : String(error) });
    ended = true;
    await writer.close();
    await simulator?.close();
    unsubscribe();
    throw error;
  }
  sink.write({ type: 'end', reason, endMs: clock.now(), sent, dropped });
  ended = true;
  unsubscribe();
  await writer.close();
  await simulator?.close();

  const analysed = await analyseRecordingFile(io, recordingPath);
  const expectations = evaluateExpectations(parseExpectations(settings.expectations), analysed.summary);
  renderOutputs(io, settings, analysed, expectations);
  io.stderr.write(`Recording: ${recordingPath}\n`);
  if (reason === 'interrupted') return EXIT.interrupted;
  assertExpectationsMet(expectations);
  return EXIT.ok;
}
