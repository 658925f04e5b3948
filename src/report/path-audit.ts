/**
 * The path audit as a person reads it: one line per path (statuses, body shapes,
 * first refusal, p50), then the headers the gateway removed, renamed and added,
 * and the latency it adds. Shared by `audit` (live) and `report` on an audit
 * recording, so both print the same text.
 */
import type { AuditSide, PathAudit } from '../analysis/path-audit.js';

/** The audit as text, one finished line each. */
export function renderAudit(audit: PathAudit): string {
  const side = (label: string, entry: AuditSide): string =>
    `  ${label.padEnd(7)} ${Object.entries(entry.statuses)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ')
      .padEnd(24)} bodies wrapped ${entry.bodies.wrapped}, flat ${entry.bodies.flat}; first refusal at pair ${entry.firstRefusedPair ?? '—'}; p50 ${entry.latencyP50Ms ?? '—'} ms\n`;
  const renamed = (audit.headers.renamed ?? []).map((rename) => `${rename.from} → ${rename.to}`).join(', ');
  return [
    `Path audit: ${audit.pairs} matched pairs, ${audit.statusDifferences} with different statuses\n`,
    side('direct', audit.direct),
    side('via', audit.via),
    `  headers removed by the gateway: ${audit.headers.removed.join(', ') || 'none'}\n`,
    `  headers renamed by the gateway: ${renamed || 'none'}\n`,
    `  headers added by the gateway:   ${audit.headers.added.join(', ') || 'none'}\n`,
    `  added latency (p50 of admitted answers): ${audit.addedLatencyMs ?? '—'} ms\n`,
  ].join('');
}

/** The audit as `--json` prints it. */
export function renderAuditJson(audit: PathAudit): string {
  return `${JSON.stringify(audit, null, 2)}\n`;
}
