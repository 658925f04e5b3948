/**
 * Checks parsed expectations against a summary. A field the run did not measure
 * (null) fails with "not measured": a CI check that cannot be decided must not pass.
 */
import type { Summary } from '../analysis/summary-types.js';
import { fieldKind, readField, type FieldKind, type SummaryFieldPath } from './fields.js';
import type { Expectation, ExpectationResult, Operator } from './types.js';

/**
 * A measured number with its unit, precise enough to explain a near miss: a p95 of
 * 2000.4 ms against `< 2s` must not read "2 s". Up to four decimals, no grouping.
 */
function numberText(value: number): string {
  return String(Number(value.toFixed(4)));
}

/** The measured value for people, in the field's unit. */
export function describeValue(value: number | string | null, kind: FieldKind): string {
  if (value === null) return 'not measured';
  if (typeof value === 'string') return `"${value}"`;
  if (kind === 'ms') return `${numberText(value)} ms`;
  if (kind === 'seconds') return `${numberText(value)} s`;
  if (kind === 'ratio') return `${numberText(value)} (${numberText(value * 100)} %)`;
  return numberText(value);
}

function compare(actual: number | string, operator: Operator, expected: number | string): boolean {
  switch (operator) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}

/** Reads the field as a number or string; anything else (an older summary without it) counts as not measured. */
function measured(summary: Summary, field: SummaryFieldPath): number | string | null {
  const value = readField(summary, field);
  return typeof value === 'number' || typeof value === 'string' ? value : null;
}

/** Evaluates each expectation against the summary, in order. */
export function evaluateExpectations(expectations: readonly Expectation[], summary: Summary): ExpectationResult[] {
  return expectations.map((expectation) => {
    const kind = fieldKind(expectation.field);
    const actual = measured(summary, expectation.field);
    const actualText = describeValue(actual, kind);
    const passed = actual !== null && typeof actual === typeof expectation.expected && compare(actual, expectation.operator, expectation.expected);
    const measuredText = actual === null ? actualText : `measured ${actualText}`;
    const message = `${passed ? 'met' : 'not met'}: ${expectation.expression} (${measuredText})`;
    return { expression: expectation.expression, passed, actual, actualText, message };
  });
}
