/**
 * Parser for `--expect` expressions (docs/summary.md): one comparison of a summary field
 * with a value, e.g. `effective.requests.perSecond >= 4.5`, `throttled.ratio < 1%`,
 * `latency.p95 < 2s`, `effective.requests.shape == "fixed-window"`.
 *
 * Grammar (after k6's threshold parser, metrics/thresholds_parser.go):
 *
 * ```
 * expectation ::= ws field ws operator ws value ws
 * field       ::= name { "." name }                 a comparable summary field (fields.ts)
 * name        ::= letter { letter | digit | "_" }
 * operator    ::= "<=" | ">=" | "==" | "!=" | "<" | ">"
 * value       ::= number | percentage | duration | string | word
 * number      ::= [ "-" ] digit { digit } [ "." digit { digit } ]
 * percentage  ::= number "%"                        ratio fields only: 1% = 0.01
 * duration    ::= { digits [ "." digits ] unit }+    ms and seconds fields only: 2s, 500ms, 1m30s
 * unit        ::= "ms" | "s" | "m" | "h"
 * string      ::= '"' { character but '"' } '"' | "'" { character but "'" } "'"
 * word        ::= letter { letter | digit | "-" }   text fields only, same as a string
 * ws          ::= { " " | "\t" }
 * ```
 *
 * A plain number is in the field's own unit: milliseconds for latency and
 * `*Ms` fields, seconds for `*Seconds` fields, a fraction for `throttled.ratio`.
 * Text fields accept only == and !=; fields with a fixed list of values (shape,
 * confidence, kind, ended) reject values outside it.
 *
 * Hand-written (a scanner over one line) because every message must name the column
 * and the fix, which parser generators do not produce.
 */
import { InputError } from '../errors.js';
import { parseDuration } from '../parse/units.js';
import { FIELD_PATHS, fieldKind, fieldValues, fieldsUnder, isFieldPath, type FieldKind, type SummaryFieldPath } from './fields.js';
import { closeMatches } from './similar.js';
import type { Expectation, Operator } from './types.js';

// Later parts may hold digits and hyphens: target ids and region keys (byTarget.east-1.requests.ok).
const FIELD_PATTERN = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*/y;
const OPERATOR_PATTERN = /<=|>=|==|!=|<|>/y;
const NUMBER_PATTERN = /^-?\d+(?:\.\d+)?$/;
const PERCENT_PATTERN = /^(-?\d+(?:\.\d+)?)%$/;
const WORD_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;

/** An example of a well-formed expectation for a field, used in fixes. */
function exampleFor(field: SummaryFieldPath): string {
  const kind = fieldKind(field);
  if (kind === 'ms') return `${field} < 2s`;
  if (kind === 'seconds') return `${field} <= 10s`;
  if (kind === 'ratio') return `${field} < 1%`;
  if (kind === 'count') return `${field} == 0`;
  if (kind === 'text') return `${field} == "${fieldValues(field)?.[0] ?? 'value'}"`;
  return `${field} >= 4.5`;
}

/** What a kind of field accepts, for messages. */
function acceptedValues(field: SummaryFieldPath, kind: FieldKind): string {
  if (kind === 'ms') return 'a duration like 2s or 500ms, or a number of milliseconds';
  if (kind === 'seconds') return 'a duration like 10s or 500ms, or a number of seconds';
  if (kind === 'ratio') return 'a fraction like 0.01 or a percentage like 1%';
  if (kind === 'text') {
    const values = fieldValues(field);
    return values ? `one of ${values.map((value) => `"${value}"`).join(', ')}` : 'a quoted string like "value"';
  }
  return 'a plain number like 0 or 4.5';
}

/** Scans one expression; `fail` throws with the expression and column attached. */
class Scanner {
  position = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.position < this.text.length && (this.text[this.position] === ' ' || this.text[this.position] === '\t')) this.position += 1;
  }

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  match(pattern: RegExp): string | null {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text);
    if (!found) return null;
    this.position = pattern.lastIndex;
    return found[0];
  }

  /** The next run of non-space characters, without consuming it. */
  peekToken(): string {
    return /^\S*/.exec(this.text.slice(this.position))?.[0] ?? '';
  }

  fail(problem: string, fix: string, column = this.position + 1): never {
    throw new InputError(`--expect "${this.text}": ${problem} at column ${column}; ${fix}`);
  }
}

function parseField(scanner: Scanner): SummaryFieldPath {
  const start = scanner.position;
  const path = scanner.match(FIELD_PATTERN);
  if (path === null) {
    scanner.fail(
      scanner.atEnd() ? 'expected a field name' : `expected a field name, found "${scanner.peekToken()}"`,
      'start with a summary field, e.g. latency.p95 < 2s',
    );
  }
  if (isFieldPath(path)) return path;
  const group = fieldsUnder(path);
  if (group.length > 0) {
    scanner.fail(`${path} is a group of fields, not a value`, `pick one of ${group.join(', ')}`, start + 1);
  }
  const suggestions = closeMatches(path, FIELD_PATHS);
  const fix = suggestions.length > 0
    ? `did you mean ${suggestions.join(', ')}?`
    : `use a summary field such as ${['effective.requests.perSecond', 'throttled.ratio', 'latency.p95', 'requests.failed'].join(', ')} (the summary JSON has them all)`;
  return scanner.fail(`unknown field "${path}"`, fix, start + 1);
}

function parseOperator(scanner: Scanner, field: SummaryFieldPath): Operator {
  const operator = scanner.match(OPERATOR_PATTERN);
  if (operator !== null) return operator as Operator;
  const found = scanner.peekToken();
  if (found.startsWith('=>') || found.startsWith('=<')) scanner.fail(`"${found.slice(0, 2)}" is not an operator`, 'write >= or <=');
  if (found.startsWith('=')) scanner.fail('"=" is not an operator', `write == to compare for equality, e.g. ${field} == ${fieldKind(field) === 'text' ? '"value"' : '0'}`);
  const after = scanner.atEnd() ? '' : `, found "${found}"`;
  return scanner.fail(`expected an operator like >= after ${field}${after}`, `write e.g. ${exampleFor(field)} (operators: < <= > >= == !=)`);
}

function parseQuoted(scanner: Scanner): string {
  const quote = scanner.text[scanner.position]!;
  const start = scanner.position;
  const end = scanner.text.indexOf(quote, start + 1);
  if (end === -1) scanner.fail('unterminated string', `close it with ${quote}`, start + 1);
  scanner.position = end + 1;
  return scanner.text.slice(start + 1, end);
}

function parseTextValue(scanner: Scanner, field: SummaryFieldPath, operator: Operator): string {
  const column = scanner.position + 1;
  if (operator !== '==' && operator !== '!=') {
    scanner.fail(`${operator} does not apply to text field ${field}`, `use == or !=, e.g. ${exampleFor(field)}`, column);
  }
  const first = scanner.text[scanner.position];
  let value: string;
  if (first === '"' || first === "'") value = parseQuoted(scanner);
  else {
    const word = scanner.peekToken();
    if (!WORD_PATTERN.test(word)) scanner.fail(`${field} is text, "${word}" is not`, `write ${acceptedValues(field, 'text')}`, column);
    scanner.position += word.length;
    value = word;
  }
  const allowed = fieldValues(field);
  if (allowed && !allowed.includes(value)) {
    scanner.fail(`"${value}" is not a value of ${field}`, `write ${acceptedValues(field, 'text')}`, column);
  }
  return value;
}

/** Converts a number with an optional unit into the field's own unit, or fails naming what the field takes. */
function parseNumericValue(scanner: Scanner, field: SummaryFieldPath, kind: FieldKind): number {
  const column = scanner.position + 1;
  const token = scanner.peekToken();
  const fix = `${field} takes ${acceptedValues(field, kind)}, e.g. ${exampleFor(field)}`;
  if (token.startsWith('"') || token.startsWith("'")) scanner.fail(`${field} is a number, not text`, fix, column);
  scanner.position += token.length;
  if (NUMBER_PATTERN.test(token)) return Number(token);
  const percent = PERCENT_PATTERN.exec(token);
  if (percent) {
    if (kind !== 'ratio') scanner.fail(`a percentage does not apply to ${field}`, fix, column);
    return Number(percent[1]) / 100;
  }
  let milliseconds: number;
  try {
    milliseconds = parseDuration(token);
  } catch {
    return scanner.fail(`"${token}" is not a number`, fix, column);
  }
  if (kind === 'ms') return milliseconds;
  if (kind === 'seconds') return milliseconds / 1000;
  return scanner.fail(`a duration does not apply to ${field}`, fix, column);
}

/** Parses one expectation; throws InputError naming the column and the fix. */
export function parseExpectation(text: string): Expectation {
  const scanner = new Scanner(text.trim());
  if (scanner.text === '') {
    throw new InputError('--expect "": empty expression; write a comparison such as --expect \'throttled.ratio < 0.01\'');
  }
  const field = parseField(scanner);
  scanner.skipSpace();
  const operator = parseOperator(scanner, field);
  scanner.skipSpace();
  if (scanner.atEnd()) scanner.fail(`expected a value after ${operator}`, `write e.g. ${exampleFor(field)}`);
  const kind = fieldKind(field);
  const expected = kind === 'text' ? parseTextValue(scanner, field, operator) : parseNumericValue(scanner, field, kind);
  scanner.skipSpace();
  if (!scanner.atEnd()) {
    scanner.fail(`unexpected "${scanner.text.slice(scanner.position)}" after the value`, 'write one comparison per --expect (repeat the flag for more)');
  }
  return { expression: scanner.text, field, operator, expected };
}

/** Parses every expectation and reports all malformed ones together (one InputError, one problem each). */
export function parseExpectations(texts: readonly string[]): Expectation[] {
  const expectations: Expectation[] = [];
  const problems: string[] = [];
  for (const text of texts) {
    try {
      expectations.push(parseExpectation(text));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return expectations;
}
