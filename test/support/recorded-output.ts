/**
 * Reading back what a spawned CLI run left: the lines of its recording file and the
 * summary JSON it printed. Shared by the end-to-end shard tests, which read many
 * recordings and summaries from several processes.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import type { CliResult } from './spawn-cli.js';

/** Every line of an NDJSON recording, parsed, blank lines skipped. */
export function linesOf(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The `--json` summary of a run that must have exited 0 (its stderr is shown if not). */
export function summaryOf(result: CliResult): Summary {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Summary;
}
