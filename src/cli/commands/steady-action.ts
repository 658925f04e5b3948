/**
 * What `aoai-probe steady` does (its flags are in steady.ts): checks --rate and
 * --duration, builds one steady phase and runs it through the session. The required
 * rate and duration readers, and the run of one phase, are shared with `ramp`.
 */
import type { CliIo } from '../io.js';
import { parseDuration, parseRate } from '../../parse/units.js';
import { phaseRequestCount } from '../../schedule/plan.js';
import type { RampPhase, SteadyPhase } from '../../schedule/types.js';
import { checkPlanSize, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { readRetryOptions } from '../retry-options.js';

/** Runs `steady` with the flags commander parsed; sets the exit code. */
export async function runSteady(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const rate = requiredRate(problems, raw.rate, '--rate', 'e.g. --rate 5/s');
  const durationMs = requiredDuration(problems, raw.duration, '--duration', 'e.g. --duration 30s');
  const phase: SteadyPhase = { kind: 'steady', name: 'steady', ratePerSecond: rate as number, durationMs: durationMs as number };
  if (rate !== undefined && durationMs !== undefined) checkPlanSize(problems, phaseRequestCount(phase), 'lower --rate or shorten --duration');
  await runOnePhase(io, raw, problems, 'steady', phase, { ratePerSecond: rate, durationMs });
}

/**
 * The rest of `steady` and `ramp` once their own flags are read: the run settings and
 * retry flags, every problem at once (exit 2), then the one phase through the session.
 */
export async function runOnePhase(io: CliIo, raw: RawOptions, problems: Problems, command: 'steady' | 'ramp', phase: SteadyPhase | RampPhase, scenario: Record<string, number | undefined>): Promise<void> {
  const settings = problems.attempt(() => readRunSettings(raw, io.cwd, io.env));
  const retry = readRetryOptions(problems, raw);
  problems.throwIfAny();
  // The session loads once the flags are good: bad input exits 2 without it (session.ts says why).
  const { runPhasesCommand } = await import('../session.js');
  const code = await runPhasesCommand(io, { command, ...(retry ? { retry } : {}), settings: settings as RunSettings, scenario, plannedRequests: phaseRequestCount(phase) }, [phase]);
  io.setExitCode(code);
}

/** A rate flag that must be given. */
export function requiredRate(problems: Problems, raw: unknown, flag: string, example: string): number | undefined {
  if (raw === undefined) {
    problems.add(`${flag} is required; ${example}`);
    return undefined;
  }
  const rate = problems.attempt(() => parseRate(String(raw), flag));
  if (rate !== undefined && rate <= 0) problems.add(`${flag}: the rate must be above zero; ${example}`);
  return rate;
}

/** A duration flag that must be given and be above zero. */
export function requiredDuration(problems: Problems, raw: unknown, flag: string, example: string): number | undefined {
  if (raw === undefined) {
    problems.add(`${flag} is required; ${example}`);
    return undefined;
  }
  const duration = problems.attempt(() => parseDuration(String(raw), flag));
  if (duration === 0) problems.add(`${flag}: the duration must be above zero; ${example}`);
  return duration;
}

