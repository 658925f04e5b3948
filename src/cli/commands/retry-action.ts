/**
 * What `aoai-probe retry` does (its flags are in retry.ts): reads the policies (from
 * --policies and --policy-file), the callers and their arrival, then runs every policy's
 * callers through the one firing loop, each against its own fresh simulator in parallel
 * or one after another with a recovery pause against a real target.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from '../io.js';
import { optionalChoice, optionalCount, optionalDuration, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { EXIT, InputError } from '../../errors.js';
import { parseRate } from '../../parse/units.js';
import { POLICY_NAMES } from '../../retry/catalogue.js';
import { DEFAULT_CALLER_LIMITS } from '../../retry/caller-book.js';
import { parsePolicyList, policyFromEntry } from '../../retry/parse-policy.js';
import type { RetryPolicy } from '../../retry/types.js';
import { isLoopbackUrl } from '../../run/loopback.js';
import { runSource } from '../../run/loop.js';
import { RetryLabSource, shardCallers, type CallerArrival } from '../../run/retry-lab-source.js';
import { resolveTarget } from '../../run/target.js';
import { DEFAULT_CALLERS, DEFAULT_SEED } from './retry.js';

/** How long in-flight attempts may finish after the lab ends or the first Ctrl-C, ms. */
const GRACE_MS = 5_000;

/** Reads `--arrival burst|R/s`. */
function readArrival(problems: Problems, raw: unknown): CallerArrival {
  if (raw === undefined || raw === 'burst') return { kind: 'burst' };
  const perSecond = problems.attempt(() => parseRate(String(raw), '--arrival'));
  if (perSecond === undefined) {
    problems.list[problems.list.length - 1] += ' (or burst: every caller at once)';
    return { kind: 'burst' };
  }
  if (perSecond <= 0) problems.add('--arrival: the rate must be above zero; e.g. --arrival 5/s or --arrival burst');
  return { kind: 'rate', perSecond };
}

/** Reads `--policy-file FILE`: a YAML or JSON list of policies (`policies: [...]`), each a name or a user's own entry. */
async function readPolicyFile(problems: Problems, cwd: string, raw: unknown): Promise<RetryPolicy[]> {
  if (typeof raw !== 'string') return [];
  const path = resolve(cwd, raw);
  // yaml (72 modules) loads only when a policy file is given.
  const { parse: parseYaml } = await import('yaml');
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n', 1)[0];
    problems.add(`--policy-file ${raw}: cannot read it as YAML or JSON (${reason}); write a list like "policies: [header-jitter, { name: mine, policy: exponential, base: 1s }]"`);
    return [];
  }
  const list = Array.isArray(document) ? document : (document as { policies?: unknown } | null)?.policies;
  if (!Array.isArray(list) || list.length === 0) {
    problems.add(`--policy-file ${raw}: no "policies" list; write e.g. "policies: [header-jitter, { name: mine, policy: exponential, base: 1s }]"`);
    return [];
  }
  const policies: RetryPolicy[] = [];
  list.forEach((entry, index) => {
    const policy = policyFromEntry(entry, `--policy-file ${raw} policies[${index}]`, problems.list);
    if (policy !== null) policies.push(policy);
  });
  return policies;
}

/** Runs the retry lab with the flags commander parsed; sets the exit code. */
export async function runRetryLab(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const listed = raw.policies === undefined && raw.policyFile !== undefined ? [] : (problems.attempt(() => parsePolicyList(typeof raw.policies === 'string' ? raw.policies : POLICY_NAMES.join(','))) ?? []);
  const policies = [...listed, ...(await readPolicyFile(problems, io.cwd, raw.policyFile))];
  const names = new Set<string>();
  for (const policy of policies) {
    if (names.has(policy.name)) problems.add(`"${policy.name}" is given twice (--policies and --policy-file); each policy runs once`);
    names.add(policy.name);
  }
  const callers = optionalCount(problems, raw.callers, '--callers') ?? DEFAULT_CALLERS;
  if (callers > 10_000) problems.add(`--callers: ${callers} is more than the 10,000 one lab run may hold; e.g. --callers 60`);
  const arrival = readArrival(problems, raw.arrival);
  const maxAttempts = optionalCount(problems, raw.maxAttempts, '--max-attempts') ?? DEFAULT_CALLER_LIMITS.maxAttempts;
  const giveUpAfterMs = optionalDuration(problems, raw.giveUpAfter, '--give-up-after') ?? DEFAULT_CALLER_LIMITS.giveUpAfterMs;
  const seed = optionalCount(problems, raw.seed, '--seed', 0) ?? DEFAULT_SEED;
  const recoveryMs = optionalDuration(problems, raw.recovery, '--recovery');
  const orderFlag = optionalChoice(problems, raw.order, '--order', ['parallel', 'sequential'] as const);
  const settings = problems.attempt(() => readRunSettings(raw, io.cwd, io.env));
  problems.throwIfAny();
  const runSettings = settings as RunSettings;

  // The embedded simulator unless a target was given; a real target runs the lanes one after another.
  const simulated = runSettings.simProfile !== null || resolveTarget({ ...runSettings.targetFlags }, io.env) === null;
  const realTarget = !simulated && !isLoopbackUrl(resolveTarget({ ...runSettings.targetFlags }, io.env)!.url);
  const order = simulated ? (orderFlag ?? 'parallel') : 'sequential';
  if (realTarget && orderFlag === 'parallel') io.stderr.write('Note: against a real target the policies run one after another (one limit cannot be shared fairly); --order parallel is ignored.\n');
  // A sharded lab runs every policy with its share of the callers (docs/sharding.md).
  const shard = runSettings.shard !== null && runSettings.shard.count > 1 ? { index: runSettings.shard.index, count: runSettings.shard.count } : undefined;
  const ownCallers = shardCallers(callers, shard).length;
  if (shard !== undefined && ownCallers === 0) {
    throw new InputError(`shard ${shard.index} of ${shard.count} gets no caller: each policy has ${callers}; use at most ${callers} shards, or raise --callers`);
  }
  // The plan's worst case: every caller makes all its attempts (the SDK replicas keep their own limit).
  const worstCase = policies.reduce((sum, policy) => sum + ownCallers * (policy.maxAttempts ?? maxAttempts), 0);
  const arrivalText = arrival.kind === 'burst' ? 'burst' : `${Number(arrival.perSecond.toFixed(3))}/s`;
  const laneIds = policies.map((policy) => policy.name);
  // The session loads once the flags are good: bad input exits 2 without it (session.ts says why).
  const { openSession, runSession } = await import('../session.js');
  const session = await openSession(io, {
    command: 'retry',
    settings: runSettings,
    scenario: { policies: policies.map((policy) => ({ name: policy.name, policy: policy.base, params: policy.params })), callers, arrival: arrivalText, maxAttempts, giveUpAfterMs, seed, order },
    plannedRequests: worstCase,
    // On the simulator every lane has its own fresh simulator, in either order.
    ...(simulated ? { simulatorLanes: laneIds } : {}),
  });
  if (session === null) {
    io.setExitCode(EXIT.ok);
    return;
  }
  const shareText = shard === undefined ? '' : ` (this shard runs ${ownCallers} of them: callers ${shard.index}, ${shard.index + shard.count}, …)`;
  io.stderr.write(
    `${callers} callers per policy${shareText} (${arrival.kind === 'burst' ? 'all at once' : `arriving at ${arrivalText}`}), each needs one answer; up to ${maxAttempts} attempts, give up after ${giveUpAfterMs / 1000} s; ${policies.length} policies, ${simulated ? `each against its own fresh simulator, ${order === 'parallel' ? 'at the same time' : 'one after another'}` : 'one after another with a recovery pause'}\n`,
  );
  const epochOffset = Date.now() - session.clock.now();
  const laneTarget = (index: number): string => session.targets[Math.min(index, session.targets.length - 1)]!.id;
  const source = new RetryLabSource({
    lanes: policies.map((policy, index) => ({ policy, target: laneTarget(index), phaseParams: { callers, arrival: arrivalText, maxAttempts, giveUpAfterMs, seed } })),
    callers,
    arrival,
    limits: { maxAttempts, giveUpAfterMs },
    seed,
    order,
    ...(shard !== undefined ? { shard } : {}),
    ...(session.startAtClockMs !== null ? { notBeforeMs: session.startAtClockMs } : {}),
    epochAt: (clockMs) => epochOffset + clockMs,
    // Fresh simulators need no recovery; a real limit gets the measured pause.
    ...(simulated ? { pauseBetweenLanes: false } : recoveryMs !== null ? { unhintedPauseMs: recoveryMs } : {}),
  });
  const code = await runSession(session, async () => {
    const result = await runSource(source, {
      clock: session.clock,
      sink: session.sink,
      targets: session.targets.map((entry) => ({ id: entry.id, sender: entry.transport })),
      maxInFlight: runSettings.maxInFlight ?? Math.max(callers * (order === 'parallel' ? policies.length : 1), 1000),
      graceMs: GRACE_MS,
      // Seqs of different shards never meet: shard I numbers its attempts I, I + N, …
      ...(shard !== undefined ? { firstSeq: shard.index, seqStep: shard.count } : {}),
      stopSignal: session.stopSignal,
      abortSignal: session.abortSignal,
    });
    return { reason: session.interrupted() ? 'interrupted' : result.reason };
  });
  io.setExitCode(code);
}
