/**
 * What `--expect` works with (docs/summary.md): a parsed comparison over one summary field,
 * and the outcome of checking it against a summary. Kept apart from the parser so
 * renderers (markdown, JUnit) can show results without importing the parser.
 */
import type { SummaryFieldPath } from './fields.js';

/** The comparison operators, as written. */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** One parsed expectation, e.g. `latency.p95 < 2s`. */
export interface Expectation {
  /** The text as the user wrote it, trimmed: what every message quotes back. */
  expression: string;
  /** Dotted path into the summary, e.g. `latency.p95`. */
  field: SummaryFieldPath;
  operator: Operator;
  /** The value to compare with, in the field's own unit (ms for latency, a fraction for ratios). */
  expected: number | string;
}

/** The outcome of one expectation against one summary. */
export interface ExpectationResult {
  expression: string;
  passed: boolean;
  /** The measured value in the field's own unit; null when the run did not measure it. */
  actual: number | string | null;
  /** The measured value for people, with its unit: "2350 ms", "0.012 (1.2 %)", "not measured". */
  actualText: string;
  /** One line: "met: latency.p95 = 812 ms" or "not met: latency.p95 < 2s, measured 2350 ms". */
  message: string;
}
