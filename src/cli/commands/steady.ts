/**
 * `aoai-probe steady --rate R --duration D`: an open-loop constant arrival rate. Requests
 * leave at their planned times whatever the answers do, so a limiter shows up as refusals
 * instead of silently slowing the run (as a closed loop would). The flags are defined
 * here; what the command does is in steady-action.ts, loaded when it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, type RawOptions } from '../options.js';
import { addRetryOptions } from '../retry-options.js';

/** Registers `steady`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('steady')
    .description('send requests at a constant rate (open loop) for a duration')
    .option('--rate <rate>', 'arrival rate, e.g. 5/s, 300/m or 50/10s (required)')
    .option('--duration <duration>', 'how long to send, e.g. 30s or 2m (required)');
  addRunOptions(command);
  addRetryOptions(command);
  command.action(async (raw: RawOptions) => {
    const { runSteady } = await import('./steady-action.js');
    await runSteady(io, raw);
  });
}
