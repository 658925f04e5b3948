/**
 * What `aoai-probe ramp` does (its flags are in ramp.ts): checks --from, --to and
 * --duration, builds one ramp phase and runs it through the session.
 */
import type { CliIo } from '../io.js';
import { phaseRequestCount } from '../../schedule/plan.js';
import type { RampPhase } from '../../schedule/types.js';
import { checkPlanSize, Problems, type RawOptions } from '../options.js';
import { requiredDuration, requiredRate, runOnePhase } from './steady-action.js';

/** Runs `ramp` with the flags commander parsed; sets the exit code. */
export async function runRamp(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const from = raw.from === '0' ? 0 : requiredRate(problems, raw.from, '--from', 'e.g. --from 1/s');
  const to = requiredRate(problems, raw.to, '--to', 'e.g. --to 20/s');
  const durationMs = requiredDuration(problems, raw.duration, '--duration', 'e.g. --duration 20s');
  const phase: RampPhase = { kind: 'ramp', name: 'ramp', fromPerSecond: from as number, toPerSecond: to as number, durationMs: durationMs as number };
  if (from !== undefined && to !== undefined && durationMs !== undefined) checkPlanSize(problems, phaseRequestCount(phase), 'lower --to or shorten --duration');
  await runOnePhase(io, raw, problems, 'ramp', phase, { fromPerSecond: from, toPerSecond: to, durationMs });
}
