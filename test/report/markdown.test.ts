import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { baseSummary, noRefusalResult, seedStoryResult, steadyManySlicesResult } from './fixtures.js';

describe('renderMarkdown', () => {
  it('leads with the verdict and lays out the summary tables', () => {
    const text = renderMarkdown(seedStoryResult());
    const lines = text.split('\n');
    // "#6" is escaped: on GitHub it would otherwise link to issue 6.
    expect(lines[0]).toBe('## aoai-probe burst: 5 of 10 requests refused, the first at request \\#6');
    expect(text).toContain("> Effective cap: 5 requests per 1 s; the headers' 50 per 10 s is not reachable in a burst.");
    expect(text).toContain('### Requests');
    expect(text).toContain('| sent | 10 |');
    expect(text).toContain('| refused | 5 (50 %) |');
    expect(text).toContain('| first refused | request \\#6 |');
    expect(text).toContain('| remaining-requests | first 49 · limit 50 · counts a 10 s window |');
    expect(text).toContain('### Advertised vs effective');
    expect(text).toContain('|  | advertised (simulator) | effective (measured) |');
    expect(text).toContain('| --- | ---: | ---: |');
    expect(text).toContain('| requests per 1 s | 5 | 5 |');
    expect(text).toContain('| requests per 10 s | 50 | 50 |');
    expect(text).toContain('### Refusal classes');
    expect(text).toContain('| requests | 5 |');
    expect(text.trimEnd().split('\n').at(-1)).toBe('<sub>Recording: aoai-probe-runs/2025-02-12T18-52-18-burst.ndjson</sub>');
  });

  it('embeds the terminal timeline, without colour, in a text code block', () => {
    const text = renderMarkdown(steadyManySlicesResult());
    const block = /### Timeline\n\n```text\n([\s\S]*?)\n```/.exec(text);
    expect(block).not.toBeNull();
    expect(block![1]).toContain('admitted');
    expect(block![1]).toContain('▲ first refusal at 2.13 s (request #31)');
    expect(block![1]).not.toContain('\u001b');
  });

  it('says so when nothing was refused', () => {
    const text = renderMarkdown(noRefusalResult());
    expect(text.split('\n')[0]).toBe('## aoai-probe steady: No refusals: all 20 requests admitted');
    expect(text).toContain('### Refusal classes\n\nNo refusals.');
  });

  it('escapes recording text so it cannot become markup', () => {
    const result = seedStoryResult();
    result.summary = baseSummary({ verdict: 'Bad | cell <img src=x onerror=alert(1)> [link](http://evil) *bold*' });
    result.warnings = ['last line <b>truncated</b>'];
    const text = renderMarkdown(result);
    expect(text).not.toContain('<img');
    expect(text).not.toContain('<b>');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(text).toContain('Bad \\| cell');
    expect(text).toContain('\\[link\\](http://evil)');
    expect(text).toContain('### Warnings');
  });

  it('uses a fence longer than any backtick run in the timeline', () => {
    const result = steadyManySlicesResult();
    result.timeline.phases = [{ name: 'a', startMs: 0 }, { name: '```\n# injected', startMs: 30_000 }];
    const text = renderMarkdown(result);
    expect(text).toContain('````text');
    expect(text).not.toMatch(/^# injected/m);
  });

  it('adds a per-target table when there are several targets', () => {
    const result = seedStoryResult();
    result.byTarget = [
      { target: 'eastus', region: 'eastus', sent: 6, ok: 3, throttled: 3, failed: 0, firstThrottledSeq: 4 },
      { target: 'westus', region: null, sent: 4, ok: 2, throttled: 2, failed: 0, firstThrottledSeq: null },
    ];
    const text = renderMarkdown(result);
    expect(text).toContain('### Per target');
    expect(text).toContain('| eastus | eastus | 6 | 3 | 3 | 0 | #4 |');
    expect(text).toContain('| westus | — | 4 | 2 | 2 | 0 | none |');
  });

  it('lists expectations when given', () => {
    const text = renderMarkdown(seedStoryResult(), {
      expectations: [
        { expression: 'requests.failed == 0', passed: true, actual: 0, actualText: '0', message: 'met' },
        { expression: 'throttled.ratio < 1%', passed: false, actual: 0.5, actualText: '0.5 (50 %)', message: 'not met' },
      ],
    });
    expect(text).toContain('### Expectations: 1 of 2 not met');
    expect(text).toContain('| met | requests.failed == 0 | 0 |');
    expect(text).toContain('| **not met** | throttled.ratio &lt; 1% | 0.5 (50 %) |');
  });
});

describe('escapeMarkdown', () => {
  it('turns line breaks into spaces so a table row stays one line', () => {
    expect(escapeMarkdown('a\nb\r\nc')).toBe('a b c');
  });
});
