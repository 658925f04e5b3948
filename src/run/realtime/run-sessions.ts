/**
 * Runs realtime phases through the one firing loop (src/run/loop.ts): the loop
 * fires sessions (the session sender is its sender), applies its ceiling, stop
 * and drain rules, and writes every session line; turn lines reach the same sink
 * from the sender as each turn ends.
 */
import type { RecordSink, SessionLine } from '../../record/types.js';
import type { Clock } from '../pacing/clock.js';
import { runSource, type LoopResult } from '../loop.js';
import type { TargetSpec } from '../types.js';
import { createSessionSender, type SessionBehaviour } from './session-sender.js';
import { realtimeSource, sessionsOf, type RealtimePhase, type RealtimeSchedule } from './sources.js';

/** Everything one realtime run needs. */
export interface RealtimeRunOptions {
  target: TargetSpec;
  phases: readonly RealtimePhase[];
  clock: Clock;
  sink: RecordSink;
  behaviour?: Partial<SessionBehaviour>;
  stopSignal?: AbortSignal;
  abortSignal?: AbortSignal;
  /** Sessions open at once at most (a session beyond it is recorded as dropped); default: every session of the largest phase. */
  maxInFlight?: number;
  /** Pause between phases, ms. Default 1000. */
  phaseGapMs?: number;
  /** A shard's share, the shared start and planned phase starts (docs/sharding.md); default: the whole plan, phase after phase. */
  schedule?: RealtimeSchedule;
}

/** Runs the phases one after another; resolves when every session has ended. */
export async function runRealtimePhases(options: RealtimeRunOptions): Promise<LoopResult> {
  const sender = createSessionSender({ target: options.target, clock: options.clock, sink: options.sink, ...(options.behaviour ? { behaviour: options.behaviour } : {}) });
  try {
    const shard = options.schedule?.shard;
    return await runSource<SessionLine & { seq: number }>(realtimeSource(options.phases, options.phaseGapMs ?? 1000, options.schedule), {
      clock: options.clock,
      // Shard I's sessions are the whole plan's I, I + N, …: their session numbers never meet another shard's.
      ...(shard !== undefined && shard.count > 1 ? { firstSeq: shard.index, seqStep: shard.count } : {}),
      sink: options.sink,
      targets: [{ id: options.target.id, sender }],
      maxInFlight: options.maxInFlight ?? Math.max(1, ...options.phases.map(sessionsOf)),
      graceMs: 5000,
      ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
  } finally {
    await sender.close();
  }
}
