/**
 * The flags of a sharded run (docs/sharding.md): which share of the plan this process
 * sends (`--shard I/N`, or `--shards N` with Kubernetes' JOB_COMPLETION_INDEX), when the
 * shards start together (`--start-at`, `--coordinator`) and how the worker is labelled.
 */
import type { Command } from 'commander';
import type { Problems, RawOptions } from './options.js';
import { parseDuration } from '../parse/units.js';

/** What the shard flags asked for; null on a run that is neither split nor timed. */
export interface ShardSettings {
  /** This process's share, from 0. */
  index: number;
  /** Shares in all (1 for a lone process timed with --start-at). */
  count: number;
  /** `--shard-label`: a region or pool name for the reports; null when not given. */
  label: string | null;
  /** `--start-at`: the shared start, epoch ms (the coordinator's clock when there is one). */
  startAtEpochMs: number | null;
  /** `--coordinator HOST:PORT`: shard 0 serves the start there, the others ask it. */
  coordinator: { host: string; port: number } | null;
  /**
   * `--start-timeout`: how long shards wait for each other at the coordinator (a worker
   * for shard 0 to answer and for the shared start, shard 0 for the others to check in),
   * counted from when the waiting begins or, when later, from `--start-at`, ms.
   */
  startTimeoutMs: number;
}

/** Default of `--start-timeout`, ms: long enough for processes started by hand or one scheduler wave, short enough that a dead shard 0 is noticed in a minute. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;

/** The variable a Kubernetes Indexed Job sets in each pod: its index, from 0. */
export const JOB_COMPLETION_INDEX = 'JOB_COMPLETION_INDEX';

/**
 * Test-only: milliseconds added to this process's wall clock, to fake a machine whose
 * clock is wrong (the offset measurement must find and remove it). Not for real runs.
 */
export const CLOCK_SKEW_ENV = 'AOAI_PROBE_TEST_CLOCK_SKEW_MS';

/** More shards than this is a typo (a GitHub Actions matrix stops at 256 jobs). */
const MAX_SHARDS = 1000;

/** Adds the shard flags to a sending command. */
export function addShardOptions(command: Command): Command {
  return command
    .option('--shard <i/n>', 'send shard I of N of the plan (from 0): every phase split by request number, no communication needed')
    .option('--shards <n>', 'the plan is split in N shards; this one is JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)')
    .option('--shard-label <text>', 'a label for this worker in the merged report, e.g. its region')
    .option('--start-at <time>', 'start the plan at this wall-clock time (ISO 8601, e.g. 2026-12-02T05:00:00Z), the same on every shard')
    .option('--coordinator <host:port>', 'synchronised start: shard 0 serves its clock at HOST:PORT, the others measure their offset to it and start together')
    .option('--start-timeout <duration>', `with --coordinator: give up (exit 2) when the shards have not all met this long after the wait began, or after --start-at when later (default ${DEFAULT_START_TIMEOUT_MS / 1000}s)`);
}

/** Reads the shard flags; problems go to `problems`. */
export function readShardSettings(problems: Problems, raw: RawOptions, env: Record<string, string | undefined>): ShardSettings | null {
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string).trim() : undefined);
  const shardText = text('shard');
  const shardsText = text('shards');
  const label = text('shardLabel');
  const startAtText = text('startAt');
  const coordinatorText = text('coordinator');
  const startTimeoutText = text('startTimeout');
  if (shardText === undefined && shardsText === undefined && startAtText === undefined && coordinatorText === undefined) {
    if (label !== undefined) problems.add('--shard-label labels a shard; add --shard I/N (or --shards N on Kubernetes), or leave it out');
    if (startTimeoutText !== undefined) problems.add('--start-timeout bounds the wait at the coordinator; add --coordinator HOST:PORT (and --shard I/N), or leave it out');
    return null;
  }

  let index = 0;
  let count = 1;
  if (shardText !== undefined && shardsText !== undefined) {
    problems.add('--shard I/N and --shards N both say how the plan is split; give one (--shards takes the index from JOB_COMPLETION_INDEX)');
  } else if (shardText !== undefined) {
    const match = /^(\d+)\s*\/\s*(\d+)$/.exec(shardText);
    if (match === null) problems.add(`--shard: "${shardText}" is not I/N; give the shard's index from 0 and the shard count, e.g. --shard 0/3`);
    else {
      index = Number(match[1]);
      count = Number(match[2]);
      if (count < 1 || count > MAX_SHARDS) problems.add(`--shard ${shardText}: the shard count must be 1 to ${MAX_SHARDS}`);
      else if (index >= count) problems.add(`--shard ${shardText}: the index counts from 0, so shard ${index} of ${count} does not exist; use 0 to ${count - 1}`);
    }
  } else if (shardsText !== undefined) {
    count = /^\d+$/.test(shardsText) ? Number(shardsText) : Number.NaN;
    if (!(count >= 1 && count <= MAX_SHARDS)) problems.add(`--shards: "${shardsText}" is not a shard count from 1 to ${MAX_SHARDS}`);
    const indexText = env[JOB_COMPLETION_INDEX]?.trim();
    if (indexText === undefined || indexText === '') {
      problems.add(`--shards ${shardsText} takes this shard's index from ${JOB_COMPLETION_INDEX}, which is not set (a Kubernetes Indexed Job sets it); outside Kubernetes give --shard I/N instead`);
    } else if (!/^\d+$/.test(indexText) || Number(indexText) >= count) {
      problems.add(`${JOB_COMPLETION_INDEX} is "${indexText}", not a shard index below --shards ${shardsText}; give the Job completions: ${shardsText}, or --shard I/N`);
    } else {
      index = Number(indexText);
    }
  }

  let startAtEpochMs: number | null = null;
  if (startAtText !== undefined) {
    // Why a zone is required: "05:00" without one means a different instant on every machine's local time.
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(startAtText);
    const parsed = Date.parse(startAtText);
    if (!zoned || !Number.isFinite(parsed)) problems.add(`--start-at: "${startAtText}" is not an ISO 8601 time with a zone; e.g. --start-at 2026-12-02T05:00:00Z (every shard must name the same instant)`);
    else startAtEpochMs = parsed;
  }

  let coordinator: ShardSettings['coordinator'] = null;
  if (coordinatorText !== undefined) {
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(coordinatorText);
    const port = match === null ? Number.NaN : Number(match[2]);
    if (match === null || !(port >= 0 && port <= 65535)) problems.add(`--coordinator: "${coordinatorText}" is not HOST:PORT; e.g. --coordinator probe-0.probe:7070 (shard 0's name and a free port)`);
    else coordinator = { host: match[1]!.replace(/^\[|\]$/g, ''), port };
    if (count === 1) problems.add('--coordinator synchronises several shards; add --shard I/N (or --shards N on Kubernetes), or leave it out');
  }

  let startTimeoutMs = DEFAULT_START_TIMEOUT_MS;
  if (startTimeoutText !== undefined) {
    if (coordinatorText === undefined) problems.add('--start-timeout bounds the wait at the coordinator; add --coordinator HOST:PORT, or leave it out');
    const parsed = problems.attempt(() => parseDuration(startTimeoutText, '--start-timeout')) ?? null;
    if (parsed !== null && parsed < 1000) problems.add(`--start-timeout: "${startTimeoutText}" leaves no time to meet; give at least 1s, e.g. --start-timeout 2m`);
    else if (parsed !== null) startTimeoutMs = parsed;
  }
  return { index, count, label: label ?? null, startAtEpochMs, coordinator, startTimeoutMs };
}

/** The test-only skew of CLOCK_SKEW_ENV, ms (0 when unset). */
export function clockSkewMs(problems: Problems, env: Record<string, string | undefined>): number {
  const text = env[CLOCK_SKEW_ENV]?.trim();
  if (text === undefined || text === '') return 0;
  const skew = Number(text);
  if (!Number.isFinite(skew)) problems.add(`${CLOCK_SKEW_ENV} (test-only) is "${text}", not a number of milliseconds; unset it`);
  return Number.isFinite(skew) ? skew : 0;
}
