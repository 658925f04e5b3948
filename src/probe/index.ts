/**
 * `aoai-probe probe`, as a library: automatic discovery of a limiter's burst,
 * sustained rate, recovery window and shape (and, when asked, its token budget),
 * within a budget of requests, billed tokens and seconds.
 *
 * The probe only chooses and sends experiments; every conclusion is computed from
 * the recording by the analysis (src/analysis/inference), so `aoai-probe report`
 * on the recording gives the same figures. See docs/probe.md for the algorithm.
 */
import type { Clock } from '../run/pacing/clock.js';
import type { Transport } from '../run/types.js';
import type { PhaseLine, RecordSink, RequestLine } from '../record/types.js';
import type { RefusalClass } from '../analysis/summary-types.js';
import type { Outcome } from '../analysis/inference/index.js';
import { ProbeSession } from './session.js';
import { probeRequestLimits, type RequestStageResult } from './request-stage.js';
import { probeTokenLimits, type TokenStageResult } from './token-stage.js';
import { DEFAULT_BUDGET, REQUEST_STAGE_MAX_TOKENS, TOKEN_STAGE_REQUESTS, TOKEN_STAGE_SECONDS, cheapestRequestTokens, type ProbeBudget, type ProbeSpending } from './budget.js';

export {
  DEFAULT_BUDGET,
  REQUEST_STAGE_MAX_TOKENS,
  TOKEN_STAGE_REQUESTS,
  TOKEN_STAGE_SECONDS,
  cheapestRequestTokens,
  type ProbeBudget,
  type ProbeSpending,
} from './budget.js';


/** Everything the probe needs. */
export interface ProbeOptions {
  clock: Clock;
  transport: Transport;
  sink: RecordSink;
  targetId: string;
  /** The whole probe's budget (both stages together). */
  budget: ProbeBudget;
  /** Probe the token dimension with requests of this max_tokens; null to skip it. */
  tokens: { maxTokens: number } | null;
  /** Estimated prompt tokens of one request (for the billed-tokens worst case). */
  promptTokens: number;
  advertised: { tpm: number | null; rpm: number | null };
  refusalClassOf: (request: RequestLine) => RefusalClass | null;
  stopSignal?: AbortSignal;
  abortSignal?: AbortSignal;
  /** In-flight ceiling of every experiment: a request past it becomes a `dropped` line. Default: none. */
  maxInFlight?: number;
  /** After the first stop, how long requests in flight may finish before they are cut, ms. Default 5000. */
  graceMs?: number;
  firstSeq?: number;
  onPhase?: (line: PhaseLine) => void;
  onRequest?: (line: RequestLine, outcome: Outcome) => void;
}

/** What the probe did; the figures themselves come from analysing the recording. */
export interface ProbeOutcome {
  requestStage: RequestStageResult;
  tokenStage: TokenStageResult | null;
  spending: ProbeSpending;
  /** For the recording's end line. */
  endReason: 'completed' | 'budget' | 'interrupted';
  /** Sentences about an early end (target failing, no limit found...). */
  messages: string[];
  nextSeq: number;
}

/** Runs the probe: the request stage, then (when asked) the token stage. */
export async function runProbe(options: ProbeOptions): Promise<ProbeOutcome> {
  const session = new ProbeSession({
    clock: options.clock,
    transport: options.transport,
    sink: options.sink,
    targetId: options.targetId,
    budget: options.budget,
    refusalClassOf: options.refusalClassOf,
    ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    ...(options.firstSeq !== undefined ? { firstSeq: options.firstSeq } : {}),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    ...(options.onPhase ? { onPhase: options.onPhase } : {}),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  const { budget } = options;
  const tokenShare = options.tokens === null ? null : { requests: Math.min(TOKEN_STAGE_REQUESTS, Math.floor(budget.requests * 0.45)), seconds: Math.min(TOKEN_STAGE_SECONDS, budget.seconds * 0.45) };
  // The request stage leaves the token stage its share of requests and seconds.
  session.limits = {
    ...budget,
    requests: budget.requests - (tokenShare?.requests ?? 0),
    seconds: budget.seconds - (tokenShare?.seconds ?? 0),
  };
  const requestMaxTokens = Math.min(REQUEST_STAGE_MAX_TOKENS, options.tokens?.maxTokens ?? REQUEST_STAGE_MAX_TOKENS);
  const requestStage = await probeRequestLimits(session, {
    stage: { payload: { maxTokens: requestMaxTokens }, worstCaseTokens: cheapestRequestTokens(options.promptTokens, options.tokens?.maxTokens ?? null) },
  });
  const messages = requestStage.message === null ? [] : [requestStage.message];

  let tokenStage: TokenStageResult | null = null;
  const interrupted = session.stopped === 'interrupted';
  if (options.tokens !== null && tokenShare !== null && !interrupted && requestStage.end !== 'target-failed') {
    const elapsedSeconds = (session.now() - session.startMs) / 1000;
    session.limits = { ...budget, seconds: Math.min(budget.seconds, elapsedSeconds + tokenShare.seconds) };
    session.resume();
    tokenStage = await probeTokenLimits(session, {
      maxTokens: options.tokens.maxTokens,
      promptTokens: options.promptTokens,
      requestAnalysis: requestStage.analysis,
      advertisedTpm: options.advertised.tpm,
    });
    if (tokenStage.message !== null) messages.push(tokenStage.message);
  }

  const stopped = session.stopped;
  return {
    requestStage,
    tokenStage,
    spending: session.spending(),
    // The rounds ending because the budget left could not pay for what was open is the budget too.
    endReason: stopped === 'interrupted' ? 'interrupted' : stopped === 'budget' || stopped === 'time' || requestStage.rounds === 'budget' ? 'budget' : 'completed',
    messages,
    nextSeq: session.nextSeq,
  };
}
