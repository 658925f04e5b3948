/**
 * `aoai-probe run FILE`: a multi-phase scenario from a YAML or JSON file (scenarios/
 * holds documented examples). Flags given on the command line win over the file.
 * The flags are defined here; what the command does is in run-action.ts, loaded when
 * it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, type RawOptions } from '../options.js';
import { addRetryOptions } from '../retry-options.js';

/** Registers `run`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('run')
    .description('run a multi-phase scenario file (YAML or JSON; see scenarios/)')
    .argument('<file>', 'the scenario file, e.g. scenarios/seed-burst.yaml');
  addRunOptions(command);
  addRetryOptions(command);
  command.action(async (file: string, raw: RawOptions) => {
    const { runScenarioFile } = await import('./run-action.js');
    await runScenarioFile(io, file, raw);
  });
}
