/**
 * `aoai-probe ramp --from R1 --to R2 --duration D`: the arrival rate rises linearly,
 * so the first refusals mark the knee — the rate where the limiter starts saying no.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { phaseRequestCount } from '../../schedule/plan.js';
import type { RampPhase } from '../../schedule/types.js';
import { addRunOptions, checkPlanSize, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { runPhasesCommand } from '../session.js';
import { addRetryOptions, readRetryOptions } from '../retry-options.js';
import { requiredDuration, requiredRate } from './steady.js';

/** Registers `ramp`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('ramp')
    .description('raise the arrival rate linearly to find where refusals start')
    .option('--from <rate>', 'starting rate, e.g. 1/s (required)')
    .option('--to <rate>', 'final rate, e.g. 20/s (required)')
    .option('--duration <duration>', 'length of the ramp, e.g. 20s (required)');
  addRunOptions(command);
  addRetryOptions(command);
  command.action(async (raw: RawOptions) => {
    const problems = new Problems();
    const from = raw.from === '0' ? 0 : requiredRate(problems, raw.from, '--from', 'e.g. --from 1/s');
    const to = requiredRate(problems, raw.to, '--to', 'e.g. --to 20/s');
    const durationMs = requiredDuration(problems, raw.duration, '--duration', 'e.g. --duration 20s');
    const phase: RampPhase = { kind: 'ramp', name: 'ramp', fromPerSecond: from as number, toPerSecond: to as number, durationMs: durationMs as number };
    if (from !== undefined && to !== undefined && durationMs !== undefined) checkPlanSize(problems, phaseRequestCount(phase), 'lower --to or shorten --duration');
    const settings = problems.attempt(() => readRunSettings(raw, io.cwd, io.env));
    const retry = readRetryOptions(problems, raw);
    problems.throwIfAny();
    const code = await runPhasesCommand(
      io,
      { command: 'ramp', ...(retry ? { retry } : {}), settings: settings as RunSettings, scenario: { fromPerSecond: from, toPerSecond: to, durationMs }, plannedRequests: phaseRequestCount(phase) },
      [phase],
    );
    io.setExitCode(code);
  });
}
