/**
 * Per-second counts of what the simulator decided: requests admitted, refused
 * by class (request rate, token rate, never fits, capacity), injected faults,
 * and tokens charged at admission. What users of a load generator watch while
 * it runs: `aoai-probe sim --stats` prints one line per second, and
 * `GET /_sim/stats` returns the same as JSON.
 *
 * Seconds are counted on the simulator's clock from the first request it
 * decided on (the clock is not read before: an injected clock is the tests'),
 * so a test with a fake clock gets exact seconds. The last minute is kept.
 */
import type { RefusalClass } from './policies/policy.js';

/** What happened in one second (or in total). */
export interface StatsCounts {
  admitted: number;
  refused: Record<RefusalClass, number>;
  /** Injected faults answered (500, 503, reset); the capacity fault counts as a refusal. */
  faults: number;
  tokensCharged: number;
}

/** One second of counts; `second` counts from the simulator's start (0 = its first second). */
export interface SecondCounts extends StatsCounts {
  second: number;
}

/** The JSON of `GET /_sim/stats`. */
export interface StatsSnapshot {
  /** Seconds since the simulator started, on its clock. */
  uptimeSeconds: number;
  totals: StatsCounts;
  /** The second in progress. */
  current: SecondCounts;
  /** The completed seconds of the last minute that saw any request, oldest first. */
  seconds: SecondCounts[];
}

const KEPT_SECONDS = 60;

function emptyCounts(): StatsCounts {
  return { admitted: 0, refused: { requests: 0, tokens: 0, never: 0, capacity: 0 }, faults: 0, tokensCharged: 0 };
}

function add(into: StatsCounts, from: StatsCounts): void {
  into.admitted += from.admitted;
  into.faults += from.faults;
  into.tokensCharged += from.tokensCharged;
  for (const name of Object.keys(into.refused) as RefusalClass[]) into.refused[name] += from.refused[name];
}

function isEmpty(counts: StatsCounts): boolean {
  return counts.admitted === 0 && counts.faults === 0 && counts.tokensCharged === 0 && Object.values(counts.refused).every((count) => count === 0);
}

/** The counters of one simulator. */
export class SimulatorStats {
  private startMs: number | undefined;
  private readonly completed: SecondCounts[] = [];
  private readonly totals = emptyCounts();
  private current: SecondCounts = { second: 0, ...emptyCounts() };

  constructor(private readonly clock: () => number) {}

  /** An admitted request and its charge. */
  admitted(charge: number): void {
    const counts = this.now();
    counts.admitted++;
    counts.tokensCharged += charge;
  }

  /** A refused request (a refusal may charge too: penalty limiters). */
  refused(refusalClass: RefusalClass, charge = 0): void {
    const counts = this.now();
    counts.refused[refusalClass]++;
    counts.tokensCharged += charge;
  }

  /** An injected fault's answer. */
  fault(): void {
    this.now().faults++;
  }

  /** The seconds completed since `afterSecond` (exclusive), oldest first; for `--stats` lines. */
  completedSince(afterSecond: number): SecondCounts[] {
    this.now();
    return this.completed.filter((counts) => counts.second > afterSecond);
  }

  /** Everything, as `GET /_sim/stats` sends it. */
  snapshot(): StatsSnapshot {
    const current = this.now();
    const totals = emptyCounts();
    add(totals, this.totals);
    add(totals, current);
    return {
      uptimeSeconds: Math.max(0, (this.clock() - (this.startMs ?? this.clock())) / 1000),
      totals,
      current: structuredClone(current),
      seconds: this.completed.filter((counts) => !isEmpty(counts)).map((counts) => structuredClone(counts)),
    };
  }

  /** The counts of the current second, closing the seconds that have passed. */
  private now(): SecondCounts {
    const nowMs = this.clock();
    this.startMs ??= nowMs;
    const second = Math.max(0, Math.floor((nowMs - this.startMs) / 1000));
    if (second !== this.current.second) {
      add(this.totals, this.current);
      this.completed.push(this.current);
      // Seconds with nothing in them are kept too, so a printed line per second has no gaps.
      for (let gap = this.current.second + 1; gap < second && gap > second - KEPT_SECONDS; gap++) this.completed.push({ second: gap, ...emptyCounts() });
      while (this.completed.length > 0 && this.completed[0]!.second <= second - KEPT_SECONDS) this.completed.shift();
      this.current = { second, ...emptyCounts() };
    }
    return this.current;
  }
}

/** One `--stats` line: "second 12: admitted 5, refused 45 (requests 45, tokens 0, never 0, capacity 0), faults 0, 3,240 tokens charged". */
export function formatStatsLine(counts: SecondCounts): string {
  const refused = counts.refused;
  const total = refused.requests + refused.tokens + refused.never + refused.capacity;
  return (
    `second ${counts.second}: admitted ${counts.admitted}, refused ${total} ` +
    `(requests ${refused.requests}, tokens ${refused.tokens}, never ${refused.never}, capacity ${refused.capacity}), ` +
    `faults ${counts.faults}, ${Math.round(counts.tokensCharged).toLocaleString('en-US')} tokens charged`
  );
}
