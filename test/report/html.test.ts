import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonIsland, renderHtml } from '../../src/report/html.js';
import { baseSummary, seedStoryResult, steadyManySlicesResult } from './fixtures.js';

/** The parsed JSON island of a rendered page. */
function island(html: string): Record<string, unknown> {
  const match = /<script type="application\/json" id="aoai-probe-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as Record<string, unknown>;
}

describe('renderHtml', () => {
  it('is one document with uPlot, its styles and the chart code inline', () => {
    const html = renderHtml(seedStoryResult());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('var uPlot=');
    expect(html).toContain('.uplot');
    expect(html).toContain("document.getElementById('aoai-probe-data')");
    for (const id of ['chart-requests', 'chart-remaining', 'chart-latency']) expect(html).toContain(`id="${id}"`);
  });

  it('references nothing outside the file and forbids loads by policy', () => {
    const html = renderHtml(steadyManySlicesResult());
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]*\s(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//i);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"`);
  });

  it('carries the timeline in the JSON island, column by column', () => {
    const result = seedStoryResult();
    const data = island(renderHtml(result));
    const slices = data.slices as Record<string, unknown[]>;
    expect(slices.admitted).toEqual(result.timeline.slices.map((slice) => slice.admitted));
    expect(slices.refused).toEqual(result.timeline.slices.map((slice) => slice.refused));
    expect(slices.remainingRequests).toEqual(result.timeline.slices.map((slice) => slice.remainingRequests));
    expect(data.firstRefusalMs).toBe(result.timeline.firstRefusalMs);
    expect((data.latencyPoints as { latencyMs: number[] }).latencyMs).toHaveLength(result.timeline.latencyPoints.length);
  });

  it('folds a long run into at most 240 chart columns', () => {
    const result = steadyManySlicesResult();
    const data = island(renderHtml(result));
    const slices = data.slices as Record<string, number[]>;
    expect(slices.startMs!.length).toBeLessThanOrEqual(240);
    const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
    expect(total(slices.refused!)).toBe(result.summary.requests.throttled);
  });

  it('escapes recording text everywhere', () => {
    const result = seedStoryResult();
    const attack = '</script><img src=x onerror=alert(1)>';
    result.summary = baseSummary({ verdict: attack, command: attack, recording: attack, target: { url: `http://h/${attack}`, kind: 'http' } });
    result.timeline.phases = [{ name: attack, startMs: 0 }, { name: `${attack}\u2028`, startMs: 100 }];
    result.warnings = [attack];
    const html = renderHtml(result);
    expect(html).not.toContain('<img');
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    const data = island(html);
    expect((data.phases as { name: string }[])[1]!.name).toBe(`${attack}\u2028`);
  });

  it('shows the summary figures and the advertised comparison', () => {
    const html = renderHtml(seedStoryResult());
    expect(html).toContain('<strong>5 of 10 requests refused, the first at request #6</strong>');
    expect(html).toContain('<tr><th scope="row">requests per 10 s</th><td>50</td><td>50</td></tr>');
    expect(html).toContain('<span class="bar-label">requests</span>');
    expect(html).toContain('aoai-probe-runs/2025-02-12T18-52-18-burst.ndjson');
  });
});

describe('escaping helpers', () => {
  it('escapeHtml covers text and attribute contexts', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('jsonIsland escapes what could end the script element and parses back unchanged', () => {
    const value = { text: '</script><!-- & \u2028\u2029 >' };
    const text = jsonIsland(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('src/report/assets.generated.ts', () => {
  it('is up to date with node_modules/uplot and src/report/client/charts.js', () => {
    // Exits 1 (and execFileSync throws) when the committed file differs from what the build would write.
    expect(() => execFileSync(process.execPath, ['scripts/inline-assets.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
