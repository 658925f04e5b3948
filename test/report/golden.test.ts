/**
 * Golden files for the table, markdown and HTML renderers: each committed fixture
 * recording (test/report/golden/*.ndjson, real runs on the embedded simulator) is read
 * and analysed as `aoai-probe report` does, rendered, and compared byte for byte with
 * the committed output next to it. The analysis is pure and the recordings are fixed,
 * so any difference is a change in what users see: review it, then regenerate with
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts
 *
 * The HTML golden file pins the page's structure and data; the inlined chart library
 * (uPlot's script and style, and our chart script) is replaced by a marker naming it,
 * so a library upgrade does not rewrite the golden file (test/report/html.test.ts checks
 * that those bytes are the built ones).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyseLineBatches } from '../../src/analysis/summarise.js';
import type { AnalysisResult } from '../../src/analysis/result-types.js';
import { evaluateExpectations } from '../../src/expect/evaluate.js';
import { parseExpectations } from '../../src/expect/parse.js';
import { readRecordingsBatches } from '../../src/record/reader.js';
import { CHARTS_SCRIPT, UPLOT_SCRIPT, UPLOT_STYLE, UPLOT_VERSION } from '../../src/report/assets.generated.js';
import { renderReport, type ReportFormat } from '../../src/report/render.js';

const GOLDEN = (name: string): string => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The fixtures: a scenario run (burst, pause, steady, ramp) and a probe run. */
const FIXTURES = ['scenario-run', 'probe-run'] as const;

/** Expectations shown in the markdown report: one met, one not. */
const EXPECTATIONS = ['effective.requests.burst >= 5', 'throttled.ratio < 0.01'];

async function analyse(fixture: string): Promise<AnalysisResult> {
  // A fixed recording path, so the output does not depend on where the repository lives.
  const warnings: string[] = [];
  const result = await analyseLineBatches(readRecordingsBatches([GOLDEN(`${fixture}.ndjson`)], { onWarning: (message) => warnings.push(message) }), {
    recordingPath: `${fixture}.ndjson`,
    warnings,
  });
  return result;
}

/** The HTML page with the inlined library bytes replaced by markers. */
function withoutInlinedAssets(html: string): string {
  for (const [bytes, name] of [
    [UPLOT_SCRIPT, `uPlot ${UPLOT_VERSION} script`],
    [UPLOT_STYLE, `uPlot ${UPLOT_VERSION} style`],
    [CHARTS_SCRIPT, 'charts.js'],
  ] as const) {
    expect(html, `the page inlines the ${name}`).toContain(bytes);
    html = html.split(bytes).join(`/* inlined: ${name} */`);
  }
  return html;
}

function render(result: AnalysisResult, format: ReportFormat): string {
  if (format === 'html') return withoutInlinedAssets(renderReport(result, { format, color: false }));
  if (format === 'markdown') {
    return renderReport(result, { format, color: false, expectations: evaluateExpectations(parseExpectations(EXPECTATIONS), result.summary) });
  }
  return renderReport(result, { format, color: false, width: 100 });
}

/** Compares with the golden file, or rewrites it when UPDATE_GOLDEN=1. */
function matchGolden(actual: string, file: string): void {
  const path = GOLDEN(file);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts and commit it`);
    writeFileSync(path, actual);
    return;
  }
  const expected = readFileSync(path, 'utf8');
  // toBe shows a line diff; the hint says how to accept a deliberate change.
  expect(actual, `${file} differs from the rendered output; if the change is intended, run UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts and review the diff`).toBe(expected);
}

const EXTENSIONS: Record<Exclude<ReportFormat, 'json'>, string> = { table: 'table.txt', markdown: 'md', html: 'html' };

describe('golden renderer output', () => {
  for (const fixture of FIXTURES) {
    for (const [format, extension] of Object.entries(EXTENSIONS) as [Exclude<ReportFormat, 'json'>, string][]) {
      it(`${fixture}: ${format}`, async () => {
        const result = await analyse(fixture);
        matchGolden(render(result, format), `${fixture}.${extension}`);
      });
    }
  }

  it('renders the same text twice (nothing depends on the clock or the order of a run)', async () => {
    const result = await analyse('scenario-run');
    for (const format of ['table', 'markdown', 'html'] as const) expect(render(result, format)).toBe(render(await analyse('scenario-run'), format));
  });
});
