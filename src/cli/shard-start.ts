/**
 * The synchronised start of a sharded run (docs/sharding.md), before the recording opens:
 * shard 0 of a `--coordinator` run serves the start (src/run/shard/coordinator.ts); the
 * other shards measure their clock's offset to it and ask for the start
 * (src/run/shard/clock-offset.ts); without a coordinator `--start-at` is taken on this
 * machine's own clock (kept right by NTP or chrony). The result says when, on this
 * machine's wall clock, the plan's clock starts, and what the run line records.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { CliIo } from './io.js';
import type { ShardSettings } from './shard-options.js';
import { InputError } from '../errors.js';
import type { ShardIdentity } from '../record/types.js';
import { startCoordinator, type Coordinator } from '../run/shard/coordinator.js';
import { askSharedStart, CoordinatorUnreachable, measureClockOffset } from '../run/shard/clock-offset.js';
import { isLoopbackUrl } from './consent.js';

/** Lead between the last shard checking in and the start, ms: room to open the recording, start the transports and warm them. */
export const START_LEAD_MS = 3_000;

/** A shard ready to start. */
export interface ShardStart {
  /** The run line's `shard`, but for `clockZeroEpochMs` (known once the run's clock exists). */
  identity: Omit<ShardIdentity, 'clockZeroEpochMs'>;
  /** This machine's wall clock (epoch ms with decimals), the one every time here is on. */
  wallNow: () => number;
  /** When the plan starts on `wallNow`'s clock, or null: at once. */
  startAtLocalEpochMs: number | null;
  /** Stops the coordinator, if this shard runs it. */
  close(): Promise<void>;
}

/** Measures, waits for the others as configured, and returns when and how this shard starts. */
export async function synchroniseShard(io: CliIo, settings: ShardSettings, skewMs: number): Promise<ShardStart> {
  const wallNow = (): number => performance.timeOrigin + performance.now() + skewMs;
  const base = { index: settings.index, count: settings.count, host: hostname(), label: settings.label };
  const startAtIso = (epochMs: number | null): string | null => (epochMs === null ? null : new Date(epochMs).toISOString());
  const coordinatorSettings = settings.coordinator;
  if (coordinatorSettings === null) {
    return {
      identity: { ...base, offsetMs: null, offsetErrorMs: null, startAt: startAtIso(settings.startAtEpochMs) },
      wallNow,
      startAtLocalEpochMs: settings.startAtEpochMs,
      close: async () => undefined,
    };
  }
  const hostForUrl = coordinatorSettings.host.includes(':') ? `[${coordinatorSettings.host}]` : coordinatorSettings.host;
  if (settings.index === 0) {
    // A loopback name is listened on as given; any other name is this pod's own, reachable on every interface.
    const listenOn = isLoopbackUrl(`http://${hostForUrl}/`) ? coordinatorSettings.host : '0.0.0.0';
    let coordinator: Coordinator;
    try {
      coordinator = await startCoordinator({ host: listenOn, port: coordinatorSettings.port, shards: settings.count, wallNow, startAtEpochMs: settings.startAtEpochMs, leadMs: START_LEAD_MS });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new InputError(`--coordinator ${coordinatorSettings.host}:${coordinatorSettings.port}: shard 0 cannot listen there (${code}); choose a free port`);
    }
    const timeoutMs = waitLimitMs(settings, wallNow);
    io.stderr.write(`Coordinator: shard 0 of ${settings.count} serves the shared start on ${listenOn}:${coordinator.port}; waiting for the other ${settings.count - 1} (at most ${seconds(timeoutMs)})\n`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const missing = Array.from({ length: settings.count - 1 }, (_, offset) => offset + 1).filter((index) => !coordinator.checkedIn().includes(index));
        reject(
          new InputError(
            `shard 0 of ${settings.count} could not start: shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} did not check in at --coordinator ${coordinatorSettings.host}:${coordinatorSettings.port} within ${seconds(timeoutMs)}; start every shard with --shard I/${settings.count} (or --shards ${settings.count}) and the same --coordinator, or wait longer with --start-timeout (e.g. --start-timeout 10m)`,
          ),
        );
      }, timeoutMs);
    });
    try {
      const startAt = await Promise.race([coordinator.startAt, timeout]);
      io.stderr.write(`Coordinator: every shard checked in; the shared start is ${new Date(startAt).toISOString()}\n`);
      return { identity: { ...base, offsetMs: 0, offsetErrorMs: 0, startAt: startAtIso(startAt) }, wallNow, startAtLocalEpochMs: startAt, close: () => coordinator.close() };
    } catch (error) {
      await coordinator.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  const timeoutMs = waitLimitMs(settings, wallNow);
  const deadline = wallNow() + timeoutMs;
  const address = { baseUrl: `http://${hostForUrl}:${coordinatorSettings.port}`, wallNow, timeoutMs };
  try {
    const offset = await measureClockOffset(address);
    // One bound for the whole wait: what the offset rounds took is not given again to the barrier.
    const startAt = await askSharedStart({ ...address, timeoutMs: Math.max(1, deadline - wallNow()) }, settings.index);
    io.stderr.write(
      `Shard ${settings.index} of ${settings.count}: clock offset to the coordinator ${offset.offsetMs.toFixed(3)} ms (± ${offset.errorMs.toFixed(3)} ms); the shared start is ${new Date(startAt).toISOString()}\n`,
    );
    return {
      identity: { ...base, offsetMs: offset.offsetMs, offsetErrorMs: offset.errorMs, startAt: startAtIso(startAt) },
      wallNow,
      startAtLocalEpochMs: startAt - offset.offsetMs,
      close: async () => undefined,
    };
  } catch (error) {
    if (error instanceof CoordinatorUnreachable) throw new InputError(`shard ${settings.index} of ${settings.count} could not start: ${error.message}`);
    throw error;
  }
}

/**
 * How long this shard waits at the coordinator, ms: `--start-timeout` from now, or from
 * the `--start-at` time when that is later (a start fixed an hour ahead is not a dead
 * coordinator). Why bounded at all: a shard 0 that died or never came up must end the
 * other shards with one message, not leave them (and the Job) hanging.
 */
function waitLimitMs(settings: ShardSettings, wallNow: () => number): number {
  const untilStartAt = settings.startAtEpochMs === null ? 0 : Math.max(0, settings.startAtEpochMs - wallNow());
  return untilStartAt + settings.startTimeoutMs;
}

/** A wait in words: "60 s", "10 min". */
function seconds(ms: number): string {
  return ms >= 120_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
