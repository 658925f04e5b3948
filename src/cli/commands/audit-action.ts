/**
 * What `aoai-probe audit` does (its flags are in audit.ts): sends the matched pairs to
 * "direct" and "via" through the session, then compares them answer by answer from the
 * recording (src/analysis/path-audit.ts) and prints the comparison.
 */
import { resolve } from 'node:path';
import type { CliIo } from '../io.js';
import { parseDuration, parseRate } from '../../parse/units.js';
import type { SteadyPhase } from '../../schedule/types.js';
import { Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { defaultRecordingPath } from '../../record/writer.js';
import { readRecordingBatches } from '../../record/reader.js';
import type { RecordLine } from '../../record/types.js';

/** Runs `audit` with the flags commander parsed; sets the exit code. */
export async function runAudit(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const ratePerSecond = problems.attempt(() => parseRate(String(raw.rate ?? '5/s'), '--rate')) ?? 5;
  const durationMs = problems.attempt(() => parseDuration(String(raw.duration ?? '6s'), '--duration')) ?? 6000;
  for (const flag of ['url', 'endpoint', 'sim', 'target'] as const) {
    const value = raw[flag];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) problems.add(`--${flag} does not go with audit: --direct and --via name its two targets; remove --${flag}`);
  }
  const settings = problems.attempt(() => readRunSettings({ ...raw, target: [`direct=${String(raw.direct)}`, `via=${String(raw.via)}`] }, io.cwd, io.env));
  problems.throwIfAny();
  const runSettings = settings as RunSettings;
  // The session and the comparison load once the flags are good: bad input exits 2 without them (session.ts says why).
  const { runPhasesCommand } = await import('../session.js');
  const { auditPaths } = await import('../../analysis/path-audit.js');
  const { renderAudit, renderAuditJson } = await import('../../report/path-audit.js');
  const recordingPath = runSettings.recordPath !== null ? resolve(io.cwd, runSettings.recordPath) : defaultRecordingPath(io.cwd, 'audit', new Date());
  // The session's own report is about load; the audit prints its comparison instead.
  const quietRun: RunSettings = { ...runSettings, recordPath: recordingPath, quiet: true, json: false, format: null, expectations: [] };
  const phase: SteadyPhase = { kind: 'steady', name: 'pairs', ratePerSecond, durationMs, spread: { mode: 'each' } };
  const pairs = Math.floor((ratePerSecond * durationMs) / 1000);
  const code = await runPhasesCommand(io, { command: 'audit', settings: quietRun, scenario: { ratePerSecond, durationMs }, plannedRequests: pairs }, [phase]);
  const audit = auditPaths(await readLines(recordingPath));
  if (runSettings.json) io.stdout.write(renderAuditJson(audit));
  else if (!runSettings.quiet) io.stderr.write(renderAudit(audit));
  io.setExitCode(code);
}

async function readLines(path: string): Promise<RecordLine[]> {
  const lines: RecordLine[] = [];
  for await (const batch of readRecordingBatches(path)) lines.push(...batch);
  return lines;
}
