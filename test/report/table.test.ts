import { describe, expect, it } from 'vitest';
import { renderSummaryTable, wrapAtSeparators } from '../../src/report/table.js';
import { baseSummary, noRefusalResult, seedStoryResult, steadyManySlicesResult } from './fixtures.js';
import { hasAnsi, widestLine } from './text-width.js';

describe('renderSummaryTable', () => {
  it('shows the key numbers of the seed story', () => {
    const result = seedStoryResult();
    const text = renderSummaryTable(result, { color: false });
    const { summary } = result;
    expect(text).toContain(`sent                 │ ${summary.requests.sent}`);
    expect(text).toContain(`admitted             │ ${summary.requests.ok}`);
    expect(text).toContain(`${summary.requests.throttled} (50 %)`);
    expect(text).toContain(`request #${summary.throttled.firstSeq}`);
    expect(text).toContain('requests 5');
    expect(text).toContain('min 1 s · p50 1 s · max 1 s');
    expect(text).toContain('first 49 · limit 50 · counts a 10 s window');
    expect(text).toContain('first 49,352 · limit 50,000');
    expect(text).toMatch(/requests per 1 s\s+│ 5\s+│ 5\s+│/);
    expect(text).toMatch(/requests per 10 s\s+│ 50\s+│ 50\s+│/);
    expect(text).toMatch(/burst \(one instant\)\s+│ —\s+│ 5 requests/);
    expect(text).toContain('sliding-window (medium)');
    expect(text).toContain('tokens per minute');
    expect(text).toContain('not probed');
    expect(text).toContain('p50 212 ms · p95 302 ms · p99 310 ms · max 312 ms');
    expect(text).toContain('send spread 0.8 ms · lag p99 1.3 ms');
    expect(text).toContain(summary.recording);
    expect(text).toContain('5 of 10 requests refused, the first at request #6');
    expect(text).toContain('Effective cap: 5 requests per 1 s;');
  });

  it('fits 80 columns and writes no escape codes without colour', () => {
    for (const result of [seedStoryResult(), noRefusalResult(), steadyManySlicesResult()]) {
      const text = renderSummaryTable(result, { color: false });
      expect(widestLine(text)).toBeLessThanOrEqual(80);
      expect(hasAnsi(text)).toBe(false);
    }
  });

  it('colours only when asked', () => {
    const text = renderSummaryTable(steadyManySlicesResult(), { color: true });
    expect(hasAnsi(text)).toBe(true);
    expect(widestLine(text)).toBeLessThanOrEqual(80);
  });

  it('wraps a long recording path and target URL instead of overflowing', () => {
    const result = seedStoryResult();
    result.summary = baseSummary({
      recording: `/home/someone/${'very-long-folder-name/'.repeat(6)}2025-02-12T18-52-18-burst.ndjson`,
      target: { url: `https://example-resource.openai.azure.com/openai/deployments/${'x'.repeat(90)}/chat/completions`, kind: 'azure' },
      verdict: 'One sentence. '.repeat(30),
    });
    const text = renderSummaryTable(result, { color: false });
    expect(widestLine(text)).toBeLessThanOrEqual(80);
    expect(text.replace(/[│\s]/g, '')).toContain('2025-02-12T18-52-18-burst.ndjson');
  });

  it('wraps a recording path between folders, keeping the file name whole', () => {
    const result = seedStoryResult();
    result.summary = baseSummary({ recording: '/home/someone/projects/capacity/aoai-probe-runs/burst-20261201-101530.ndjson' });
    const text = renderSummaryTable(result, { color: false });
    expect(text).toMatch(/│ recording\s+│ \/home\/someone\/projects\/capacity\/aoai-probe-runs\/\s+│\n│\s+│ burst-20261201-101530\.ndjson\s+│/);
    expect(wrapAtSeparators('/a/bb/ccc', 5)).toBe('/a/\nbb/\nccc');
    expect(wrapAtSeparators('short', 40)).toBe('short');
  });

  it('fits 40 and 20 columns too, with every row still there', () => {
    const wide = renderSummaryTable(seedStoryResult(), { color: false });
    for (const width of [40, 20]) {
      const text = renderSummaryTable(seedStoryResult(), { color: false, width });
      expect(widestLine(text)).toBeLessThanOrEqual(width);
      expect(text.split('\n').length).toBeGreaterThan(wide.split('\n').length);
      expect(text).toContain('Requests');
    }
  });

  it('says "the 1 request was admitted", not "all 1 requests"', () => {
    const result = noRefusalResult();
    result.summary = baseSummary({ requests: { ...result.summary.requests, sent: 1, ok: 1, throttled: 0, failed: 0, dropped: 0 } });
    const text = renderSummaryTable(result, { color: false });
    expect(text).toContain('No refusals: the 1 request was admitted');
    expect(text).not.toMatch(/\b1 requests\b/);
  });

  it('fits a narrower width when given one', () => {
    const text = renderSummaryTable(steadyManySlicesResult(), { color: false, width: 64 });
    expect(widestLine(text)).toBeLessThanOrEqual(64);
  });

  it('shows tokens rows when the token dimension was probed', () => {
    const text = renderSummaryTable(steadyManySlicesResult(), { color: false });
    expect(text).toMatch(/tokens per minute\s+│ 50,000\s+│ 48,600/);
    expect(text).toMatch(/token burst\s+│ —\s+│ 38,880/);
    expect(text).toContain('60 s (low)');
  });

  it('lists targets when the run had several', () => {
    const result = seedStoryResult();
    result.byTarget = [
      { target: 'eastus', region: 'eastus', sent: 6, ok: 3, throttled: 3, failed: 0, firstThrottledSeq: 4 },
      { target: 'westus', region: null, sent: 4, ok: 2, throttled: 2, failed: 0, firstThrottledSeq: 9 },
    ];
    const text = renderSummaryTable(result, { color: false });
    expect(text).toContain('Targets');
    expect(text).toContain('eastus (eastus)');
    expect(text).toMatch(/westus\s+│ 4 sent, 2 admitted, 2 refused \(first #9\), 0 failed/);
  });

  it('keeps escape sequences planted in recording text out of the terminal', () => {
    const result = seedStoryResult();
    result.summary = baseSummary({ verdict: 'Refused.\u001b[2J\u001b]0;pwned\u0007 Done.', command: 'burst\u001b[31m' });
    const text = renderSummaryTable(result, { color: false });
    expect(hasAnsi(text)).toBe(false);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
  });
});
