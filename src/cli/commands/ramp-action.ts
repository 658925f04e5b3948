/**
 * What `aoai-probe ramp` does (its flags are in ramp.ts): checks --from, --to and
 * --duration, builds one ramp phase and runs it through the session.
 */
import type { CliIo } from '../io.js';
import { phaseRequestCount } from '../../schedule/plan.js';
import type { RampPhase } from '../../schedule/types.js';
import { checkPlanSize, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { readRetryOptions } from '../retry-options.js';
import { requiredDuration, requiredRate } from './steady-action.js';

/** Runs `ramp` with the flags commander parsed; sets the exit code. */
export async function runRamp(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const from = raw.from === '0' ? 0 : requiredRate(problems, raw.from, '--from', 'e.g. --from 1/s');
  const to = requiredRate(problems, raw.to, '--to', 'e.g. --to 20/s');
  const durationMs = requiredDuration(problems, raw.duration, '--duration', 'e.g. --duration 20s');
  const phase: RampPhase = { kind: 'ramp', name: 'ramp', fromPerSecond: from as number, toPerSecond: to as number, durationMs: durationMs as number };
  if (from !== undefined && to !== undefined && durationMs !== undefined) checkPlanSize(problems, phaseRequestCount(phase), 'lower --to or shorten --duration');
  const settings = problems.attempt(() => readRunSettings(raw, io.cwd, io.env));
  const retry = readRetryOptions(problems, raw);
  problems.throwIfAny();
  // The session loads once the flags are good: bad input exits 2 without it (session.ts says why).
  const { runPhasesCommand } = await import('../session.js');
  const code = await runPhasesCommand(
    io,
    { command: 'ramp', ...(retry ? { retry } : {}), settings: settings as RunSettings, scenario: { fromPerSecond: from, toPerSecond: to, durationMs }, plannedRequests: phaseRequestCount(phase) },
    [phase],
  );
  io.setExitCode(code);
}
