/**
 * What `aoai-probe run FILE` does (its flags are in run.ts): loads the scenario (listing
 * the file's problems and the flags' together), then runs its HTTP phases through the
 * session, or its realtime phases as `realtime` does. Flags win over the file.
 */
import type { CliIo } from '../io.js';
import { resolve } from 'node:path';
import { loadScenario } from '../../scenario/parse.js';
import { phaseRequestCount } from '../../schedule/plan.js';
import { Problems, type RawOptions } from '../options.js';
import { InputError } from '../../errors.js';
import { readRunSettings, type ScenarioDefaults } from '../run-settings.js';
import { readRetryOptions } from '../retry-options.js';
import type { Scenario } from '../../scenario/types.js';

/** What a scenario file contributes to the run settings (flags override it). */
function scenarioDefaults(scenario: Scenario): ScenarioDefaults {
  const { target } = scenario;
  return {
    ...(target !== null
      ? {
          target: {
            ...(target.url !== undefined ? { url: target.url } : {}),
            ...(target.endpoint !== undefined ? { endpoint: target.endpoint } : {}),
            ...(target.deployment !== undefined ? { deployment: target.deployment } : {}),
            ...(target.apiVersion !== undefined ? { apiVersion: target.apiVersion } : {}),
            // voice-live and openai are realtime shapes; the scenario parser allows them with realtime phases only.
            ...(target.api !== undefined ? { api: target.api as 'classic' | 'v1' } : {}),
          },
        }
      : {}),
    ...(scenario.targets !== undefined && scenario.targets.length > 0 ? { targets: scenario.targets } : {}),
    advertised: scenario.advertised,
    payload: scenario.payload,
    maxInFlight: scenario.maxInFlight,
    expect: scenario.expect,
  };
}

/** Runs the scenario `file` (relative to the working folder) with the flags commander parsed; sets the exit code. */
export async function runScenarioFile(io: CliIo, file: string, raw: RawOptions): Promise<void> {
  const scenario = await loadScenarioListingFlagProblems(resolve(io.cwd, file), raw, io);
  if (scenario.realtimePhases.length > 0) {
    io.setExitCode(await runRealtimeScenario(io, scenario, raw));
    return;
  }
  const givenTarget = Boolean(raw.url || raw.endpoint || raw.sim);
  const withSimulator = !givenTarget && scenario.target?.simulator !== undefined ? { ...raw, sim: scenario.target.simulator } : raw;
  const withKind = scenario.payload.kind !== undefined && raw.kind === undefined ? { ...withSimulator, kind: scenario.payload.kind } : withSimulator;
  const retryProblems = new Problems();
  const retry = readRetryOptions(retryProblems, raw);
  const settings = retryProblems.attempt(() => readRunSettings(withKind, io.cwd, io.env, scenarioDefaults(scenario)));
  retryProblems.throwIfAny();
  // The session loads once the flags are good: bad input exits 2 without it (session.ts says why).
  const { runPhasesCommand } = await import('../session.js');
  const plannedRequests = scenario.phases.reduce((sum, phase) => sum + phaseRequestCount(phase), 0);
  const code = await runPhasesCommand(
    io,
    { command: 'run', settings: settings!, ...(retry ? { retry } : {}), scenario: { name: scenario.name, file: scenario.file, phases: scenario.phases }, plannedRequests },
    scenario.phases,
  );
  io.setExitCode(code);
}

/**
 * A scenario of realtime phases (sessions, session-ramp, turns): run as `realtime`
 * runs them, one phase after another. The file's target fills in only when no
 * target flag (--url, --endpoint, --sim) is given.
 */
async function runRealtimeScenario(io: CliIo, scenario: Scenario, raw: RawOptions): Promise<number> {
  const given = Boolean(raw.url || raw.endpoint || raw.sim);
  const target = scenario.target;
  const fromFile: RawOptions =
    given || target === null
      ? {}
      : {
          ...(target.url !== undefined ? { url: target.url } : {}),
          ...(target.endpoint !== undefined ? { endpoint: target.endpoint } : {}),
          ...(target.deployment !== undefined && raw.deployment === undefined ? { deployment: target.deployment } : {}),
          ...(target.apiVersion !== undefined && raw.apiVersion === undefined ? { apiVersion: target.apiVersion } : {}),
          ...(target.api !== undefined && raw.api === undefined ? { api: target.api } : {}),
          ...(target.simulator !== undefined ? { sim: target.simulator } : {}),
        };
  const { target: _target, targets: _targets, ...defaults } = scenarioDefaults(scenario);
  // Loaded only for realtime phases: the WebSocket client (ws) is not needed for HTTP ones.
  const { runRealtimePlan } = await import('./realtime-action.js');
  return runRealtimePlan(io, { ...raw, ...fromFile }, 'run', scenario.realtimePhases, {}, 0, { defaults, name: scenario.name, file: scenario.file });
}

/**
 * Loads the scenario; when the file has problems, the flags are checked too, so one
 * message lists every problem of the command (the file's and the flags').
 */
async function loadScenarioListingFlagProblems(path: string, raw: RawOptions, io: CliIo): Promise<Scenario> {
  try {
    return await loadScenario(path);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const problems = new Problems();
    problems.list.push(...error.problems);
    problems.attempt(() => readRunSettings(raw, io.cwd, io.env));
    throw new InputError(problems.list);
  }
}
