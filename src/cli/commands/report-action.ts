/**
 * What `aoai-probe report` does (its flags are in report.ts): reads the recordings (a
 * folder stands for its shards' files), analyses them as one, renders the chosen format
 * to stdout or --out, appends the markdown to GITHUB_STEP_SUMMARY when set, writes
 * --junit, and then checks --expect (exit 3 when unmet).
 */
import { appendFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { auditPaths } from '../../analysis/path-audit.js';
import { analyseLineBatches } from '../../analysis/summarise.js';
import { InputError } from '../../errors.js';
import { evaluateExpectations } from '../../expect/evaluate.js';
import { assertExpectationsMet } from '../../expect/failures.js';
import { parseExpectations } from '../../expect/parse.js';
import { readRecordingsBatches } from '../../record/reader.js';
import type { RecordLine } from '../../record/types.js';
import { renderJunit } from '../../report/junit.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderAudit, renderAuditJson } from '../../report/path-audit.js';
import { renderReport, type ReportFormat } from '../../report/render.js';
import type { CliIo, OutputStream } from '../io.js';
import { colorFor, tableWidth } from '../terminal.js';

/** The flags of `report`, as commander hands them over. */
export interface ReportFlags {
  format: ReportFormat;
  out?: string;
  expect: string[];
  junit?: string;
  color: boolean;
}

/** Colour only for a table written to a terminal that takes it (src/cli/terminal.ts: --no-color, NO_COLOR, FORCE_COLOR, TERM). */
function useColor(flags: ReportFlags, stream: OutputStream, env: CliIo['env']): boolean {
  return flags.format === 'table' && flags.out === undefined && colorFor(stream, env, flags.color);
}

/** Writes a file the user named, turning failures into an InputError that names the flag and the fix. */
async function writeUserFile(what: string, path: string, text: string, append = false): Promise<void> {
  try {
    if (append) await appendFile(path, text);
    else await writeFile(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(`${what} ${path}: cannot write (${code}); check that the folder exists and is writable`);
  }
}

/** Runs `report` for the given recordings; exported for in-process tests. */
export async function runReport(paths: string[], flags: ReportFlags, io: CliIo): Promise<void> {
  const expectations = parseExpectations(flags.expect);

  const readerWarnings: string[] = [];
  const files = await expandFolders(paths.map((path) => resolve(io.cwd, path)));
  const audit = new AuditLines();
  const batches = audit.watch(readRecordingsBatches(files, { onWarning: (message) => readerWarnings.push(message) }));
  const result = await analyseLineBatches(batches, { recordingPath: paths.join(',') });
  // The reader reports as it reads, after the analysis was set up: put its findings first.
  result.warnings = [...new Set([...readerWarnings, ...result.warnings])];
  for (const warning of result.warnings) io.stderr.write(`aoai-probe: warning: ${warning}\n`);

  const results = evaluateExpectations(expectations, result.summary);
  const width = tableWidth(io.stdout, io.env);
  const auditText = audit.isAudit() ? (flags.format === 'json' ? renderAuditJson(auditPaths(audit.lines)) : flags.format === 'table' ? renderAudit(auditPaths(audit.lines)) : null) : null;
  const text =
    auditText ??
    renderReport(result, {
      format: flags.format,
      color: useColor(flags, io.stdout, io.env),
      width,
      expectations: results,
    });

  if (flags.out === undefined) {
    io.stdout.write(text);
  } else {
    await writeUserFile('--out', resolve(io.cwd, flags.out), text);
    io.stderr.write(`aoai-probe: wrote the ${flags.format} report to ${flags.out}\n`);
  }

  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') {
    await writeUserFile('GITHUB_STEP_SUMMARY', stepSummary, `${renderMarkdown(result, { expectations: results })}\n`, true);
  }

  if (flags.junit !== undefined) {
    await writeUserFile('--junit', resolve(io.cwd, flags.junit), renderJunit(results, result.summary));
    io.stderr.write(`aoai-probe: wrote JUnit results to ${flags.junit}\n`);
  }

  assertExpectationsMet(results);
  if (results.length > 0) io.stderr.write(`aoai-probe: all ${results.length} expectation${results.length === 1 ? '' : 's'} met\n`);
}

/**
 * Keeps the lines of audit recordings while the analysis reads them (an audit is
 * small: its pairs and a few lines around them), so the path audit can be made
 * from the same read. Recordings of other commands are passed through unkept.
 */
class AuditLines {
  readonly lines: RecordLine[] = [];
  private runs = 0;
  private auditRuns = 0;

  /** Passes the batches on, keeping them while every run line so far is an audit's. */
  async *watch(batches: AsyncIterable<RecordLine[]>): AsyncGenerator<RecordLine[], void, undefined> {
    for await (const batch of batches) {
      for (const line of batch) {
        if (line.type !== 'run') continue;
        this.runs++;
        if (line.command === 'audit') this.auditRuns++;
      }
      if (this.isAudit()) this.lines.push(...batch);
      else this.lines.length = 0;
      yield batch;
    }
  }

  /** Whether every recording read was an audit's. */
  isAudit(): boolean {
    return this.runs > 0 && this.auditRuns === this.runs;
  }
}

/**
 * A folder given to `report` stands for its `.ndjson` files in name order: the shards of
 * a split run are collected in one folder (docs/sharding.md). Anything else is passed on
 * for the reader to check.
 */
async function expandFolders(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isDirectory()) {
      files.push(path);
      continue;
    }
    const inside = (await readdir(path)).filter((name) => name.endsWith('.ndjson')).sort();
    if (inside.length === 0) throw new InputError(`${path} is a folder without .ndjson recordings; pass the recordings, or the folder the shards wrote them to`);
    files.push(...inside.map((name) => join(path, name)));
  }
  return files;
}
