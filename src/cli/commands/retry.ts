/**
 * `aoai-probe retry`: the retry-policy lab. Callers that each need one answer meet a
 * limit; each policy's callers retry as that policy says; the table shows side by side
 * how many finished, how many gave up, how many extra refusals the retries caused, how
 * much they arrived as a herd and how long the callers waited.
 *
 * Fair comparison: on the embedded simulator every policy gets its own fresh simulator
 * (same profile, same arrivals, same seed) and all run at once; on a real target they run
 * one after another with a recovery pause measured from the refusals' own hints, and the
 * plan shown before consent counts every caller's worst case (all its attempts).
 *
 * The flags are defined here; what the command does is in retry-action.ts, loaded when
 * it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, type RawOptions } from '../options.js';
import { POLICY_NAMES, policiesHelp } from '../../retry/catalogue.js';
import { DEFAULT_CALLER_LIMITS } from '../../retry/caller-book.js';

/** Callers per policy when --callers is not given. */
export const DEFAULT_CALLERS = 60;
/** Seed of every policy's jitter when --seed is not given. */
export const DEFAULT_SEED = 1;

/** Registers `retry`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('retry')
    .description('compare retry policies: callers that each need one answer, side by side against the same limit')
    .option('--policies <list>', `comma-separated policies with parameters (default: all, ${POLICY_NAMES.join(',')})`)
    .option('--policy-file <file>', 'YAML/JSON with "policies:", each a name or your own { name, policy, ...parameters }; added to --policies')
    .option('--callers <n>', `callers per policy, each needing one admitted answer (default ${DEFAULT_CALLERS})`)
    .option('--arrival <burst|rate>', 'callers arrive all at once (burst, the default) or at a rate, e.g. 5/s')
    .option('--max-attempts <k>', `attempts per caller at most, the first included (default ${DEFAULT_CALLER_LIMITS.maxAttempts}; the SDK replicas keep their own)`)
    .option('--give-up-after <duration>', `a caller gives up when its next attempt would leave later than this after its first (default ${DEFAULT_CALLER_LIMITS.giveUpAfterMs / 1000}s)`)
    .option('--seed <n>', `seed of every policy's jitter (default ${DEFAULT_SEED})`)
    .option('--recovery <duration>', 'sequential order: the pause after a policy whose refusals named no wait (default 60s); with hints the pause lasts until every hinted wait has passed (at least 1 s)')
    .option('--order <order>', 'parallel (each policy its own fresh simulator; the default on the simulator) or sequential (one after another with a recovery pause; always on a real target)');
  addRunOptions(command);
  command.addHelpText('after', `\n${policiesHelp()}\n`);
  command.action(async (raw: RawOptions) => {
    const { runRetryLab } = await import('./retry-action.js');
    await runRetryLab(io, raw);
  });
}
