/**
 * Per-target and per-region counts: a run against several regions,
 * deployments or a gateway that fails over is reported row by row, one row per
 * (target id, `x-ms-region`) pair. Answers without a region header (transport
 * failures, gateways that strip it) form their own row with region null.
 */
import type { TargetBreakdown } from './result-types.js';

/** Folds requests into TargetBreakdown rows. */
export class TargetBreakdowns {
  /** Rows by target id, then by region (null for none). */
  private readonly rows = new Map<string, Map<string | null, TargetBreakdown>>();

  add(target: string, region: string | null, seq: number, outcome: 'admitted' | 'refused' | 'failed'): void {
    let regions = this.rows.get(target);
    if (regions === undefined) {
      regions = new Map();
      this.rows.set(target, regions);
    }
    let row = regions.get(region);
    if (row === undefined) {
      row = { target, region, sent: 0, ok: 0, throttled: 0, failed: 0, firstThrottledSeq: null };
      regions.set(region, row);
    }
    row.sent++;
    if (outcome === 'admitted') row.ok++;
    else if (outcome === 'failed') row.failed++;
    else {
      row.throttled++;
      if (row.firstThrottledSeq === null || seq < row.firstThrottledSeq) row.firstThrottledSeq = seq;
    }
  }

  /** Rows ordered by target id, then region (null last). */
  list(): TargetBreakdown[] {
    return [...this.rows.values()].flatMap((regions) => [...regions.values()]).sort((a, b) => {
      if (a.target !== b.target) return a.target < b.target ? -1 : 1;
      if (a.region === b.region) return 0;
      if (a.region === null) return 1;
      if (b.region === null) return -1;
      return a.region < b.region ? -1 : 1;
    });
  }
}
