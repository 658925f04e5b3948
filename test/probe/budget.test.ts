/**
 * The probe's budgets are strict: whatever the limiter does,
 * it never sends more requests than --budget-requests, never lets the billed
 * tokens (the answers' usage) pass --budget-tokens, and sends nothing after
 * --budget-time; when a budget stops it, it says so (end reason "budget") and what
 * it spent matches the recording. Fake clock, the simulator's own limiters.
 */
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../src/run/pacing/fake-clock.js';
import { runProbe, type ProbeBudget } from '../../src/probe/index.js';
import { classifyRefusal } from '../../src/analysis/refusal-class.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { createFakeTarget, genericPolicy, profilePolicy } from './support/fake-target.js';
import type { LimitPolicy } from '../../src/sim/policies/policy.js';

interface BudgetCase {
  title: string;
  policy: () => LimitPolicy;
  budget: ProbeBudget;
  maxTokens?: number;
  /** The probe wanted more than the budget gave, so it must end with reason "budget". */
  endsOnBudget?: boolean;
}

const CASES: BudgetCase[] = [
  { title: 'few requests, a bucket larger than the first burst could exhaust', policy: () => genericPolicy('token-bucket:capacity=40,rate=5/s'), budget: { requests: 30, billedTokens: 1_000_000, seconds: 120 } },
  { title: 'few requests, a sliding log', policy: () => genericPolicy('sliding-log:limit=6,window=2s'), budget: { requests: 45, billedTokens: 1_000_000, seconds: 120 } },
  { title: 'few billed tokens', policy: () => genericPolicy('fixed-window:limit=5,window=1s'), budget: { requests: 400, billedTokens: 700, seconds: 120 }, endsOnBudget: true },
  { title: 'little time, a long window', policy: () => genericPolicy('sliding-log:limit=10,window=20s'), budget: { requests: 400, billedTokens: 1_000_000, seconds: 8 } },
  { title: 'the token stage, few requests and tokens', policy: () => profilePolicy({ profile: 'azure-standard', tpm: 30_000 }), budget: { requests: 90, billedTokens: 2_000, seconds: 200 }, maxTokens: 3000, endsOnBudget: true },
];

describe('probe budgets are never exceeded', () => {
  it.each(CASES)('$title', async ({ policy, budget, maxTokens, endsOnBudget }) => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTarget({ clock, policy: policy() });
    const lines: RecordLine[] = [];
    const outcome = await runProbe({
      clock,
      transport,
      sink: { write: (line) => lines.push(line) },
      targetId: 'default',
      budget,
      tokens: maxTokens === undefined ? null : { maxTokens },
      promptTokens: 20,
      advertised: { tpm: null, rpm: null },
      refusalClassOf: (request) => classifyRefusal(request),
    });
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    const billed = requests.reduce((sum, request) => sum + (request.usage?.totalTokens ?? 0), 0);
    const lastSent = Math.max(...requests.map((request) => request.sentMs));

    expect(transport.sent).toBe(requests.length);
    expect(requests.length).toBeLessThanOrEqual(budget.requests);
    expect(billed).toBeLessThanOrEqual(budget.billedTokens);
    expect(lastSent).toBeLessThanOrEqual(budget.seconds * 1000);
    // What it says it spent is what the recording holds.
    expect(outcome.spending.requests).toBe(requests.length);
    expect(outcome.spending.billedTokens).toBe(billed);
    if (endsOnBudget) {
      expect(outcome.endReason).toBe('budget');
      // Bursts are sized by the token budget too, so the probe goes on past the first
      // one (a burst cut short by the token budget used to end the probe at once).
      expect(requests.length).toBeGreaterThan(30);
    }
  });
});
