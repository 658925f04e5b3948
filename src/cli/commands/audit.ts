/**
 * `aoai-probe audit --direct URL --via URL`: the same requests in matched pairs, straight
 * to the deployment and through the gateway, both of a pair leaving at one instant. The
 * recording holds both targets ("direct" and "via"); src/analysis/path-audit.ts compares
 * them answer by answer (statuses, body shapes, the rate-limit headers the gateway removes
 * or adds, when refusals start, the latency it adds), and the result is printed as a table
 * or, with --json, as JSON; `report` on the recording prints the same. Consent and budget
 * rules are those of every sending command.
 *
 * The flags are defined here; what the command does is in audit-action.ts, loaded when
 * it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, type RawOptions } from '../options.js';

/** Registers `audit`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('audit')
    .description('send matched pairs straight to a deployment and through a gateway, and list what the gateway changes')
    .requiredOption('--direct <url>', 'full request URL of the deployment itself')
    .requiredOption('--via <url>', 'full request URL of the same deployment through the gateway')
    .option('--rate <rate>', 'pairs per second (default 5/s)')
    .option('--duration <duration>', 'how long to send pairs (default 6s)');
  addRunOptions(command);
  command.action(async (raw: RawOptions) => {
    const { runAudit } = await import('./audit-action.js');
    await runAudit(io, raw);
  });
}
