/**
 * `aoai-probe burst`: N requests at the same instant (optionally K times, D apart) —
 * the product's core answer: how many the limiter admits at once, and how that compares
 * with the advertised figures and with what the headers claim. The flags are defined
 * here; what the command does is in burst-action.ts, loaded when it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, type RawOptions } from '../options.js';
import { addRetryOptions } from '../retry-options.js';

/** Registers `burst`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('burst')
    .description('send N requests at the same instant and see how many the limiter admits')
    .option('--size <n>', 'requests per burst (default: enough to cross the advertised 1-s cap; 20 if unknown)')
    .option('--bursts <k>', 'number of bursts (default 1)')
    .option('--gap <duration>', 'pause between the starts of two bursts, e.g. 10s (default 10s)');
  addRunOptions(command);
  addRetryOptions(command);
  command.action(async (raw: RawOptions) => {
    const { runBurst } = await import('./burst-action.js');
    await runBurst(io, raw);
  });
}
