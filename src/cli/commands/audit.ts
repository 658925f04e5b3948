/**
 * `aoai-probe audit --direct URL --via URL`: the same requests in matched pairs, straight
 * to the deployment and through the gateway, both of a pair leaving at one instant. The
 * recording holds both targets ("direct" and "via"); src/analysis/path-audit.ts compares
 * them answer by answer (statuses, body shapes, the rate-limit headers the gateway removes
 * or adds, when refusals start, the latency it adds), and the result is printed as a table
 * or, with --json, as JSON; `report` on the recording prints the same. Consent and budget
 * rules are those of every sending command.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { parseDuration, parseRate } from '../../parse/units.js';
import type { SteadyPhase } from '../../schedule/types.js';
import { addRunOptions, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { runPhasesCommand } from '../session.js';
import { defaultRecordingPath } from '../../record/writer.js';
import { readRecordingBatches } from '../../record/reader.js';
import { auditPaths } from '../../analysis/path-audit.js';
import { renderAudit, renderAuditJson } from '../../report/path-audit.js';
import type { RecordLine } from '../../record/types.js';

/** Registers `audit`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('audit')
    .description('send matched pairs straight to a deployment and through a gateway, and list what the gateway changes')
    .requiredOption('--direct <url>', 'full request URL of the deployment itself')
    .requiredOption('--via <url>', 'full request URL of the same deployment through the gateway')
    .option('--rate <rate>', 'pairs per second (default 5/s)')
    .option('--duration <duration>', 'how long to send pairs (default 6s)');
  addRunOptions(command);
  command.action(async (raw: RawOptions) => {
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
  });
}

async function readLines(path: string): Promise<RecordLine[]> {
  const lines: RecordLine[] = [];
  for await (const batch of readRecordingBatches(path)) lines.push(...batch);
  return lines;
}
