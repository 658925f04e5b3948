/**
 * No verdict sentence contradicts the summary's figures. Over generated limiters (every
 * generic kind and the compound ones, random settings and header styles) the probe runs
 * on the fake clock, its recording is summarised as `aoai-probe report` would, and each
 * sentence of the verdict is checked against the summary it was written from:
 *   - a burst it names ("bursts of up to N", "admitted N requests at once", "keep bursts
 *     to N") is the summary's burst;
 *   - a rate it names for the limit ("refilling at X per second", "about X per second")
 *     is the summary's perSecond as printed, and the pace it advises is not above it;
 *   - the kind it names is the summary's shape, and "could not tell which kind" appears
 *     exactly when the shape is unknown;
 *   - "thin evidence" appears exactly when the confidence is low;
 *   - an overdrive it names ("Offered X requests/s, more than the R per second it admits in
 *     full, it admitted only Y") has the summary's overdrive figures and perSecond, with
 *     X above R and Y below it;
 *   - no RPM arithmetic (RPM/60, RPM/6, "advertised … RPM") when nothing was advertised.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseLines } from '../../src/analysis/summarise.js';
import { formatFigure } from '../../src/analysis/inference/notes.js';
import type { RecordLine } from '../../src/record/types.js';
import { genericPolicy } from './support/fake-target.js';
import type { LimiterCase } from './support/cases.js';
import { probeCase } from './support/run-case.js';
import { endLine, runLine } from '../analysis/records.js';

const headerStyle = fc.constantFrom('none', 'azure', 'x-ratelimit', 'ietf');
const limiterSpec = fc.oneof(
  fc.record({ capacity: fc.integer({ min: 2, max: 30 }), rate: fc.integer({ min: 1, max: 20 }), penalty: fc.boolean(), headers: headerStyle }).map((s) => `token-bucket:capacity=${s.capacity},rate=${s.rate}/s,headers=${s.headers}${s.penalty ? ',penalty=true' : ''}`),
  fc.record({ kind: fc.constantFrom('fixed-window', 'sliding-log', 'sliding-counter'), limit: fc.integer({ min: 3, max: 30 }), window: fc.integer({ min: 1, max: 8 }), headers: headerStyle }).map((s) => `${s.kind}:limit=${s.limit},window=${s.window}s,headers=${s.headers}`),
  fc.record({ limit: fc.integer({ min: 3, max: 12 }), window: fc.integer({ min: 1, max: 4 }), block: fc.integer({ min: 1, max: 5 }), headers: headerStyle }).map((s) => `restarting-window:limit=${s.limit},window=${s.window}s,block=${s.block}s,headers=${s.headers}`),
  fc.record({ capacity: fc.integer({ min: 2, max: 20 }), rate: fc.integer({ min: 1, max: 15 }), headers: headerStyle }).map((s) => `whole-token-bucket:capacity=${s.capacity},rate=${s.rate}/s,headers=${s.headers}`),
  fc.record({ limit: fc.integer({ min: 2, max: 8 }), headers: headerStyle }).map((s) => `sliding-log:limit=${s.limit},window=1s,headers=${s.headers}+sliding-log:limit=${3 * s.limit},window=6s`),
);

/** The summary's verdict split into sentences (a full stop followed by a space and a capital). */
function sentences(verdict: string): string[] {
  return verdict.split(/(?<=\.)\s+(?=[A-Z0-9])/).filter((sentence) => sentence.length > 0);
}

function numbers(text: string): number[] {
  return [...text.matchAll(/(\d[\d,]*(?:\.\d+)?)/g)].map((match) => Number(match[1]!.replace(/,/g, '')));
}

async function verdictProblems(spec: string): Promise<{ problems: string[]; verdict: string }> {
  const limiter: LimiterCase = { name: spec, policy: () => genericPolicy(spec), truth: { burst: 1, perSecond: null, windowSeconds: null, shape: 'unknown' }, latencyMs: 5, advertised: { tpm: null, rpm: null } };
  const result = await probeCase(limiter);
  const lines: RecordLine[] = [
    runLine({ command: 'probe', advertised: { tpm: null, rpm: null, source: 'none' }, targets: [{ id: 'default', kind: 'http', url: 'http://127.0.0.1:9/limited', deployment: null }] }),
    ...result.lines.filter((line) => line.type !== 'run'),
    endLine(result.sent, result.seconds * 1000),
  ];
  const summary = (await analyseLines(lines)).summary;
  const { burst, perSecond, shape, confidence } = summary.effective.requests;
  const problems: string[] = [];
  for (const sentence of sentences(summary.verdict)) {
    const named = (pattern: RegExp): number | null => {
      const match = sentence.match(pattern);
      return match === null ? null : Number(match[1]!.replace(/,/g, ''));
    };
    for (const pattern of [/bursts of up to (\d[\d,]*) requests?/, /admitted (\d[\d,]*) requests? at once/, /keep bursts to (\d[\d,]*)/]) {
      const value = named(pattern);
      if (value !== null && value !== burst) problems.push(`"${sentence}" names a burst of ${value}, the summary ${burst}`);
    }
    for (const pattern of [/refilling at (\d[\d,]*(?:\.\d+)?) per second/, /and about (\d[\d,]*(?:\.\d+)?) per second/]) {
      const value = named(pattern);
      if (value !== null && perSecond !== null && formatFigure(value, 2) !== formatFigure(perSecond, 2)) problems.push(`"${sentence}" names a rate of ${value}, the summary ${perSecond}`);
    }
    const pace = named(/Pace at ≤ (\d[\d,]*(?:\.\d+)?) requests\/s/);
    if (pace !== null && perSecond !== null && pace > perSecond + 1e-9) problems.push(`"${sentence}" advises ${pace}/s, above the summary's ${perSecond}/s`);
    if (/behaves like a token bucket/.test(sentence) && shape !== 'token-bucket') problems.push(`"${sentence}" but the shape is ${shape}`);
    if (/behaves like a fixed window/.test(sentence) && shape !== 'fixed-window') problems.push(`"${sentence}" but the shape is ${shape}`);
    if (/behaves like a sliding window/.test(sentence) && shape !== 'sliding-window') problems.push(`"${sentence}" but the shape is ${shape}`);
    const overdrive = sentence.match(/^Offered (\d[\d,]*(?:\.\d+)?) requests\/s, more than the (\d[\d,]*(?:\.\d+)?) per second it admits in full, it admitted only (\d[\d,]*(?:\.\d+)?) per second/);
    if (overdrive !== null) {
      const [offered, rate, admitted] = overdrive.slice(1, 4).map((text) => Number(text!.replace(/,/g, '')));
      const figures = summary.effective.requests;
      if (figures.overdriveOfferedPerSecond === null || figures.overdriveOfferedPerSecond === undefined || formatFigure(offered!, 2) !== formatFigure(figures.overdriveOfferedPerSecond, 2)) problems.push(`"${sentence}" names an offered ${offered}/s, the summary ${figures.overdriveOfferedPerSecond}`);
      if (figures.overdriveAdmittedPerSecond === null || figures.overdriveAdmittedPerSecond === undefined || formatFigure(admitted!, 2) !== formatFigure(figures.overdriveAdmittedPerSecond, 2)) problems.push(`"${sentence}" names an admitted ${admitted}/s, the summary ${figures.overdriveAdmittedPerSecond}`);
      if (perSecond === null || formatFigure(rate!, 2) !== formatFigure(perSecond, 2)) problems.push(`"${sentence}" names a rate of ${rate}, the summary ${perSecond}`);
      if (!(admitted! < rate! && offered! > rate!)) problems.push(`"${sentence}" says a collapse its own numbers do not show`);
    }
    if (/RPM|÷ 60|÷ 6\b/.test(sentence)) problems.push(`"${sentence}" does Azure arithmetic though nothing was advertised`);
    if (numbers(sentence).some((value) => !Number.isFinite(value))) problems.push(`"${sentence}" has a number that is not one`);
  }
  const couldNotTell = /could not tell which kind/.test(summary.verdict);
  if (couldNotTell !== (shape === 'unknown' && burst !== null)) problems.push(`"could not tell which kind" ${couldNotTell ? 'said' : 'missing'} with the shape ${shape}`);
  const thin = /thin evidence/.test(summary.verdict);
  if (thin !== (confidence === 'low' && burst !== null && perSecond !== null && perSecond > 0)) problems.push(`"thin evidence" ${thin ? 'said' : 'missing'} at confidence ${confidence}`);
  if (confidence === 'high' && shape === 'unknown') problems.push('high confidence with an unknown shape');
  return { problems, verdict: summary.verdict };
}

describe('verdict sentences and the summary', () => {
  it('no sentence contradicts the figures, for generated limiters', async () => {
    await fc.assert(
      fc.asyncProperty(limiterSpec, async (spec) => {
        const { problems, verdict } = await verdictProblems(spec);
        expect(problems, `${spec}\n${verdict}`).toEqual([]);
      }),
      { seed: 1616, numRuns: 10, endOnFailure: true },
    );
  }, 300_000);
});
