/**
 * The HTML report in a real browser (Debian's headless Chromium, driven by
 * playwright-core): the charts must draw on their canvases, the page must make no
 * network request (only the file:// page itself), and nothing may throw. A
 * screenshot is saved under a temporary folder (its path is printed); with
 * AOAI_PROBE_UPDATE_DOCS_IMAGE=1 it also refreshes docs/images/html-report.png.
 */
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/analysis/result-types.js';
import { renderHtml } from '../../src/report/html.js';
import { emptySlice, noRefusalResult, seedStoryResult, steadyManySlicesResult } from './fixtures.js';
import { probeRunResult } from './probe-run-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP_REASON = `skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`;
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PageFindings {
  /** Requests that reached the router (every one the page made) and requests the page reported: two independent views. */
  routed: string[];
  requests: string[];
  errors: string[];
  /** Per chart canvas: how many pixels are drawn (not transparent) and how many distinct colours they use. */
  canvases: { id: string; drawn: number; colours: number }[];
  /** Per chart, the phase names it wrote (left and right edge, CSS pixels), as the page reports them. */
  phaseLabels: { name: string; left: number; right: number }[][];
  screenshot: string;
  /** The top of the page (verdict, figures and the three charts), what the README shows. */
  viewportScreenshot: string;
}

/**
 * Runs in the page: for each chart, how many canvas pixels are drawn and in how many
 * colours. A string rather than a function because the tests' tsconfig has no DOM
 * types (adding them would change the globals for every other test).
 */
const CANVAS_PIXELS = `[...document.querySelectorAll('.chart')].map((chart) => {
  const canvas = chart.querySelector('canvas');
  if (!canvas) return { id: chart.id, drawn: 0, colours: 0 };
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  const colours = new Set();
  for (let index = 0; index < pixels.length; index += 4) {
    if (pixels[index + 3] === 0) continue;
    drawn += 1;
    colours.add((pixels[index] << 16) | (pixels[index + 1] << 8) | pixels[index + 2]);
  }
  return { id: chart.id, drawn, colours: colours.size };
})`;

/**
 * Runs in the page: how many separate groups of pixel columns of the requests chart hold
 * the admitted colour (charts.js COLORS.admitted, #2e9d5b) at least 10 pixels high: one
 * per drawn group of bars.
 */
const ADMITTED_BAR_GROUPS = `(() => {
  const canvas = document.querySelector('#chart-requests canvas');
  const { width, height } = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let groups = 0;
  let inGroup = false;
  for (let x = 0; x < width; x += 1) {
    let count = 0;
    for (let y = 0; y < height; y += 1) {
      const at = (y * width + x) * 4;
      if (pixels[at] === 0x2e && pixels[at + 1] === 0x9d && pixels[at + 2] === 0x5b && pixels[at + 3] === 255) count += 1;
    }
    // A bar, not the 1-pixel outline an empty slice's zero-height bar leaves on the baseline.
    const green = count >= 10;
    if (green && !inGroup) groups += 1;
    inGroup = green;
  }
  return groups;
})()`;

let browser: Browser | undefined;
let folder: string;

async function openReport(name: string, result: AnalysisResult, extraScript?: string): Promise<PageFindings & { extra?: unknown }> {
  const htmlPath = join(folder, `${name}.html`);
  writeFileSync(htmlPath, renderHtml(result));
  const pageUrl = pathToFileURL(htmlPath).href;
  const context = await browser!.newContext({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 });
  const routed: string[] = [];
  const requests: string[] = [];
  const errors: string[] = [];
  // Every request the page makes goes through here; anything but the page itself is recorded and refused.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    routed.push(url);
    if (url === pageUrl) await route.continue();
    else await route.abort();
  });
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(pageUrl, { waitUntil: 'load' });
  await page.waitForSelector('html[data-charts-ready="true"]', { timeout: 10_000 });
  const canvases = (await page.evaluate(CANVAS_PIXELS)) as PageFindings['canvases'];
  const phaseLabels = (await page.evaluate(`[...document.querySelectorAll('[data-phase-labels]')].map((chart) => JSON.parse(chart.getAttribute('data-phase-labels')))`)) as PageFindings['phaseLabels'];
  const extra = extraScript === undefined ? undefined : ((await page.evaluate(extraScript)) as unknown);
  const screenshot = join(folder, `${name}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  const viewportScreenshot = join(folder, `${name}-viewport.png`);
  await page.screenshot({ path: viewportScreenshot, fullPage: true, clip: { x: 0, y: 0, width: 1366, height: 1110 } });
  await context.close();
  return { routed, requests, errors, canvases, phaseLabels, screenshot, viewportScreenshot, extra };
}

describe('HTML report in headless Chromium', () => {
  beforeAll(async () => {
    if (!hasChromium) return;
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-html-'));
    // playwright-core gives every launch a fresh temporary profile (it refuses --user-data-dir on launch()).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (folder && !process.env.AOAI_PROBE_KEEP_SCREENSHOTS) rmSync(folder, { recursive: true, force: true });
  });

  it.for([
    ['seed-story', seedStoryResult],
    ['steady-600-slices', steadyManySlicesResult],
    ['probe-run', probeRunResult],
  ] as const)('%s: charts draw, nothing is fetched, nothing throws', async ([name, build], context) => {
    context.skip(!hasChromium, SKIP_REASON);
    const findings = await openReport(name, build());
    expect(findings.errors).toEqual([]);
    const pageUrl = pathToFileURL(join(folder, `${name}.html`)).href;
    expect(findings.routed).toEqual([pageUrl]);
    expect(findings.requests).toEqual([pageUrl]);
    expect(findings.canvases.map((canvas) => canvas.id)).toEqual(['chart-requests', 'chart-remaining', 'chart-latency']);
    for (const canvas of findings.canvases) {
      // Axes alone draw grey; series add their colours. A blank chart has no drawn pixels at all.
      expect(canvas.drawn, canvas.id).toBeGreaterThan(2000);
      expect(canvas.colours, canvas.id).toBeGreaterThan(8);
    }
    expect(statSync(findings.screenshot).size).toBeGreaterThan(20_000);
    console.log(`screenshot: ${findings.screenshot}`);
    if (name === 'probe-run' && process.env.AOAI_PROBE_UPDATE_DOCS_IMAGE === '1') {
      const target = join(repositoryRoot, 'docs', 'images', 'html-report.png');
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(findings.viewportScreenshot, target);
    }
  });

  it('a probe recording\'s many phase names do not overlap in the charts', async (context) => {
    context.skip(!hasChromium, SKIP_REASON);
    const result = probeRunResult();
    // A probe's experiments follow each other closely: ten more phases, 200 ms apart, after the recorded ones.
    const last = result.timeline.phases[result.timeline.phases.length - 1]!.startMs;
    result.timeline.phases = [...result.timeline.phases, ...Array.from({ length: 10 }, (_, index) => ({ name: `probe-experiment-${index + 1}`, startMs: last + 200 * (index + 1) }))];
    const findings = await openReport('probe-phase-labels', result);
    expect(findings.errors).toEqual([]);
    expect(findings.phaseLabels.length).toBeGreaterThan(0);
    for (const labels of findings.phaseLabels) {
      expect(labels.length).toBeGreaterThan(0);
      for (let index = 1; index < labels.length; index++) expect(labels[index]!.left, JSON.stringify(labels)).toBeGreaterThan(labels[index - 1]!.right);
    }
  });

  it('says so instead of drawing when a run had no headers and no latency', async (context) => {
    context.skip(!hasChromium, SKIP_REASON);
    const result = noRefusalResult();
    result.timeline.slices = result.timeline.slices.map((slice) => ({ ...slice, remainingRequests: null, remainingTokens: null, latencyP50Ms: null, admitted: 0, refused: slice.sent }));
    result.timeline.latencyPoints = [];
    const findings = await openReport('no-headers', result);
    expect(findings.errors).toEqual([]);
    expect(findings.canvases.map((canvas) => canvas.id)).toEqual(['chart-requests', 'chart-remaining', 'chart-latency']);
    expect(findings.canvases[0]!.drawn).toBeGreaterThan(2000);
    expect(findings.canvases[1]!.drawn).toBe(0);
    expect(findings.canvases[2]!.drawn).toBe(0);
  });

  it('draws the last of three bursts a second apart: the time axis reaches the end of the last slice', async (context) => {
    context.skip(!hasChromium, SKIP_REASON);
    // Three bursts of 4 at 0, 1 and 2 s, in 100-ms slices; the last burst is the last slice.
    const result = seedStoryResult();
    result.timeline.slices = Array.from({ length: 21 }, (_, index) =>
      emptySlice(index * 100, index % 10 === 0 ? { sent: 4, admitted: 4, remainingRequests: 46 - index / 10, remainingTokens: 47_000, latencyP50Ms: 120 } : {}),
    );
    result.timeline.firstRefusalMs = null;
    result.timeline.latencyPoints = [0, 1000, 2000].map((atMs) => ({ atMs: atMs + 5, latencyMs: 120, status: 200 }));
    const findings = await openReport('three-bursts', result, ADMITTED_BAR_GROUPS);
    expect(findings.errors).toEqual([]);
    expect(findings.extra).toBe(3);
  });
});
