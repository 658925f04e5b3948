/**
 * A first-in first-out queue of (time, cost) entries with a running total: the
 * storage behind sliding-window logs.
 *
 * Why hand-written: the simulator must stay cheap per request (tens of thousands
 * of requests per second), so pushes and expiries are O(1) amortised, and "when
 * will N units have expired?" is a binary search over cumulative sums instead of a
 * walk over the whole window. Entries are kept in plain arrays with a moving head
 * that is compacted once most of the array is dead.
 */
export class TimedCostQueue {
  private times: number[] = [];
  /** cumulative[i] = sum of the costs of every entry ever pushed up to and including i. */
  private cumulative: number[] = [];
  private head = 0;
  private expiredTotal = 0;
  private pushedTotal = 0;

  /** The sum of the costs still in the queue. */
  get total(): number {
    return this.pushedTotal - this.expiredTotal;
  }

  /** How many entries are still in the queue. */
  get size(): number {
    return this.times.length - this.head;
  }

  /** The time of the newest entry, or undefined when empty. */
  get newestTime(): number | undefined {
    return this.size === 0 ? undefined : this.times[this.times.length - 1];
  }

  /** Appends an entry; times must not go backwards. */
  push(timeMs: number, cost: number): void {
    this.pushedTotal += cost;
    this.times.push(timeMs);
    this.cumulative.push(this.pushedTotal);
  }

  /** Drops every entry whose time is at or before `cutoffMs`. */
  expireUpTo(cutoffMs: number): void {
    const times = this.times;
    let head = this.head;
    while (head < times.length && times[head]! <= cutoffMs) head++;
    if (head === this.head) return;
    this.expiredTotal = this.cumulative[head - 1]!;
    this.head = head;
    if (head === times.length) {
      this.times = [];
      this.cumulative = [];
      this.head = 0;
    } else if (head > 1024 && head * 2 > times.length) {
      this.times = times.slice(head);
      this.cumulative = this.cumulative.slice(head);
      this.head = 0;
    }
  }

  /**
   * The time of the entry whose expiry frees at least `units` (counting from the
   * oldest entry), or undefined when the whole queue holds less than that.
   */
  timeWhenFreed(units: number): number | undefined {
    if (units <= 0) return undefined;
    const target = this.expiredTotal + units;
    let low = this.head;
    let high = this.cumulative.length - 1;
    if (high < low || this.cumulative[high]! < target) return undefined;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle]! >= target) high = middle;
      else low = middle + 1;
    }
    return this.times[low];
  }
}
