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
   * A removed header whose value reappears under an added name in the same pairs is
   * listed as renamed instead (see `findRenames`).
   */
  headers: { removed: string[]; added: string[]; renamed: HeaderRenaming[] };
  /** Gateway p50 minus direct p50, admitted answers, ms. */
  addedLatencyMs: number | null;
}

/** A header the gateway moved to another name. */
export interface HeaderRenaming {
  from: string;
  to: string;
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
  const renamed = findRenames(direct.slice(0, pairs), via.slice(0, pairs), removed, added);
  for (const { from, to } of renamed) {
    removed.delete(from);
    added.delete(to);
  }

  const directSide = describeSide(directTarget, direct);
  const viaSide = describeSide(viaTarget, via);
  return {
    pairs,
    direct: directSide,
    via: viaSide,
    statusDifferences,
    headers: { removed: [...removed].sort(), added: [...added].sort(), renamed },
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

/** Share of compared pairs whose values must agree for a removed and an added header to count as one renamed. */
const RENAME_AGREEMENT = 0.8;

/** Two header values agree: the same text, or numbers within 5 % (at least 1) of each other. */
function valueDistance(a: string, b: string): number | null {
  if (a === b) return 0;
  const x = Number(a);
  const y = Number(b);
  if (a.trim() === '' || b.trim() === '' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  const scale = Math.max(Math.abs(x), Math.abs(y), 1);
  return Math.abs(x - y) <= Math.max(1, 0.05 * scale) ? Math.abs(x - y) / scale : null;
}

/** Length of the common ending of two names (tells `…-remaining-tokens` apart from `…-limit-tokens` on a tie). */
function commonSuffix(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[a.length - 1 - length] === b[b.length - 1 - length]) length++;
  return length;
}

/**
 * Pairs removed headers with added ones that carry their values.
 *
 * Why by value: a rename (API Management's `set-header` from another header's
 * value) leaves no trace but the value under the new name. Both answers of a
 * pair come from the same deployment at one instant, so a renamed counter
 * agrees with the original within one request's worth; a header the gateway
 * made up (its own token counter) does not. A candidate needs agreement in at
 * least 80 % of the pairs where both sides carry it; the closest candidates are
 * taken first, each name at most once.
 */
function findRenames(direct: RequestLine[], via: RequestLine[], removed: Set<string>, added: Set<string>): HeaderRenaming[] {
  const candidates: { from: string; to: string; agreement: number; distance: number; suffix: number }[] = [];
  for (const from of removed) {
    for (const to of added) {
      let compared = 0;
      let agreeing = 0;
      let distance = 0;
      for (let index = 0; index < direct.length; index++) {
        const left = direct[index]!;
        const right = via[index]!;
        if (left.status !== right.status) continue;
        const a = left.headers?.[from];
        const b = right.headers?.[to];
        if (a === undefined || b === undefined) continue;
        compared++;
        const apart = valueDistance(a, b);
        if (apart !== null) {
          agreeing++;
          distance += apart;
        }
      }
      if (compared > 0 && agreeing / compared >= RENAME_AGREEMENT) candidates.push({ from, to, agreement: agreeing / compared, distance: distance / agreeing, suffix: commonSuffix(from, to) });
    }
  }
  candidates.sort((a, b) => b.agreement - a.agreement || a.distance - b.distance || b.suffix - a.suffix || (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : 1));
  const renamed: HeaderRenaming[] = [];
  const usedFrom = new Set<string>();
  const usedTo = new Set<string>();
  for (const candidate of candidates) {
    if (usedFrom.has(candidate.from) || usedTo.has(candidate.to)) continue;
    usedFrom.add(candidate.from);
    usedTo.add(candidate.to);
    renamed.push({ from: candidate.from, to: candidate.to });
  }
  return renamed.sort((a, b) => (a.from < b.from ? -1 : 1));
}
