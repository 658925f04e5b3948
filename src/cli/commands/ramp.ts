/**
 * `aoai-probe ramp --from R1 --to R2 --duration D`: the arrival rate rises linearly,
 * so the first refusals mark the knee — the rate where the limiter starts saying no.
 * The flags are defined here; what the command does is in ramp-action.ts, loaded when
 * it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, type RawOptions } from '../options.js';
import { addRetryOptions } from '../retry-options.js';

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
    const { runRamp } = await import('./ramp-action.js');
    await runRamp(io, raw);
  });
}
