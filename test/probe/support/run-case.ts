/**
 * Runs the whole probe against one limiter case on the fake clock and checks the
 * accuracy goal of docs/probe.md: burst within ±1 request or ±10 % (whichever is
 * larger), sustained rate within ±10 %, recovery window within ±25 %, shape right;
 * in ≤ 400 requests and ≤ 2 minutes for request limits.
 */
import { createFakeClock } from '../../../src/run/pacing/fake-clock.js';
import { runProbe, type ProbeOutcome } from '../../../src/probe/index.js';
import { classifyRefusal } from '../../../src/analysis/refusal-class.js';
import { inferEffectiveLimits, type InferenceResult } from '../../../src/analysis/inference/index.js';
import type { PhaseLine, RecordLine, RequestLine } from '../../../src/record/types.js';
import type { EffectiveRequests, EffectiveTokens } from '../../../src/analysis/summary-types.js';
import { createFakeTarget } from './fake-target.js';
import type { LimiterCase, Truth } from './cases.js';

/** What one probe of one case found. */
export interface CaseResult {
  limiter: LimiterCase;
  inferred: InferenceResult;
  outcome: ProbeOutcome;
  lines: RecordLine[];
  /** Requests sent. */
  sent: number;
  /** Virtual seconds the probe took. */
  seconds: number;
  /** Accuracy-goal failures, in words; empty when the goal is met. */
  problems: string[];
}

/** Relative error of a found figure against the truth. */
function relative(found: number, truth: number): number {
  return Math.abs(found - truth) / truth;
}

/** The accuracy-goal failures of request figures. */
export function requestProblems(truth: Truth, found: EffectiveRequests): string[] {
  const problems: string[] = [];
  if (found.burst === null || Math.abs(found.burst - truth.burst) > Math.max(1, 0.1 * truth.burst)) problems.push(`burst ${found.burst} (truth ${truth.burst})`);
  const goal = truth.goal ?? { rate: 0.1, window: 0.25 };
  if (truth.perSecond !== null && (found.perSecond === null || relative(found.perSecond, truth.perSecond) > goal.rate)) problems.push(`rate ${found.perSecond} (truth ${truth.perSecond})`);
  if (truth.windowSeconds !== null && (found.windowSeconds === null || relative(found.windowSeconds, truth.windowSeconds) > goal.window)) problems.push(`window ${found.windowSeconds} (truth ${truth.windowSeconds})`);
  if (found.shape !== truth.shape) problems.push(`shape ${found.shape} (truth ${truth.shape})`);
  return problems;
}

/** The accuracy-goal failures of token figures. */
export function tokenProblems(truth: NonNullable<LimiterCase['tokens']>, found: EffectiveTokens): string[] {
  const problems: string[] = [];
  if (found.burst === null || relative(found.burst, truth.burst) > 0.1) problems.push(`token burst ${found.burst} (truth ${truth.burst})`);
  if (found.perMinute === null || relative(found.perMinute, truth.perMinute) > 0.1) problems.push(`tokens per minute ${found.perMinute} (truth ${truth.perMinute})`);
  if (found.windowSeconds === null || relative(found.windowSeconds, truth.windowSeconds) > 0.25) problems.push(`token window ${found.windowSeconds} (truth ${truth.windowSeconds})`);
  return problems;
}

/** Probes a case on the fake clock (a fresh limiter each time) and checks the accuracy goal. */
export async function probeCase(limiter: LimiterCase, options: { maxTokens?: number } = {}): Promise<CaseResult> {
  const clock = createFakeClock({ autoAdvance: true });
  const transport = createFakeTarget({ clock, policy: limiter.policy(), latencyMs: limiter.latencyMs });
  const lines: RecordLine[] = [];
  const tokens = options.maxTokens === undefined ? null : { maxTokens: options.maxTokens };
  const outcome = await runProbe({
    clock,
    transport,
    sink: { write: (line) => lines.push(line) },
    targetId: 'default',
    budget: { requests: tokens ? 700 : 400, billedTokens: 1_000_000, seconds: tokens ? 200 : 120 },
    tokens,
    promptTokens: 20,
    advertised: limiter.advertised,
    refusalClassOf: (request) => classifyRefusal(request),
  });
  const phases = lines.filter((line): line is PhaseLine => line.type === 'phase');
  const requests = lines.filter((line): line is RequestLine => line.type === 'request');
  const inferred = inferEffectiveLimits({ phases, requests, refusalClassOf: (request) => classifyRefusal(request), advertised: limiter.advertised })!;
  const problems = requestProblems(limiter.truth, inferred.requests);
  if (limiter.tokens !== undefined && tokens !== null) problems.push(...tokenProblems(limiter.tokens, inferred.tokens));
  const sent = requests.length;
  const seconds = clock.now() / 1000;
  const requestStageLines = requests.filter((request) => !phases.some((phase) => phase.name === request.phase && phase.params['purpose'] === 'tokens'));
  if (requestStageLines.length > 400) problems.push(`${requestStageLines.length} requests for the request limits (goal ≤ 400)`);
  return { limiter, inferred, outcome, lines, sent, seconds, problems };
}
