import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { FIELD_PATHS } from '../../src/expect/fields.js';
import { parseExpectation, parseExpectations } from '../../src/expect/parse.js';

/** The single problem of the InputError `parse` throws. */
function problemOf(text: string): string {
  try {
    parseExpectation(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const problems = (error as InputError).problems;
    expect(problems).toHaveLength(1);
    return problems[0]!;
  }
  throw new Error(`"${text}" parsed without an error`);
}

describe('parseExpectation: well-formed', () => {
  it.each([
    ['effective.requests.perSecond >= 4.5', 'effective.requests.perSecond', '>=', 4.5],
    ['throttled.ratio < 0.01', 'throttled.ratio', '<', 0.01],
    ['throttled.ratio < 1%', 'throttled.ratio', '<', 0.01],
    ['throttled.ratio<=12.5%', 'throttled.ratio', '<=', 0.125],
    ['latency.p95 < 2s', 'latency.p95', '<', 2000],
    ['latency.p95 < 2000', 'latency.p95', '<', 2000],
    ['latency.p99 <= 1500ms', 'latency.p99', '<=', 1500],
    ['latency.max < 1m30s', 'latency.max', '<', 90_000],
    ['schedule.lagP99Ms < 0.5ms', 'schedule.lagP99Ms', '<', 0.5],
    ['effective.requests.windowSeconds <= 1s', 'effective.requests.windowSeconds', '<=', 1],
    ['effective.requests.windowSeconds <= 500ms', 'effective.requests.windowSeconds', '<=', 0.5],
    ['durationSeconds > 2m', 'durationSeconds', '>', 120],
    ['requests.failed == 0', 'requests.failed', '==', 0],
    ['requests.dropped != 3', 'requests.dropped', '!=', 3],
    ['throttled.byClass.tokens > 0', 'throttled.byClass.tokens', '>', 0],
    ['effective.requests.shape == "fixed-window"', 'effective.requests.shape', '==', 'fixed-window'],
    ["effective.requests.shape != 'token-bucket'", 'effective.requests.shape', '!=', 'token-bucket'],
    ['effective.requests.shape == sliding-window', 'effective.requests.shape', '==', 'sliding-window'],
    ['ended == "completed"', 'ended', '==', 'completed'],
    ['advertised.source == "flags"', 'advertised.source', '==', 'flags'],
    ['  latency.p50   >   -1  ', 'latency.p50', '>', -1],
  ])('%s', (text, field, operator, expected) => {
    const parsed = parseExpectation(text);
    expect(parsed).toEqual({ expression: text.trim(), field, operator, expected });
  });
});

describe('parseExpectation: malformed, with the column and a fix', () => {
  it.each([
    ['', 'empty expression'],
    ['>= 4.5', 'expected a field name, found ">=" at column 1; start with a summary field'],
    ['effective.requests.perSecond 4.5', 'expected an operator like >= after effective.requests.perSecond, found "4.5" at column 30; write e.g. effective.requests.perSecond >= 4.5'],
    ['effective.requests.perSecond', 'expected an operator like >= after effective.requests.perSecond at column 29'],
    ['requests.failed = 0', '"=" is not an operator at column 17; write == to compare for equality, e.g. requests.failed == 0'],
    ['latency.p95 => 2s', '"=>" is not an operator at column 13; write >= or <='],
    ['latency.p95 <', 'expected a value after < at column 14; write e.g. latency.p95 < 2s'],
    ['latency.p95 < fast', '"fast" is not a number at column 15; latency.p95 takes a duration like 2s or 500ms'],
    ['latency.p95 < 5%', 'a percentage does not apply to latency.p95 at column 15'],
    ['requests.failed < 2s', 'a duration does not apply to requests.failed at column 19; requests.failed takes a plain number like 0 or 4.5'],
    ['throttled.ratio < 2s', 'a duration does not apply to throttled.ratio at column 19; throttled.ratio takes a fraction like 0.01 or a percentage like 1%'],
    ['latency.p95 < "2s"', 'latency.p95 is a number, not text at column 15'],
    ['effective.requests.shape < "fixed-window"', '< does not apply to text field effective.requests.shape at column 28; use == or !='],
    ['effective.requests.shape == "fixed_window"', '"fixed_window" is not a value of effective.requests.shape at column 29; write one of "token-bucket", "fixed-window", "sliding-window", "concurrency", "none-observed", "unknown"'],
    ['effective.requests.shape == 4', 'effective.requests.shape is text, "4" is not at column 29'],
    ['ended == "completed', 'unterminated string at column 10; close it with "'],
    ['latency.p95 < 2s and latency.p99 < 3s', 'unexpected "and latency.p99 < 3s" after the value at column 18; write one comparison per --expect'],
  ])('%j', (text, expected) => {
    const problem = problemOf(text);
    expect(problem).toContain(`--expect "${text.trim()}": `);
    expect(problem).toContain(expected);
  });
});

describe('parseExpectation: unknown fields', () => {
  it.each([
    ['latency.p96 < 2s', 'latency.p95'],
    ['p95 < 2s', 'latency.p95'],
    ['perSecond >= 4.5', 'effective.requests.perSecond'],
    ['throttled.ratoi < 0.01', 'throttled.ratio'],
    ['request.failed == 0', 'requests.failed'],
    ['effective.request.shape == "fixed-window"', 'effective.requests.shape'],
  ])('%s suggests %s', (text, suggestion) => {
    const problem = problemOf(text);
    expect(problem).toMatch(/unknown field "[^"]+" at column 1; did you mean /);
    expect(problem).toContain(suggestion);
  });

  it('names common fields when nothing is close', () => {
    expect(problemOf('zzzzzzzzzzzz > 1')).toContain('use a summary field such as effective.requests.perSecond, throttled.ratio, latency.p95, requests.failed');
  });

  it('explains a group and lists its fields', () => {
    expect(problemOf('latency < 2s')).toContain('latency is a group of fields, not a value at column 1; pick one of latency.p50, latency.p95, latency.p99, latency.max');
  });

  it('does not offer lists (headers.families) for comparison', () => {
    expect(FIELD_PATHS).not.toContain('headers.families');
    expect(problemOf('headers.families == "azure"')).toContain('unknown field "headers.families"');
  });
});

describe('parseExpectations', () => {
  it('reports every malformed expression at once', () => {
    let caught: unknown;
    try {
      parseExpectations(['latency.p95 < 2s', 'latency.p96 < 2s', 'requests.failed = 0']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const problems = (caught as InputError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('latency.p96');
    expect(problems[1]).toContain('"=" is not an operator');
  });

  it('returns the parsed list when all are well-formed', () => {
    expect(parseExpectations(['latency.p95 < 2s', 'requests.failed == 0']).map((expectation) => expectation.field)).toEqual(['latency.p95', 'requests.failed']);
  });
});
