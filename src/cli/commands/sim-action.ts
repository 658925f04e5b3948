/**
 * What `aoai-probe sim` does without --gateway (its flags are in sim.ts): turns the flags
 * into SimulatorOptions, listing every problem at once, and serves the simulator until
 * Ctrl-C, with one stats line per second on --stats.
 */
import { InputError } from '../../errors.js';
import { problemCollector } from './sim-problems.js';
import { parseCount, parseDuration, parseLatency } from '../../parse/units.js';
import { parseDeploymentSpec, type DeploymentDeclaration } from '../../sim/deployments.js';
import { FAULT_KINDS } from '../../sim/faults.js';
import { parseLimiterSpec } from '../../sim/limiters/spec.js';
import { SIMULATOR_PROFILES } from '../../sim/names.js';
import type { SimulatorOptions, SimulatorProfile } from '../../sim/options.js';
import { parseCountPerWindow } from '../../sim/realtime/settings.js';
import { formatStatsLine, type StatsSnapshot } from '../../sim/stats.js';
import type { CliIo } from '../io.js';
import { serveUntilStopped } from './serve-until-stopped.js';
import type { GatewayFlags } from './sim-gateway.js';

/** The flags as commander hands them over (all strings, as typed). */
export interface SimFlags extends GatewayFlags {
  port: string;
  host: string;
  profile: string;
  tpm?: string;
  rpm?: string;
  requestWindow?: string;
  tokenWindow?: string;
  subsecondCap?: boolean;
  limiter?: string;
  latency?: string;
  tokensPerSecond?: string;
  faultRate?: string;
  faults?: string;
  deployments?: string;
  deployment?: string[];
  deploymentsFile?: string;
  seed?: string;
  recordTo?: string;
  replay?: string;
  stats?: boolean;
  region?: string;
  apiKey?: string;
  verbose?: boolean;
  sessionCap?: string;
  openRate?: string;
  turnRate?: string;
  realtimeTpm?: string;
  refusal?: string;
  sessionMax?: string;
}

/** Serves the simulator the flags describe until Ctrl-C (sim-gateway-action.ts serves --gateway). */
export async function serveSimulator(io: CliIo, flags: SimFlags): Promise<void> {
  const options = simulatorOptionsFromFlags(flags);
  if (flags.verbose) options.log = (line) => io.stderr.write(`${line}\n`);
  // The server (the whole simulator) loads once the flags are good: bad input exits 2 without it.
  const { startSimulator } = await import('../../sim/server.js');
  await serveUntilStopped(io, options.host ?? '127.0.0.1', () => startSimulator(options), (simulator) => {
    if (!flags.stats) return () => {};
    const statsTimer = printStatsEachSecond(simulator, (line) => io.stderr.write(`aoai-probe sim: ${line}\n`));
    return () => clearInterval(statsTimer);
  });
}

/** Turns the flags into SimulatorOptions, collecting every problem into one InputError. */
export function simulatorOptionsFromFlags(flags: SimFlags): SimulatorOptions {
  const problems: string[] = [];
  const attempt = problemCollector(problems);
  const options: SimulatorOptions = {};

  const port = attempt(() => parseCount(flags.port, '--port', 0));
  if (port !== undefined && port > 65_535) problems.push(`--port: ${port} is above 65535; use a port from 1024 to 65535, or 0 for any free port`);
  else if (port !== undefined) options.port = port;
  options.host = flags.host;
  if ((SIMULATOR_PROFILES as readonly string[]).includes(flags.profile)) options.profile = flags.profile as SimulatorProfile;
  else problems.push(`--profile: "${flags.profile}" is not a profile; use one of ${SIMULATOR_PROFILES.join(', ')}`);
  if (flags.tpm !== undefined) options.tpm = attempt(() => parseCount(flags.tpm!, '--tpm'));
  if (flags.rpm !== undefined) options.rpm = attempt(() => parseCount(flags.rpm!, '--rpm'));
  if (flags.requestWindow !== undefined) options.requestWindowMs = attempt(() => positiveDuration(flags.requestWindow!, '--request-window'));
  if (flags.tokenWindow !== undefined) options.tokenWindowMs = attempt(() => positiveDuration(flags.tokenWindow!, '--token-window'));
  if (flags.subsecondCap !== undefined) options.subsecondCap = flags.subsecondCap;
  if (flags.limiter !== undefined) options.limiter = attempt(() => parseLimiterSpec(flags.limiter!, '--limiter'));
  if (flags.latency !== undefined) options.latency = attempt(() => parseLatency(flags.latency!, '--latency'));
  if (flags.tokensPerSecond !== undefined) {
    const value = Number(flags.tokensPerSecond);
    if (/^\d+(\.\d+)?$/.test(flags.tokensPerSecond.trim()) && value > 0) options.tokensPerSecond = value;
    else problems.push(`--tokens-per-second: "${flags.tokensPerSecond}" is not a positive number; e.g. --tokens-per-second 20`);
  }
  if (flags.faultRate !== undefined) {
    const text = flags.faultRate.trim();
    const percent = text.endsWith('%');
    const value = Number(percent ? text.slice(0, -1) : text) / (percent ? 100 : 1);
    if (/^\d+(\.\d+)?%?$/.test(text) && value >= 0 && value <= 1) options.faultRate = value;
    else problems.push(`--fault-rate: "${flags.faultRate}" is not a probability; write it like 0.05 or 5%`);
  }
  if (flags.faults !== undefined) {
    const faults = splitList(flags.faults);
    const unknown = faults.filter((fault) => !(FAULT_KINDS as readonly string[]).includes(fault));
    if (faults.length === 0) problems.push(`--faults: the list is empty; use any of ${FAULT_KINDS.join(', ')}`);
    for (const fault of unknown) problems.push(`--faults: "${fault}" is not a fault; use any of ${FAULT_KINDS.join(', ')}`);
    options.faults = faults;
    if (flags.faultRate === undefined) problems.push('--faults: set how often with --fault-rate, e.g. --fault-rate 0.05');
  }
  if (flags.deployments !== undefined) {
    const deployments = splitList(flags.deployments);
    if (deployments.length === 0) problems.push('--deployments: the list is empty; e.g. --deployments gpt-4o,gpt-4o-mini');
    options.deployments = deployments;
  }
  const declared: Array<string | DeploymentDeclaration> = [];
  for (const spec of flags.deployment ?? []) {
    const declaration = parseDeploymentSpec(spec, '--deployment', problems);
    if (declaration !== undefined) declared.push(declaration);
  }
  if (declared.length > 0) options.deployments = [...(options.deployments ?? []), ...declared];
  if (flags.deploymentsFile !== undefined) options.deploymentsFile = flags.deploymentsFile;
  if (flags.seed !== undefined) {
    if (/^\d+$/.test(flags.seed.trim()) && Number.isSafeInteger(Number(flags.seed))) options.seed = Number(flags.seed);
    else problems.push(`--seed: "${flags.seed}" is not a whole number; e.g. --seed 42`);
  }
  if (flags.recordTo !== undefined) options.recordTo = flags.recordTo;
  if (flags.replay !== undefined) {
    options.replay = flags.replay;
    if (flags.limiter !== undefined) problems.push('--replay: replays recorded answers for the Azure and OpenAI profiles; leave out --limiter');
  }
  if (flags.region !== undefined) {
    if (flags.region.trim() === '') problems.push('--region: empty; e.g. --region "West Europe"');
    options.region = flags.region.trim();
  }
  if (flags.apiKey !== undefined) {
    if (flags.apiKey === '') problems.push('--api-key: empty; leave it out to accept any key');
    options.apiKey = flags.apiKey;
  }
  const realtime: NonNullable<SimulatorOptions['realtime']> = {};
  if (flags.sessionCap !== undefined) realtime.sessionCap = attempt(() => parseCount(flags.sessionCap!, '--session-cap'));
  if (flags.realtimeTpm !== undefined) realtime.tokensPerMinute = attempt(() => parseCount(flags.realtimeTpm!, '--realtime-tpm'));
  for (const [flag, text, field] of [
    ['--open-rate', flags.openRate, 'openRate'],
    ['--turn-rate', flags.turnRate, 'turnRate'],
  ] as const) {
    if (text === undefined) continue;
    const rate = parseCountPerWindow(text);
    if (rate === undefined) problems.push(`${flag}: "${text}" is not a count per window; write it like 30/m or 10/10s`);
    else realtime[field] = rate;
  }
  if (flags.refusal !== undefined) realtime.refusal = flags.refusal;
  if (flags.sessionMax !== undefined) realtime.sessionMax = attempt(() => positiveDuration(flags.sessionMax!, '--session-max'));
  if (Object.keys(realtime).length > 0) options.realtime = realtime;
  if (problems.length > 0) throw new InputError(problems);
  return options;
}

function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw new InputError(`${what}: "${text}" must be longer than 0; e.g. ${what} 10s`);
  return ms;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `--stats`: one line per completed second that saw requests. */
function printStatsEachSecond(simulator: { stats?: () => StatsSnapshot }, print: (line: string) => void): NodeJS.Timeout {
  let printed = -1;
  const timer = setInterval(() => {
    const snapshot = simulator.stats?.();
    if (snapshot === undefined) return;
    for (const second of snapshot.seconds) {
      if (second.second <= printed) continue;
      printed = second.second;
      print(formatStatsLine(second));
    }
  }, 250);
  timer.unref();
  return timer;
}
