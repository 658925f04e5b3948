import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import { renderSummaryJson } from '../../src/report/json.js';
import { baseSummary, steadyManySlicesResult } from './fixtures.js';

/** A deep copy of `value` with every object's keys inserted in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) copy[key] = reversedKeys((value as Record<string, unknown>)[key]);
  return copy;
}

describe('renderSummaryJson', () => {
  it('round-trips to the same summary', () => {
    for (const summary of [baseSummary(), steadyManySlicesResult().summary]) {
      expect(JSON.parse(renderSummaryJson(summary))).toEqual(summary);
    }
  });

  it('prints the same text whatever order the keys were built in', () => {
    const summary = steadyManySlicesResult().summary;
    const shuffled = reversedKeys(summary) as Summary;
    expect(Object.keys(shuffled)[0]).toBe('durationSeconds');
    expect(renderSummaryJson(shuffled)).toBe(renderSummaryJson(summary));
  });

  it('follows the contract order, with 2-space indent', () => {
    const text = renderSummaryJson(reversedKeys(baseSummary()) as Summary);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(0, 6)).toEqual(['schema', 'command', 'target', 'advertised', 'requests', 'throttled']);
    expect(Object.keys(parsed.requests as object)).toEqual(['sent', 'ok', 'throttled', 'failed', 'dropped']);
    expect(Object.keys((parsed.throttled as { byClass: object }).byClass)).toEqual(['requests', 'tokens', 'capacity', 'never', 'quota', 'gateway', 'unknown']);
    expect(text.split('\n')[1]).toBe('  "schema": "aoai-probe/summary@1",');
  });

  it('keeps fields a newer analysis adds, after the known ones, alphabetically', () => {
    const summary = { ...baseSummary(), zeta: 1, alpha: { b: 2, a: 1 } } as unknown as Summary;
    const parsed = JSON.parse(renderSummaryJson(summary)) as Record<string, unknown>;
    const keys = Object.keys(parsed);
    expect(keys.slice(-3)).toEqual(['durationSeconds', 'alpha', 'zeta']);
    expect(Object.keys(parsed.alpha as object)).toEqual(['a', 'b']);
  });
});
