/**
 * The path audit: the same requests sent in matched pairs straight to a
 * deployment ("direct") and through a gateway ("via"), compared answer by answer.
 * What a gateway changes shows as differences: statuses, body shapes (Azure
 * OpenAI's `{error:{…}}` against a gateway's flat `{statusCode, message}`), the
 * header set (which rate-limit headers it removes or adds), when refusals start,
 * and the latency it adds.
 *
 * Pure: it reads request lines only (the recording of a run with two targets),
 * so the audit of a saved recording gives the same result as the live one.
 */
import type { RecordLine, RequestLine } from '../record/types.js';
import { Distribution } from './distribution.js';

/** One side of the audit. */
export interface AuditSide {
  target: string;
  answers: number;
  /** Answers by status ("none" for no HTTP answer). */
  statuses: Record<string, number>;
  /** Error bodies by shape: wrapped (`{error:{…}}`), flat (`{statusCode, message}`). */
  bodies: { wrapped: number; flat: number };
  /** Index (0-based, in send order) of the first refused pair; null when none was refused. */
  firstRefusedPair: number | null;
  latencyP50Ms: number | null;
}

/** The differences between the two paths. */
export interface PathAudit {
  pairs: number;
  direct: AuditSide;
  via: AuditSide;
  /** Pairs whose two answers had different statuses. */
  statusDifferences: number;
  /**
   * Header names that answers of one status carried on the direct path and never on
   * the gateway path (removed), or the other way round (added). Compared status by
   * status, so a header only refusals carry is not "removed" when one side was never refused.
   */
  headers: { removed: string[]; added: string[] };
  /** Gateway p50 minus direct p50, admitted answers, ms. */
  addedLatencyMs: number | null;
}

interface SideState {
  lines: RequestLine[];
}

/** Audits a recording whose request lines go to `directTarget` and `viaTarget` in matched pairs. */
export function auditPaths(lines: Iterable<RecordLine>, directTarget = 'direct', viaTarget = 'via'): PathAudit {
  const sides = new Map<string, SideState>([
    [directTarget, { lines: [] }],
    [viaTarget, { lines: [] }],
  ]);
  for (const line of lines) {
    if (line.type !== 'request') continue;
    sides.get(line.target)?.lines.push(line);
  }
  const direct = sides.get(directTarget)!.lines.sort((a, b) => a.seq - b.seq);
  const via = sides.get(viaTarget)!.lines.sort((a, b) => a.seq - b.seq);
  const pairs = Math.min(direct.length, via.length);
  let statusDifferences = 0;
  for (let index = 0; index < pairs; index++) if (direct[index]!.status !== via[index]!.status) statusDifferences++;

  const namesByStatus = (side: RequestLine[]): Map<string, Set<string>> => {
    const byStatus = new Map<string, Set<string>>();
    for (const line of side) {
      const key = String(line.status);
      let names = byStatus.get(key);
      if (names === undefined) {
        names = new Set();
        byStatus.set(key, names);
      }
      for (const name of Object.keys(line.headers ?? {})) names.add(name);
    }
    return byStatus;
  };
  const directNames = namesByStatus(direct);
  const viaNames = namesByStatus(via);
  const removed = new Set<string>();
  const added = new Set<string>();
  for (const [status, names] of directNames) {
    const other = viaNames.get(status);
    if (other === undefined || status === 'null') continue;
    for (const name of names) if (!other.has(name)) removed.add(name);
    for (const name of other) if (!names.has(name)) added.add(name);
  }
  // `date` is kept only beside a retry-after (see src/record/header-names.ts): it follows that header, it is not one the gateway chose.
  removed.delete('date');
  added.delete('date');

  const directSide = describeSide(directTarget, direct);
  const viaSide = describeSide(viaTarget, via);
  return {
    pairs,
    direct: directSide,
    via: viaSide,
    statusDifferences,
    headers: { removed: [...removed].sort(), added: [...added].sort() },
    addedLatencyMs: directSide.latencyP50Ms === null || viaSide.latencyP50Ms === null ? null : Math.round((viaSide.latencyP50Ms - directSide.latencyP50Ms) * 10) / 10,
  };
}

function describeSide(target: string, lines: RequestLine[]): AuditSide {
  const statuses: Record<string, number> = {};
  const bodies = { wrapped: 0, flat: 0 };
  const latency = new Distribution({ resolution: 0.001 });
  let firstRefusedPair: number | null = null;
  lines.forEach((line, index) => {
    const key = line.status === null ? 'none' : String(line.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (line.error?.shape === 'flat') bodies.flat++;
    else if (line.error !== null && line.error !== undefined && line.error.code !== null && line.status !== null) bodies.wrapped++;
    if ((line.status === 429 || line.status === 503) && firstRefusedPair === null) firstRefusedPair = index;
    if (line.status !== null && line.status >= 200 && line.status < 300) latency.add(line.doneMs - line.sentMs);
  });
  const p50 = latency.percentile(50);
  return { target, answers: lines.length, statuses, bodies, firstRefusedPair, latencyP50Ms: p50 === null ? null : Math.round(p50 * 10) / 10 };
}
