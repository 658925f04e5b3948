/**
 * `--retry POLICY` (with `--max-attempts`, `--give-up-after`, `--seed`) for burst,
 * steady, ramp and run: every planned request becomes a caller that needs one answer
 * and retries its refusals by the policy. The summary then gains `callers` beside the
 * request counts, and the recording's request lines carry `caller`, `attempt`, `policy`
 * and `waitedMs`.
 */
import type { Command } from 'commander';
import { POLICY_NAMES } from '../retry/catalogue.js';
import { DEFAULT_CALLER_LIMITS } from '../retry/caller-book.js';
import { parsePolicy } from '../retry/parse-policy.js';
import { optionalCount, optionalDuration, type Problems, type RawOptions } from './options.js';
import type { SessionPlan } from './session.js';

/** Adds the retry flags to a sending command. */
export function addRetryOptions(command: Command): Command {
  return command
    .option('--retry <policy>', `retry refusals by a policy (${POLICY_NAMES.join(', ')}; parameters after a colon, see \`aoai-probe retry --help\`)`)
    .option('--max-attempts <k>', `with --retry: attempts per request at most, the first included (default ${DEFAULT_CALLER_LIMITS.maxAttempts})`)
    .option('--give-up-after <duration>', `with --retry: stop retrying a request this long after its first attempt (default ${DEFAULT_CALLER_LIMITS.giveUpAfterMs / 1000}s)`)
    .option('--seed <n>', 'with --retry: seed of the jitter (default 1)');
}

/** Reads the retry flags; undefined without --retry (the limits alone are then a mistake, said so). */
export function readRetryOptions(problems: Problems, raw: RawOptions): SessionPlan['retry'] {
  const maxAttempts = optionalCount(problems, raw.maxAttempts, '--max-attempts');
  const giveUpAfterMs = optionalDuration(problems, raw.giveUpAfter, '--give-up-after');
  const seed = optionalCount(problems, raw.seed, '--seed', 0);
  if (raw.retry === undefined) {
    const orphan = [maxAttempts !== null ? '--max-attempts' : null, giveUpAfterMs !== null ? '--give-up-after' : null, seed !== null ? '--seed' : null].filter((flag) => flag !== null);
    if (orphan.length > 0) problems.add(`${orphan.join(', ')} only mean something with --retry; add e.g. --retry header-jitter, or drop them`);
    return undefined;
  }
  const policy = problems.attempt(() => parsePolicy(String(raw.retry), '--retry'));
  if (policy === undefined) return undefined;
  return {
    policy,
    limits: { maxAttempts: maxAttempts ?? DEFAULT_CALLER_LIMITS.maxAttempts, giveUpAfterMs: giveUpAfterMs ?? DEFAULT_CALLER_LIMITS.giveUpAfterMs },
    seed: seed ?? 1,
  };
}
