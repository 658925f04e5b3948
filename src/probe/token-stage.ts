/**
 * The token stage of the probe: finds how many estimated tokens the limiter admits
 * from idle, how fast they come back and in what shape — cheaply, because each
 * request asks for a one-word answer with a large `max_tokens`: the limiter
 * charges prompt + max_tokens at admission while the bill stays a few tokens.
 *
 * The plan (every phase has purpose "tokens", so the inference knows to fit the
 * token dimension):
 *   1. burst   — large-max_tokens requests paced at half the measured request rate
 *                (under the request cap, so refusals are for tokens, not calls),
 *                until the first token refusal;
 *   2. edge    — requests with max_tokens halved each time fill what was left, so
 *                the capacity is known to a few percent of one request's charge;
 *   3. recovery— large pings at growing intervals (never faster than the request
 *                cap allows), also just after the server's retry hint and after 60 s
 *                (the documented token window), until one is admitted;
 *   4. return  — a stream at 0.95 × the request rate, nearly twice the first one's
 *                pace: a fixed window gives everything back at once (all admitted),
 *                a sliding window gives back each request's tokens one window after
 *                it was admitted (so only at the first stream's pace), a bucket a
 *                trickle. It starts when the burst's own tokens can be back
 *                (token-return.ts), which is later than the first admitted ping when
 *                the request stage's older charges could have paid for that ping.
 * Refusals are told apart by their class (docs/summary.md): a call-rate refusal here
 * means the pace was too fast, not that tokens ran out.
 */
import type { ProbeSession } from './session.js';
import { stream, watch, round, type StagePayload } from './experiments.js';
import { watchTimes } from './watch-schedule.js';
import { readHints } from './hints.js';
import { burstReturnTime } from './token-return.js';
import type { DimensionAnalysis } from '../analysis/inference/index.js';
import { analyseDimension } from '../analysis/inference/index.js';
import { TOKEN_PURPOSE } from '../analysis/inference/index.js';
import { samplesFor } from '../analysis/inference/index.js';
import { earliestAdmission, earliestFullRecovery, replayedModel } from '../analysis/inference/index.js';

/** Settings of the token stage. */
export interface TokenStageOptions {
  /** max_tokens of the large requests. */
  maxTokens: number;
  /** Estimated prompt tokens of one request (for the budget's worst case). */
  promptTokens: number;
  /** The request limit measured by the request stage, or null when none was found. */
  requestAnalysis: DimensionAnalysis | null;
  /** The advertised TPM, used only to add a ping at the documented 60-s window. */
  advertisedTpm: number | null;
}

/** How the token stage ended. */
export interface TokenStageResult {
  end: 'completed' | 'no-token-limit-seen' | 'no-recovery-seen' | 'stopped';
  message: string | null;
}

/** Pace of requests when no request limit was found: fast enough to finish, slow enough to be polite. */
const UNLIMITED_PACE = 10;

function stageFor(options: TokenStageOptions, maxTokens: number): StagePayload {
  return { payload: { maxTokens }, worstCaseTokens: options.promptTokens + maxTokens };
}

/** The request rate the token stage may use: the measured sustained rate, or a polite default. */
export function requestPace(analysis: DimensionAnalysis | null): number {
  const perSecond = analysis?.figures?.perSecond;
  if (perSecond === undefined || perSecond === null || !Number.isFinite(perSecond) || perSecond <= 0) return UNLIMITED_PACE;
  return perSecond;
}

/** Runs the token stage on a session. */
export async function probeTokenLimits(session: ProbeSession, options: TokenStageOptions): Promise<TokenStageResult> {
  const pace = requestPace(options.requestAnalysis);
  const large = stageFor(options, options.maxTokens);

  // Let the call-rate limiter recover first, so the token burst meets only the token limit.
  const requestAnalysis = options.requestAnalysis;
  if (requestAnalysis?.best) {
    const samples = samplesFor(session.observations(), 'requests');
    const now = session.now();
    const full = earliestFullRecovery(replayedModel(requestAnalysis.best, samples), now, 120_000);
    if (full !== null) await session.waitUntil(Math.min(full + 50, now + 30_000));
  }

  // 1. The token burst: paced under the request cap, until the first token refusal.
  const burstPace = 0.5 * pace;
  const tokensLeftForBurst = Math.max(10, Math.floor(session.requestsLeft * 0.5));
  const burstResult = await stream(session, TOKEN_PURPOSE, burstPace, tokensLeftForBurst, large, { experiment: 'stream', step: 'burst', maxTokens: options.maxTokens }, (_line, outcome) => outcome === 'refused-tokens');
  const firstTokenRefusal = burstResult.lines.find((line) => session.outcomeOf(line) === 'refused-tokens');
  if (firstTokenRefusal === undefined) {
    if (session.stopped === 'interrupted') return { end: 'stopped', message: null };
    return { end: 'no-token-limit-seen', message: null };
  }

  // 2. The edge: halve max_tokens until what is left is known to a sixteenth of one request.
  let maxTokens = options.maxTokens;
  for (let step = 0; step < 5 && !session.stopped; step++) {
    maxTokens = Math.floor(maxTokens / 2);
    if (maxTokens < 1) break;
    const at = session.now() + 1000 / burstPace;
    await session.waitUntil(at);
    const phase = session.phase(TOKEN_PURPOSE, { experiment: 'edge', maxTokens });
    await session.run(phase, { atOnce: 1 }, stageFor(options, maxTokens));
  }

  // 3. Recovery: large pings, never faster than the request cap allows.
  const tokenAnalysis = analyseDimension(session.observations(), 'tokens');
  const hints = readHints(burstResult.lines);
  const now = session.now();
  const predictions: number[] = [];
  if (tokenAnalysis.best !== null) {
    const samples = samplesFor(session.observations(), 'tokens');
    for (const hypothesis of tokenAnalysis.plausible) {
      const at = earliestAdmission(hypothesis, replayedModel(hypothesis, samples), now, options.promptTokens + options.maxTokens, Math.max(0, session.deadlineMs - now));
      if (at !== null && at > now) predictions.push(at);
    }
  }
  // The documented window (tokens over a rolling 60 s) as one more hypothesis.
  const firstLarge = burstResult.lines[0];
  if (options.advertisedTpm !== null && firstLarge !== undefined) predictions.push(firstLarge.sentMs + 60_000);
  const minimumGap = 1000 / (0.8 * pace);
  const times = spacedAtLeast(
    watchTimes({
      fromMs: firstTokenRefusal.sentMs,
      notBeforeMs: now + minimumGap,
      untilMs: session.deadlineMs,
      predictedMs: predictions,
      penaltyPlausible: false,
      retryAfterMs: hints.retryAfterMs,
      maxPings: 60,
    }),
    minimumGap,
  );
  const recovery = await watch(session, TOKEN_PURPOSE, times, large, { step: 'recovery', maxTokens: options.maxTokens });
  if (recovery.admittedAtMs === null) {
    if (session.stopped === 'interrupted') return { end: 'stopped', message: null };
    return { end: 'no-recovery-seen', message: `The token budget did not come back within ${round(session.spending().seconds, 0)} s of the probe; its window is longer than the time the probe had.` };
  }

  // 4. How it returns: faster than the first burst's pace, from when the burst's own tokens can be back.
  const returnCount = Math.max(4, burstResult.admitted + 2);
  const firstAdmitted = burstResult.lines.find((line) => session.outcomeOf(line) === 'admitted');
  const observations = session.observations();
  const arrivalOf = (seq: number, fallbackMs: number): number => observations.find((observation) => observation.seq === seq)?.arrivalMs ?? fallbackMs;
  const recoveredLine = recovery.lines.find((line) => line.sentMs === recovery.admittedAtMs && session.outcomeOf(line) === 'admitted');
  if (firstAdmitted !== undefined && recoveredLine !== undefined) {
    const recoveredMs = arrivalOf(recoveredLine.seq, recoveredLine.sentMs);
    const returnAt = burstReturnTime({
      observations,
      burstStartMs: arrivalOf(firstAdmitted.seq, firstAdmitted.sentMs),
      firstRefusalMs: arrivalOf(firstTokenRefusal.seq, firstTokenRefusal.sentMs),
      recoveredMs,
      pingTokens: observations.find((observation) => observation.seq === recoveredLine.seq)?.tokens ?? options.promptTokens + options.maxTokens,
    });
    // Later than the ping only when older charges could have paid for it; one request's
    // spacing past the bound, and time left for a few requests before the deadline.
    if (returnAt > recoveredMs) {
      const latestStart = session.deadlineMs - (4 * 1000) / (0.95 * pace);
      const at = Math.min(returnAt + 1000 / pace, latestStart);
      if (at > session.now()) await session.waitUntil(at);
    }
  }
  await stream(session, TOKEN_PURPOSE, 0.95 * pace, Math.min(returnCount, session.requestsLeft), large, { experiment: 'stream', step: 'return', maxTokens: options.maxTokens }, tokenRefusalsAtLeast(session, 3));
  return { end: 'completed', message: null };
}

/** A stopWhen that is satisfied after `count` token refusals. */
function tokenRefusalsAtLeast(session: ProbeSession, count: number): (line: import('../record/types.js').RequestLine) => boolean {
  let seen = 0;
  return (line) => {
    if (session.outcomeOf(line) === 'refused-tokens') seen++;
    return seen >= count;
  };
}

/** Drops times closer than `gapMs` to the previous kept one (the request cap must not refuse the pings). */
export function spacedAtLeast(times: readonly number[], gapMs: number): number[] {
  const kept: number[] = [];
  for (const time of times) {
    const previous = kept[kept.length - 1];
    if (previous === undefined || time - previous >= gapMs) kept.push(time);
  }
  return kept;
}
