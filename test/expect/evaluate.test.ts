import { describe, expect, it } from 'vitest';
import { ExpectationError } from '../../src/errors.js';
import { evaluateExpectations } from '../../src/expect/evaluate.js';
import { assertExpectationsMet, formatExpectationFailures } from '../../src/expect/failures.js';
import { parseExpectations } from '../../src/expect/parse.js';
import { baseSummary } from '../report/fixtures.js';

/** Evaluates expressions against the seed summary (fixtures.ts): p95 301.9 ms, ratio 0.5, perSecond 5, shape sliding-window. */
function evaluate(...texts: string[]) {
  return evaluateExpectations(parseExpectations(texts), baseSummary());
}

describe('evaluateExpectations', () => {
  it.each([
    ['effective.requests.perSecond >= 4.5', true, 5],
    ['effective.requests.perSecond > 5', false, 5],
    ['effective.requests.perSecond == 5', true, 5],
    ['throttled.ratio < 0.01', false, 0.5],
    ['throttled.ratio <= 50%', true, 0.5],
    ['latency.p95 < 2s', true, 301.9],
    ['latency.p95 < 300ms', false, 301.9],
    ['latency.p95 >= 301.9', true, 301.9],
    ['requests.failed == 0', true, 0],
    ['requests.throttled != 5', false, 5],
    ['effective.requests.windowSeconds <= 1s', true, 1],
    ['effective.requests.windowSeconds < 999ms', false, 1],
    ['effective.requests.shape == "sliding-window"', true, 'sliding-window'],
    ['effective.requests.shape == "fixed-window"', false, 'sliding-window'],
    ['effective.requests.shape != fixed-window', true, 'sliding-window'],
    ['ended == completed', true, 'completed'],
  ])('%s → %s', (text, passed, actual) => {
    const [result] = evaluate(text);
    expect(result).toMatchObject({ expression: text, passed, actual });
  });

  it('fails a field the run did not measure, saying so', () => {
    const [result] = evaluate('effective.tokens.perMinute >= 40000');
    expect(result).toEqual({
      expression: 'effective.tokens.perMinute >= 40000',
      passed: false,
      actual: null,
      actualText: 'not measured',
      message: 'not met: effective.tokens.perMinute >= 40000 (not measured)',
    });
  });

  it('fails != against an unmeasured value too (null is not a pass)', () => {
    expect(evaluate('effective.tokens.burst != 5')[0]!.passed).toBe(false);
  });

  it('fails a field an older summary does not have', () => {
    const [result] = evaluate('effective.requests.kneePerSecond > 1');
    expect(result!.passed).toBe(false);
    expect(result!.actualText).toBe('not measured');
  });

  it('shows measured values with their unit and enough precision for a near miss', () => {
    const summary = baseSummary({ latency: { p50: 1, p95: 2000.4, p99: 2100, max: 2200 } });
    const [latency, ratio, window] = evaluateExpectations(
      parseExpectations(['latency.p95 < 2s', 'throttled.ratio < 1%', 'effective.requests.windowSeconds < 1s']),
      summary,
    );
    expect(latency).toMatchObject({ passed: false, actualText: '2000.4 ms', message: 'not met: latency.p95 < 2s (measured 2000.4 ms)' });
    expect(ratio).toMatchObject({ passed: false, actualText: '0.5 (50 %)' });
    expect(window).toMatchObject({ passed: false, actualText: '1 s' });
  });

  it('words a met expectation as met', () => {
    expect(evaluate('requests.failed == 0')[0]!.message).toBe('met: requests.failed == 0 (measured 0)');
  });
});

describe('failures for stderr and exit 3', () => {
  it('lists each failing expression with its measured value', () => {
    const results = evaluate('requests.failed == 0', 'throttled.ratio < 1%', 'effective.tokens.perMinute >= 40000');
    expect(formatExpectationFailures(results)).toBe(
      [
        'aoai-probe: 2 of 3 expectations not met:',
        '  ✗ throttled.ratio < 1%  (measured 0.5 (50 %))',
        '  ✗ effective.tokens.perMinute >= 40000  (not measured)',
      ].join('\n'),
    );
  });

  it('throws ExpectationError only when something is unmet', () => {
    expect(() => assertExpectationsMet(evaluate('requests.failed == 0'))).not.toThrow();
    expect(() => assertExpectationsMet([])).not.toThrow();
    expect(() => assertExpectationsMet(evaluate('latency.p95 < 300ms'))).toThrow(ExpectationError);
    expect(() => assertExpectationsMet(evaluate('latency.p95 < 300ms'))).toThrow('latency.p95 < 300ms  (measured 301.9 ms)');
  });
});
