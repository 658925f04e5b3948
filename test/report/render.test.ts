import { describe, expect, it } from 'vitest';
import { isReportFormat, renderReport, REPORT_FORMATS } from '../../src/report/render.js';
import { seedStoryResult } from './fixtures.js';
import { hasAnsi, widestLine } from './text-width.js';

describe('renderReport', () => {
  const result = seedStoryResult();

  it('table = summary table, a blank line, then the timeline', () => {
    const text = renderReport(result, { format: 'table', color: false });
    expect(text).toMatch(/^┌─/);
    expect(text).toMatch(/┘\n\nTimeline: /);
    expect(text.endsWith('\n')).toBe(true);
    expect(widestLine(text)).toBeLessThanOrEqual(80);
    expect(hasAnsi(text)).toBe(false);
    expect(hasAnsi(renderReport(result, { format: 'table', color: true }))).toBe(true);
  });

  it('json, markdown and html end with one newline and never carry colour', () => {
    for (const format of ['json', 'markdown', 'html'] as const) {
      const text = renderReport(result, { format, color: true });
      expect(text.endsWith('\n')).toBe(true);
      expect(text.endsWith('\n\n')).toBe(false);
      expect(hasAnsi(text)).toBe(false);
    }
    expect(JSON.parse(renderReport(result, { format: 'json', color: false }))).toEqual(result.summary);
  });

  it('knows its formats', () => {
    expect(REPORT_FORMATS).toEqual(['table', 'json', 'markdown', 'html']);
    expect(isReportFormat('html')).toBe(true);
    expect(isReportFormat('csv')).toBe(false);
  });
});
