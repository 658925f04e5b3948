/**
 * Where a run's results go once its recording is closed: the recording FILE analysed
 * with the same code `report` runs (so the live numbers and `report saved.ndjson`
 * cannot differ), the renderings on stderr, stdout, --out, --junit and
 * $GITHUB_STEP_SUMMARY, and the progress line while the run lasts.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CliIo } from './io.js';
import type { RunSettings } from './run-settings.js';
import { InputError } from '../errors.js';
import type { Clock } from '../run/pacing/clock.js';
import { formatProgress, type LiveCounters } from '../run/live-counters.js';
import { readRecordingBatches } from '../record/reader.js';
import { analyseLineBatches } from '../analysis/summarise.js';
import type { AnalysisResult } from '../analysis/result-types.js';
import { renderReport } from '../report/render.js';
import type { ExpectationResult } from '../expect/types.js';
import { renderJunit } from '../report/junit.js';
import { colorFor, tableWidth, takesEscapes } from './terminal.js';

/** The progress line appears once a run has lasted this long. */
const PROGRESS_AFTER_MS = 2_000;
const PROGRESS_EVERY_MS = 250;

/** Shows the progress line on a terminal for runs longer than ~2 s; returns a function that clears it. */
export function startProgress(io: CliIo, settings: RunSettings, counters: LiveCounters, clock: Clock): () => void {
  if (settings.quiet || !io.stderr.isTTY) return () => {};
  // A terminal without cursor escapes (TERM=dumb) gets the line rewritten over spaces instead of erase-to-end-of-line.
  const escapes = takesEscapes(io.stderr, io.env);
  let shownLength = 0;
  const clear = (length: number): string => (escapes ? '\u001b[K' : ' '.repeat(Math.max(0, shownLength - length)));
  const timer = setInterval(() => {
    const now = clock.now();
    if (now < PROGRESS_AFTER_MS) return;
    const text = formatProgress(counters, now);
    io.stderr.write(`\r${text}${clear(text.length)}`);
    shownLength = Math.max(shownLength, text.length);
  }, PROGRESS_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (shownLength > 0) io.stderr.write(`\r${clear(0)}${escapes ? '' : '\r'}`);
  };
}

/** Reads a recording back and analyses it, printing the reader's warnings. */
export async function analyseRecordingFile(io: CliIo, recordingPath: string): Promise<AnalysisResult> {
  const warnings: string[] = [];
  const result = await analyseLineBatches(readRecordingBatches(recordingPath, { onWarning: (warning) => warnings.push(warning) }), { recordingPath });
  for (const warning of [...warnings, ...result.warnings]) io.stderr.write(`warning: ${warning}\n`);
  return result;
}

/**
 * Where each rendering goes: the human table on stderr (people), the JSON or --format
 * output on stdout (data) or --out, markdown appended to $GITHUB_STEP_SUMMARY, JUnit to --junit.
 * `humanText` replaces the table on stderr (the probe prints its own block).
 */
export function renderOutputs(io: CliIo, settings: RunSettings, result: AnalysisResult, expectations: ExpectationResult[], humanText?: (width: number) => string): void {
  // --quiet means no table at all (its help says so), whether or not stdout carries data.
  if (!settings.quiet) {
    const color = colorFor(io.stderr, io.env, settings.color);
    const width = tableWidth(io.stderr, io.env);
    io.stderr.write(humanText ? humanText(width) : renderReport(result, { format: 'table', color, width, expectations }));
  }
  if (settings.json) io.stdout.write(renderReport(result, { format: 'json', color: false }));
  if (settings.format !== null) {
    const text = renderReport(result, { format: settings.format, color: colorFor(io.stdout, io.env, settings.color), expectations });
    if (settings.outPath !== null) writeUserFile('--out', resolve(io.cwd, settings.outPath), text);
    else io.stdout.write(text);
  }
  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) writeUserFile('GITHUB_STEP_SUMMARY', stepSummary, renderReport(result, { format: 'markdown', color: false, expectations }), true);
  if (settings.junitPath !== null) writeUserFile('--junit', resolve(io.cwd, settings.junitPath), renderJunit(expectations, result.summary));
}

/**
 * Writes (or appends to) a file the user named, creating its folders. The paths were
 * checked before the run; a failure now (disk full, a folder removed meanwhile) is
 * still the user's environment, not a bug: an InputError naming the flag, exit 2.
 */
function writeUserFile(what: string, path: string, text: string, append = false): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    if (append) appendFileSync(path, text);
    else writeFileSync(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(`${what} ${path}: cannot write (${code}); the recording holds the run, so \`aoai-probe report\` can render it again`);
  }
}
