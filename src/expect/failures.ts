/**
 * Turning unmet expectations into what CI shows (docs/summary.md): each failing
 * expression with its measured value on stderr, and exit code 3 through
 * ExpectationError, which src/cli maps and prints.
 */
import { ExpectationError } from '../errors.js';
import type { ExpectationResult } from './types.js';

/** The stderr text for unmet expectations: a count, then one line per failing expression with its measured value. */
export function formatExpectationFailures(results: readonly ExpectationResult[]): string {
  const failed = results.filter((result) => !result.passed);
  const heading = `aoai-probe: ${failed.length} of ${results.length} expectation${results.length === 1 ? '' : 's'} not met:`;
  const lines = failed.map((result) => `  ✗ ${result.expression}  (${result.actual === null ? result.actualText : `measured ${result.actualText}`})`);
  return [heading, ...lines].join('\n');
}

/** Throws ExpectationError (exit 3) listing every unmet expectation; returns quietly when all are met. */
export function assertExpectationsMet(results: readonly ExpectationResult[]): void {
  if (results.every((result) => result.passed)) return;
  throw new ExpectationError(formatExpectationFailures(results));
}
