/**
 * Placing the recordings of a sharded run (docs/sharding.md) on one time line, so the
 * analysis of their union reads like one big machine's recording.
 *
 * Two things are corrected, and one is measured:
 *   - Clocks. A shard's times count from `shard.clockZeroEpochMs` on its own wall clock;
 *     adding `shard.offsetMs` puts them on the coordinator's (the fold does this with the
 *     start epoch it shifts every time by).
 *   - Planned instants. Every shard planned the same instants, but each on its own start,
 *     so after the clock correction a burst's shares sit a few milliseconds apart and
 *     would read as several small bursts. A shard's `plannedMs` is therefore moved by
 *     the difference between its phase's start and the first shard's start of the same
 *     phase: the instants line up exactly, while `sentMs` keeps the true, corrected time
 *     — so the merged burst's send spread is the real cross-machine spread.
 *   - The spread itself. Each shard's start error in a phase is how late its requests
 *     left against the lined-up instants: the least `sentMs − plannedMs` over its requests
 *     of the phase (the least, so one slow send does not count, while a shard that
 *     started late is late on every request). The spread of a phase is the largest start
 *     error minus the smallest over the shards; `schedule.crossShardSpreadMs` is the
 *     largest over the phases. Why not the phase lines: they carry the planned start,
 *     which the shared start makes equal by construction; what the target saw is when
 *     each shard's requests actually left.
 */
import type { ShardIdentity } from '../record/types.js';

/** Phase starts and shard identities over the merged recordings. */
export class ShardAlignment {
  /** The first corrected start of each phase name, ms on the merged clock. */
  private readonly firstStart = new Map<string, number>();
  /** Per phase name: each shard run's start error (by position in `identities`), ms. */
  private readonly startErrors = new Map<string, Map<number, number>>();
  /** Per phase of the current recording: add this to its planned times. */
  private readonly currentShift = new Map<string, number>();
  private currentIsShard = false;
  private readonly identities: ShardIdentity[] = [];
  /** Each shard run's least start error over every phase, by position in `identities`. */
  private readonly earliestStart: (number | null)[] = [];

  /** A new recording begins (its run line). */
  run(identity: ShardIdentity | undefined): void {
    this.currentShift.clear();
    this.currentIsShard = identity !== undefined;
    if (identity !== undefined) {
      this.identities.push(identity);
      this.earliestStart.push(null);
    }
  }

  /** A phase line of the current recording, its start already on the merged clock. */
  phase(name: string, startMs: number): void {
    if (!this.currentIsShard) return;
    const first = this.firstStart.get(name);
    if (first === undefined) this.firstStart.set(name, startMs);
    else this.currentShift.set(name, first - startMs);
  }

  /** Whether a phase of this name was already seen in an earlier shard's recording (one phase, several shares). */
  isRepeat(name: string): boolean {
    return this.currentIsShard && this.firstStart.has(name);
  }

  /** A request of the current recording left at `sentMs`, planned (lined up) at `plannedMs`, both on the merged clock. */
  sent(phase: string, plannedMs: number, sentMs: number): void {
    if (!this.currentIsShard) return;
    const lateMs = sentMs - plannedMs;
    const position = this.identities.length - 1;
    let byShard = this.startErrors.get(phase);
    if (byShard === undefined) {
      byShard = new Map();
      this.startErrors.set(phase, byShard);
    }
    const least = this.earliestStart[position];
    if (least === null || least === undefined || lateMs < least) this.earliestStart[position] = lateMs;
    const known = byShard.get(position);
    if (known === undefined || lateMs < known) byShard.set(position, lateMs);
  }

  /** A planned time of the current recording (already on the merged clock) lined up with the first shard's instants. */
  planned(phase: string, plannedMs: number): number {
    return plannedMs + (this.currentShift.get(phase) ?? 0);
  }

  /** Whether any recording was a shard's. */
  get seen(): boolean {
    return this.identities.length > 0;
  }

  /** The shards merged, in the order read. */
  shards(): readonly ShardIdentity[] {
    return this.identities;
  }

  /** How much later than the earliest shard each shard (in read order) kept its plan, ms; null for a shard that sent nothing. */
  startedAfter(): (number | null)[] {
    const known = this.earliestStart.filter((value): value is number => value !== null);
    const earliest = known.length === 0 ? 0 : Math.min(...known);
    return this.earliestStart.map((value) => (value === null ? null : value - earliest));
  }

  /** The largest spread of one phase's start errors over the shards, ms; null when no phase sent from two shards. */
  crossShardSpreadMs(): number | null {
    let largest: number | null = null;
    for (const byShard of this.startErrors.values()) {
      if (byShard.size < 2) continue;
      const errors = [...byShard.values()];
      largest = Math.max(largest ?? 0, Math.max(...errors) - Math.min(...errors));
    }
    return largest;
  }

  /** Problems with the set of recordings: a shard given twice, shards missing, different splits. */
  problems(): string[] {
    const problems: string[] = [];
    const counts = new Set(this.identities.map((identity) => identity.count));
    if (counts.size > 1) problems.push(`the merged shard recordings come from different splits (${[...counts].join(', ')} shards); merge the recordings of one run`);
    const byIndex = new Map<number, number>();
    for (const identity of this.identities) byIndex.set(identity.index, (byIndex.get(identity.index) ?? 0) + 1);
    const twice = [...byIndex].filter(([, times]) => times > 1).map(([index]) => index);
    if (twice.length > 0) problems.push(`shard ${twice.join(', ')} appears in more than one recording: its requests count twice; merge one recording per shard`);
    const count = Math.max(...counts);
    if (this.identities.length === 1 && count > 1) {
      problems.push(`this recording is shard ${this.identities[0]!.index} of ${count}: its figures cover its share of the plan; give report every shard's recording (or their folder) for the whole run`);
    } else if (counts.size === 1 && byIndex.size < count) {
      const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !byIndex.has(index));
      problems.push(`only ${byIndex.size} of ${count} shards were merged (missing: ${missing.join(', ')}): the figures cover part of the plan`);
    }
    return problems;
  }
}

/** What the shard sentence of the verdict is made of. */
export interface ShardVerdictInput {
  shards: readonly ShardIdentity[];
  spreadMs: number | null;
  /** Whether the merged run has a burst phase (whose instant the spread can break). */
  burstSent: boolean;
  /** The requests window the headers showed, seconds, or null. */
  windowSeconds: number | null;
}

/**
 * The verdict's sentence on a merged sharded run, and whether the merge is flagged.
 *
 * The window under test: a burst asks how many requests one window admits, and the
 * shortest window a known limiter counts in is Azure's 1-s cap (RPM/60, docs/summary.md),
 * or the headers' own window when that is shorter. Shards that started further apart than
 * that did not send one burst but several, so the merged burst figure is no measurement:
 * the sentence says so in the verdict instead of merging silently.
 */
export function shardSentence(input: ShardVerdictInput): { sentence: string; flagged: boolean } {
  const count = Math.max(...input.shards.map((shard) => shard.count));
  const indexes = new Set(input.shards.map((shard) => shard.index));
  const errors = input.shards.map((shard) => shard.offsetErrorMs).filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  const errorText = errors.length === 0 ? 'clocks taken as they were (no coordinator)' : `clock offsets known to ±${Math.max(...errors).toFixed(1)} ms`;
  const spread = input.spreadMs;
  const windowMs = 1000 * Math.min(1, input.windowSeconds ?? 1);
  if (input.shards.length === 1) return { sentence: count === 1 ? '' : `This is shard ${input.shards[0]!.index} of ${count} alone; its figures cover its share of the plan.`, flagged: false };
  const merged = `Merged ${indexes.size} of ${count} shard${count === 1 ? '' : 's'}`;
  if (spread === null) return { sentence: `${merged} (${errorText}).`, flagged: false };
  const head = `${merged}: they kept the shared start within ${spread.toFixed(1)} ms of each other (${errorText}).`;
  if (!input.burstSent || spread <= windowMs) return { sentence: head, flagged: false };
  return {
    sentence: `${head} Flagged: that start spread exceeds the ${windowMs / 1000}-s window under test, so the shards' bursts did not arrive as one instant and the merged burst figures measure no single window; re-run with --coordinator (or fix the machines' clocks).`,
    flagged: true,
  };
}
