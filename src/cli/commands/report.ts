/**
 * `aoai-probe report RECORDING.ndjson...` (docs/summary.md): re-analyses saved
 * recordings with the same analysis the live run used, so the numbers are the ones
 * the run printed. Several files are merged into one analysis (their lines fed one
 * file after the other) and shown per target through the per-target rows.
 *
 * Where output goes: the report is this command's data, so every format, the
 * terminal table included, goes to stdout (or to `--out FILE`); stderr carries only
 * warnings, the "wrote FILE" notes and unmet expectations. Colour only for the table
 * on a TTY stdout, and never with `--no-color` or NO_COLOR. When GITHUB_STEP_SUMMARY
 * is set, the markdown rendering is appended to that file as well.
 *
 * An audit recording (`aoai-probe audit`) is shown as the audit showed it: the
 * table and JSON formats print the path audit, the same text and JSON the live
 * run printed; the other formats and --expect read the run's summary as usual.
 *
 * Order matters for CI: expectations are parsed before any file is read (a
 * malformed one exits 2 at once); the report, the step summary and the JUnit file
 * are all written before unmet expectations exit 3.
 *
 * The flags are defined here; what the command does is in report-action.ts, loaded when
 * it runs (index.ts says why).
 */
import { Option, type Command } from 'commander';
import { REPORT_FORMATS } from '../../report/formats.js';
import type { CliIo } from '../io.js';
import type { ReportFlags } from './report-action.js';

/** Adds one more value of a repeatable flag (--expect). */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `report` to the program. */
export function register(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('re-analyse saved recordings (several are merged) and print the report on stdout')
    .argument('<recordings...>', 'NDJSON recordings written by aoai-probe (see --record), or folders of them (the shards of a split run)')
    .addOption(new Option('--format <format>', 'report format').choices([...REPORT_FORMATS]).default('table'))
    .option('--out <file>', 'write the report to this file instead of stdout')
    .option('--expect <expression>', 'CI check over summary fields, e.g. "throttled.ratio < 0.01" (repeatable; exit 3 when unmet)', collect, [])
    .option('--junit <file>', 'also write the --expect results as JUnit XML')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .action(async (paths: string[], flags: ReportFlags) => {
      const { runReport } = await import('./report-action.js');
      await runReport(paths, flags, io);
    });
}
