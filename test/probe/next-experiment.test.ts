/**
 * The probe's choice between experiments (src/probe/next-experiment.ts) as a table: an
 * analysis (what the plausible hypotheses agree on) and a budget in, the experiment out,
 * or why the rounds end: the figures agree (and were confirmed), or the budget cannot pay
 * for what is still open. Never because a list of experiments ran out.
 */
import { describe, expect, it } from 'vitest';
import { chooseNextExperiment, type AnalysisForChoice, type ExperimentBudget, type NextChoice, type NextExperiment, type RoundsStop } from '../../src/probe/next-experiment.js';

type Shape = 'token-bucket' | 'fixed-window' | 'sliding-window' | 'concurrency' | 'unknown';

/** A hypothesis as the choice reads it: its variant's shape and whether refusals count. */
const hypothesis = (shape: Exclude<Shape, 'unknown'>, penalty = false) => ({ variant: { shape, penalty } }) as unknown as AnalysisForChoice['plausible'][number];

/** An analysis: the best hypothesis's shape, the plausible ones, and how far their figures spread. */
function analysis(options: { best: Exclude<Shape, 'unknown'>; plausible?: Exclude<Shape, 'unknown'>[]; penalties?: boolean[]; shape?: Shape; spread?: { burst?: [number, number]; perSecond?: [number, number]; windowSeconds?: [number, number] } }): AnalysisForChoice {
  const figures = { burst: 10, perSecond: 5, windowSeconds: 2 };
  const range = (pair: [number, number] | undefined, value: number) => ({ min: pair?.[0] ?? value, max: pair?.[1] ?? value });
  const plausibleShapes = options.plausible ?? [options.best];
  return {
    best: hypothesis(options.best),
    plausible: plausibleShapes.map((shape, index) => hypothesis(shape, options.penalties?.[index] ?? false)),
    shape: options.shape ?? options.best,
    figures: figures as AnalysisForChoice['figures'],
    spread: {
      burst: range(options.spread?.burst, figures.burst),
      perSecond: range(options.spread?.perSecond, figures.perSecond),
      windowSeconds: range(options.spread?.windowSeconds, figures.windowSeconds),
    },
  };
}

const fresh: ExperimentBudget = { secondsLeft: 60, requestsLeft: 300, done: { spread: false, rate: false, confirm: false, cycles: 0 }, recoverySeconds: 2, countSize: 12, rateCost: 60, confirmCost: 40 };
const after = (done: Partial<ExperimentBudget['done']>, rest: Partial<ExperimentBudget> = {}): ExperimentBudget => ({ ...fresh, ...rest, done: { ...fresh.done, ...done } });

type Expected = NextExperiment | `stop:${RoundsStop}`;

const CASES: { title: string; analysis: AnalysisForChoice | (Omit<AnalysisForChoice, 'best'> & { best: null }); budget: ExperimentBudget; expected: Expected }[] = [
  { title: 'window kinds disagree on the shape: a spread cycle', analysis: analysis({ best: 'fixed-window', plausible: ['fixed-window', 'sliding-window'], shape: 'unknown' }), budget: fresh, expected: 'spread-cycle' },
  { title: 'the spread cycle ran, the shape is still open: a cycle', analysis: analysis({ best: 'fixed-window', plausible: ['fixed-window', 'sliding-window'], shape: 'unknown' }), budget: after({ spread: true }), expected: 'cycle' },
  { title: 'no time for a spread cycle (2.6 recoveries): a cycle', analysis: analysis({ best: 'fixed-window', plausible: ['fixed-window', 'sliding-window'], shape: 'unknown' }), budget: after({}, { secondsLeft: 6 }), expected: 'cycle' },
  { title: 'the window spreads wide: a cycle', analysis: analysis({ best: 'sliding-window', spread: { windowSeconds: [1.5, 2.5] } }), budget: fresh, expected: 'cycle' },
  { title: 'the burst spreads wide: a cycle', analysis: analysis({ best: 'sliding-window', spread: { burst: [8, 14] } }), budget: fresh, expected: 'cycle' },
  { title: 'still open after three cycles, budget left: a fourth cycle, not the end of a list', analysis: analysis({ best: 'sliding-window', spread: { burst: [8, 14] } }), budget: after({ cycles: 3 }), expected: 'cycle' },
  { title: 'still open after ten cycles, the stream and the confirmation: another cycle', analysis: analysis({ best: 'sliding-window', spread: { windowSeconds: [1.5, 2.5] } }), budget: after({ cycles: 10, rate: true, confirm: true, spread: true }), expected: 'cycle' },
  { title: 'open, but a cycle does not fit the requests left: the confirmation first', analysis: analysis({ best: 'sliding-window', spread: { burst: [8, 14] } }), budget: after({}, { requestsLeft: 40 }), expected: 'confirm' },
  { title: 'open, confirmed, and a cycle does not fit the requests left: the budget ends it', analysis: analysis({ best: 'sliding-window', spread: { burst: [8, 14] } }), budget: after({ confirm: true }, { requestsLeft: 30 }), expected: 'stop:budget' },
  { title: 'open, confirmed, and a cycle does not fit the time left: the budget ends it', analysis: analysis({ best: 'sliding-window', spread: { windowSeconds: [1.5, 2.5] } }), budget: after({ confirm: true, rate: true }, { secondsLeft: 4 }), expected: 'stop:budget' },
  { title: 'a settled bucket: a rate stream', analysis: analysis({ best: 'token-bucket' }), budget: fresh, expected: 'rate-stream' },
  { title: 'the rate spreads: a rate stream', analysis: analysis({ best: 'sliding-window', spread: { perSecond: [4, 6] } }), budget: fresh, expected: 'rate-stream' },
  { title: 'the rate still spreads after the stream and the confirmation: a cycle', analysis: analysis({ best: 'sliding-window', spread: { perSecond: [4, 6] } }), budget: after({ rate: true, confirm: true }), expected: 'cycle' },
  { title: 'refusals may or may not count: a rate stream', analysis: analysis({ best: 'sliding-window', plausible: ['sliding-window', 'sliding-window'], penalties: [false, true] }), budget: fresh, expected: 'rate-stream' },
  { title: 'a bucket whose rate stream ran: confirm', analysis: analysis({ best: 'token-bucket' }), budget: after({ rate: true }), expected: 'confirm' },
  { title: 'a rate stream it cannot afford: confirm', analysis: analysis({ best: 'token-bucket' }), budget: after({}, { requestsLeft: 65 }), expected: 'confirm' },
  { title: 'everything settled and confirmed: the figures agree', analysis: analysis({ best: 'sliding-window' }), budget: after({ confirm: true }), expected: 'stop:agreed' },
  { title: 'everything settled and confirmed, little budget left: still agreed', analysis: analysis({ best: 'sliding-window' }), budget: after({ confirm: true }, { requestsLeft: 2 }), expected: 'stop:agreed' },
  { title: 'settled but never confirmed, under a second left: the budget', analysis: analysis({ best: 'token-bucket' }), budget: after({}, { secondsLeft: 0.5 }), expected: 'stop:budget' },
  { title: 'under three requests left: the budget', analysis: analysis({ best: 'token-bucket' }), budget: after({}, { requestsLeft: 2 }), expected: 'stop:budget' },
  { title: 'nothing fitted: nothing to agree on', analysis: { ...analysis({ best: 'sliding-window' }), best: null, figures: null }, budget: fresh, expected: 'stop:nothing-fitted' },
];

function asExpected(choice: NextChoice): Expected {
  return 'next' in choice ? choice.next : `stop:${choice.stop}`;
}

describe('chooseNextExperiment', () => {
  it.each(CASES)('$title', ({ analysis: input, budget, expected }) => {
    expect(asExpected(chooseNextExperiment(input, budget))).toBe(expected);
  });
});
