/**
 * The request stage of the probe: finds the burst, the sustained rate, the
 * recovery window and the shape of the call-rate limit.
 *
 * The plan (docs/probe.md tells it at length):
 *   1. passive  — one request; its headers give hypotheses (limit, window) that
 *                 size the first burst. Nothing is concluded from them.
 *   2. burst    — a burst larger than any plausible bucket (escalating ×3 while
 *                 everything is admitted), so the limiter shows its edge.
 *   3. recovery — single pings at geometric delays after exhaustion (and at the
 *                 server's retry hint) until one is admitted.
 *   4. refill   — a burst right then: did everything come back at once (a window
 *                 boundary, a concurrency cap) or a little (a bucket refilling)?
 *   5. then, in rounds, fit every limiter kind to everything recorded so far
 *      (src/analysis/inference) and run the experiment that settles what is still
 *      open:
 *        - the shape is open between window kinds → a spread cycle: consume the
 *          capacity spread over half a window, then watch how it returns (all at
 *          once at a boundary, or request by request one window later);
 *        - the shape, window or burst is open → a cycle: exhaust, watch with
 *          pings placed just after each hypothesis's predicted recovery, count
 *          what came back;
 *        - the rate is open, or whether refusals count → an overdrive stream at
 *          1.3 × the estimated rate from exhaustion: a bucket admits exactly its
 *          refill rate, a limiter that counts refusals admits less and less;
 *        - finally a confirmation stream at 0.95 × the rate from full recovery,
 *          which should be admitted in full.
 * Every experiment is a phase of the recording, and the final figures are
 * computed from the recording alone (the same fit), so `report` reproduces them.
 */
import type { ProbeSession } from './session.js';
import { burst, countingBurst, watch, stream, round, type StagePayload } from './experiments.js';
import { watchTimes } from './watch-schedule.js';
import { readHints, type HeaderHints } from './hints.js';
import { chooseNextExperiment, type RoundsStop } from './next-experiment.js';
import { analyseDimension, type DimensionAnalysis } from '../analysis/inference/index.js';
import { samplesFor } from '../analysis/inference/index.js';
import { admitsAt, earliestAdmission, earliestFullRecovery, predictOutcomes, replayedModel } from '../analysis/inference/index.js';
import { figuresOf } from '../analysis/inference/index.js';
import { geometricGrid } from '../analysis/inference/index.js';

/** Why the request stage ended before its plan did. */
export type RequestStageEnd = 'completed' | 'no-limit-seen' | 'no-recovery-seen' | 'target-failed' | 'stopped';

/** What the request stage leaves for the token stage and the report. */
export interface RequestStageResult {
  end: RequestStageEnd;
  /** The analysis of the calls dimension at the end of the stage (null when nothing could be fitted). */
  analysis: DimensionAnalysis | null;
  hints: HeaderHints;
  /** A sentence for the verdict when the stage ended early, else null. */
  message: string | null;
  /**
   * Why the experiment rounds ended, when they ran: the explanations agreed on every
   * figure (`agreed`), or the budget could not pay for what was still open (`budget`).
   */
  rounds: 'agreed' | 'budget' | null;
}

/** Settings of the request stage. */
export interface RequestStageOptions {
  stage: StagePayload;
  /** Most fit-and-experiment rounds after the first cycle. */
  maxRounds?: number;
}

/** Share of the estimated sustained rate the confirmation stream offers: close enough to reveal a slower second limit. */
const CONFIRM_SHARE = 0.95;

/** Smallest first burst without any header hint. */
const DEFAULT_FIRST_BURST = 24;

/** Size of the first burst: past any plausible bucket, past what the headers claim, within a third of the budget. */
export function firstBurstSize(hints: HeaderHints, requestsLeft: number): number {
  const claimed = hints.requestLimit === null ? 0 : Math.ceil(1.3 * hints.requestLimit) + 3;
  return Math.max(2, Math.min(Math.max(DEFAULT_FIRST_BURST, claimed), Math.floor(requestsLeft * 0.35)));
}

/** Size of a burst that measures what came back: the burst plus a margin that shows the edge. */
export function countingBurstSize(burstEstimate: number, requestsLeft: number): number {
  const wanted = burstEstimate + Math.max(2, Math.ceil(0.1 * burstEstimate));
  return Math.max(2, Math.min(wanted, Math.floor(requestsLeft / 3)));
}

/** The request stage's state between experiments. */
class RequestStage {
  private hints: HeaderHints = { requestLimit: null, windowSeconds: null, retryAfterMs: null };
  private burstEstimate = 1;
  /** How long each watch waited for its first admission, seconds: the time scale of a cycle, as observed. */
  private readonly recoveries: number[] = [];

  constructor(
    private readonly session: ProbeSession,
    private readonly options: RequestStageOptions,
  ) {}

  private get stage(): StagePayload {
    return this.options.stage;
  }

  private analyse(final = false): DimensionAnalysis {
    // Between experiments the second-limit search is not needed (only the final figures use it).
    const analysis = analyseDimension(this.session.observations(), 'requests', { secondLimit: final });
    if (analysis.figures !== null) this.burstEstimate = Math.max(1, analysis.figures.burst);
    return analysis;
  }

  private result(end: RequestStageEnd, message: string | null = null, stop: 'agreed' | 'budget' | null = null): RequestStageResult {
    const analysis = this.session.requests.length > 0 ? this.analyse(true) : null;
    const stopped = this.session.stopped;
    // A send the budget or the deadline refused ends the rounds for the budget, whatever the policy said last.
    const rounds = stop === null ? null : stopped === 'budget' || stopped === 'time' ? 'budget' : stop;
    return { end: end === 'completed' && stopped === 'interrupted' ? 'stopped' : end, analysis, hints: this.hints, message, rounds };
  }

  async run(): Promise<RequestStageResult> {
    const session = this.session;

    // 1. Passive: one request, read what the headers claim.
    let passive = await burst(session, 'passive', 1, this.stage);
    for (let attempt = 0; attempt < 3 && passive.lines.length === 1 && passive.refused === 1; attempt++) {
      // Already exhausted by someone else: wait as told (within reason) and look again.
      const wait = Math.min(readHints(passive.lines).retryAfterMs ?? 2000, 30_000);
      await session.waitUntil(session.now() + wait);
      passive = await burst(session, 'passive', 1, this.stage, { attempt: attempt + 2 });
    }
    const first = passive.lines[0];
    if (first === undefined) return this.result('stopped');
    const firstOutcome = session.outcomeOf(first);
    if (firstOutcome !== 'admitted' && firstOutcome !== 'refused' && firstOutcome !== 'refused-tokens') {
      const status = first.status === null ? first.errorKind ?? 'no answer' : `HTTP ${first.status}`;
      return this.result('target-failed', `The target did not answer the first request normally (${status}); nothing was probed.`);
    }
    this.hints = readHints(passive.lines);

    // 2. Discovery: a burst past any plausible bucket, escalating while all are admitted.
    let size = firstBurstSize(this.hints, session.requestsLeft);
    let admittedTotal = 0;
    let exhaustedAt: number | null = null;
    for (let attempt = 0; attempt < 3 && size >= 2; attempt++) {
      const result = await burst(session, 'burst', size, this.stage, { attempt: attempt + 1 });
      admittedTotal += result.admitted;
      if (result.refused > 0) {
        exhaustedAt = result.lines[0]?.sentMs ?? session.now();
        break;
      }
      if (session.stopped) break;
      size = Math.min(size * 3, Math.floor(session.requestsLeft * 0.35));
    }
    if (exhaustedAt === null) {
      if (session.stopped) return this.result('stopped');
      return this.result('no-limit-seen', `No request was refused, even ${admittedTotal + 1} requests within a moment; no request limit was found within the budget.`);
    }
    this.hints = readHints(session.requests);
    this.burstEstimate = Math.max(1, admittedTotal);

    // 3. Recovery: geometric pings from exhaustion (and the server's retry hint) until admitted.
    const recovery = await watch(
      session,
      'recovery',
      watchTimes({
        fromMs: exhaustedAt,
        notBeforeMs: session.now(),
        untilMs: session.deadlineMs,
        predictedMs: [],
        penaltyPlausible: false,
        retryAfterMs: this.hints.retryAfterMs,
        maxPings: 45,
      }),
      this.stage,
    );
    if (recovery.admittedAtMs !== null) this.recoveries.push((recovery.admittedAtMs - exhaustedAt) / 1000);
    if (recovery.admittedAtMs === null) {
      if (session.stopped === 'interrupted') return this.result('stopped');
      return this.result('no-recovery-seen', `After exhaustion no request was admitted again within ${round(session.spending().seconds, 0)} s: the limiter recovers slowly or counts refused requests.`);
    }

    // 4. What came back at once.
    await countingBurst(session, 'refill', countingBurstSize(this.burstEstimate, session.requestsLeft), this.stage);

    // 5. Rounds: fit, then the experiment that settles what is open, until the figures
    //    agree or the budget cannot pay for what is open (no fixed list of experiments).
    const done = { spread: false, rate: false, confirm: false, cycles: 0 };
    const maxRounds = this.options.maxRounds ?? Number.POSITIVE_INFINITY;
    let stop: RoundsStop = 'budget';
    for (let roundIndex = 0; roundIndex < maxRounds; roundIndex++) {
      if (session.stopped) break;
      const analysis = this.analyse();
      const recoverySeconds = analysis.figures === null ? 0 : this.recoveryScale(analysis);
      const countSize = countingBurstSize(this.burstEstimate, session.requestsLeft);
      const choice = chooseNextExperiment(analysis, {
        secondsLeft: session.secondsLeft,
        requestsLeft: session.requestsLeft,
        done,
        recoverySeconds,
        countSize,
        rateCost: analysis.figures === null ? 0 : this.rateStreamCost(analysis) + countSize,
        confirmCost: analysis.figures === null ? 0 : this.confirmCost(analysis),
      });
      if ('stop' in choice) {
        stop = choice.stop;
        break;
      }
      const sentBefore = session.requests.length;
      if (choice.next === 'spread-cycle') {
        await this.spreadCycle(analysis, recoverySeconds);
        done.spread = true;
      } else if (choice.next === 'cycle') {
        await this.cycle(analysis);
        done.cycles++;
      } else if (choice.next === 'rate-stream') {
        await this.rateStream(analysis);
        done.rate = true;
      } else {
        await this.confirm(analysis);
        done.confirm = true;
      }
      // An experiment the budget or the deadline let send nothing: what is left pays for none.
      if (session.requests.length === sentBefore && choice.next !== 'confirm') break;
    }
    return this.result('completed', null, session.stopped === 'interrupted' ? null : stop === 'nothing-fitted' ? null : stop);
  }

  /**
   * Seconds one recovery takes, as observed (the longest wait for a first admission
   * so far), with the best hypothesis's window as a floor. Not the plausible
   * hypotheses' worst case: one far-fetched hypothesis (a bucket refilling once a
   * minute) would make every experiment look unaffordable.
   */
  private recoveryScale(analysis: DimensionAnalysis): number {
    const observed = this.recoveries.length > 0 ? Math.max(...this.recoveries) : 0;
    const figures = analysis.figures!;
    const bestWindow = Math.min(figures.windowSeconds, Math.max(observed * 3, 1));
    return Math.min(Math.max(observed * 1.2, bestWindow, 0.05), this.session.secondsLeft);
  }

  /** Predicted first-admission times of every plausible hypothesis, from now. */
  private predictions(analysis: DimensionAnalysis): number[] {
    const samples = samplesFor(this.session.observations(), 'requests');
    const now = this.session.now();
    const horizon = Math.max(0, this.session.deadlineMs - now);
    const times: number[] = [];
    for (const hypothesis of analysis.plausible) {
      const at = earliestAdmission(hypothesis, replayedModel(hypothesis, samples), now, 1, horizon);
      if (at !== null && at > now) times.push(at);
    }
    return times;
  }

  /**
   * Watches for recovery from now with pings placed on the plausible hypotheses' predictions.
   *
   * When the best explanation is a limiter that every refusal restarts, the watch is silent: one
   * ping at the earliest predicted recovery, then (if refused, which restarted such a
   * limiter) one at the next prediction made with that refusal replayed, and so on.
   * Each ping then tests one hypothesis's recovery after silence, instead of a
   * geometric series whose own knocks keep such a limiter shut.
   */
  private async predictedWatch(analysis: DimensionAnalysis, purpose: string): Promise<number | null> {
    const session = this.session;
    const fromMs = session.now();
    if (analysis.best?.variant.id === 'anchored-window-restart') {
      // The silences to test: each hypothesis's wait from now, ascending, then growing by half.
      const gaps = this.predictions(analysis).map((at) => at - fromMs).filter((gap) => gap > 0).sort((a, b) => a - b);
      let tested = 0;
      for (let ping = 0; ping < 12 && !session.stopped && session.requestsLeft > 0; ping++) {
        const gap = gaps.find((candidate) => candidate > tested * 1.05) ?? Math.max(tested * 1.5, 50);
        const at = session.now() + gap + Math.max(2, 0.01 * gap);
        if (at > session.deadlineMs) break;
        const result = await watch(session, purpose, [at], this.stage, { silent: true });
        if (result.admittedAtMs !== null) {
          this.recoveries.push(gap / 1000);
          return result.admittedAtMs;
        }
        tested = gap;
      }
      return null;
    }
    const result = await watch(
      session,
      purpose,
      watchTimes({
        fromMs,
        notBeforeMs: fromMs,
        untilMs: session.deadlineMs,
        predictedMs: this.predictions(analysis),
        penaltyPlausible: analysis.best?.variant.penalty ?? false,
        retryAfterMs: this.hints.retryAfterMs,
        maxPings: 45,
      }),
      this.stage,
    );
    if (result.admittedAtMs !== null) this.recoveries.push((result.admittedAtMs - fromMs) / 1000);
    return result.admittedAtMs;
  }

  /**
   * Exhausts the limiter with a counting burst, unless every plausible hypothesis
   * says it is exhausted already (the previous burst left it so): a burst there
   * would only add refusals, and penalties.
   */
  private async exhaust(analysis: DimensionAnalysis): Promise<void> {
    const session = this.session;
    const samples = samplesFor(session.observations(), 'requests');
    const now = session.now();
    const stillExhausted = analysis.plausible.every((hypothesis) => !admitsAt(hypothesis, replayedModel(hypothesis, samples), now, 1));
    if (stillExhausted && analysis.plausible.length > 0) return;
    await countingBurst(session, 'exhaust', countingBurstSize(this.burstEstimate, session.requestsLeft), this.stage);
  }

  /** Exhaust, watch where the hypotheses disagree, count what came back. */
  private async cycle(analysis: DimensionAnalysis): Promise<void> {
    const session = this.session;
    await this.exhaust(analysis);
    const admittedAt = await this.predictedWatch(analysis, 'recovery');
    if (admittedAt === null) return;
    await countingBurst(session, 'refill', countingBurstSize(this.burstEstimate, session.requestsLeft), this.stage);
  }

  /**
   * Exhaust, wait for recovery, then consume the capacity spread over half a window
   * and watch how it returns: a fixed window gives everything back at its next
   * boundary, a sliding log gives each request back one window after it was admitted.
   */
  private async spreadCycle(analysis: DimensionAnalysis, recoverySeconds: number): Promise<void> {
    const session = this.session;
    await this.exhaust(analysis);
    const admittedAt = await this.predictedWatch(analysis, 'recovery');
    if (admittedAt === null) return;
    // Half of a recovery: long enough for the return pattern to show, short enough to fit in one window.
    const observed = this.recoveries.length > 0 ? Math.max(...this.recoveries) : recoverySeconds;
    const spreadSeconds = Math.max(0.05, 0.5 * Math.min(observed, analysis.figures!.windowSeconds, recoverySeconds));
    const count = countingBurstSize(this.burstEstimate, session.requestsLeft);
    await stream(session, 'spread', count / spreadSeconds, count, this.stage, { overSeconds: round(spreadSeconds) });
    const again = await this.predictedWatch(analysis, 'recovery');
    if (again === null) return;
    await countingBurst(session, 'refill', countingBurstSize(this.burstEstimate, session.requestsLeft), this.stage);
  }

  /**
   * The overdrive rate: above the fastest rate any plausible hypothesis allows (at
   * most 2.5 × the best estimate), so a bucket is measured at its refill rate and a
   * limiter that counts refusals shows itself. Used when the hypotheses agree on the
   * rate; when they do not, {@link chooseStreamRate} picks where they disagree.
   */
  private overdriveRate(analysis: DimensionAnalysis): number {
    const best = analysis.figures!.perSecond;
    const fastest = analysis.spread?.perSecond.max ?? best;
    return 1.3 * Math.min(Math.max(best, fastest), 2.5 * best);
  }

  /** About 25 refills long (so the rate is known to a few percent), 1–25 s, at most about 100 requests. */
  private rateStreamSeconds(rate: number): number {
    const seconds = Math.min(Math.max(25 / (rate / 1.3), 3), 25);
    return Math.max(1, Math.min(seconds, 100 / rate, Math.max(0, this.session.secondsLeft - 1)));
  }

  private rateStreamCost(analysis: DimensionAnalysis): number {
    const rate = this.overdriveRate(analysis);
    return Math.ceil(rate * this.rateStreamSeconds(rate));
  }

  /**
   * The stream rate at which the plausible hypotheses disagree most: each one is
   * replayed to now and run ahead over candidate streams (rates from well under the
   * slowest to over the fastest), and the rate where their predicted admissions
   * differ most wins. A stream between two hypotheses' rates is what tells "8 per
   * 5 s" from "8 per 2 s with a 5-s block after a refusal"; one above both cannot.
   */
  private chooseStreamRate(analysis: DimensionAnalysis): number {
    const session = this.session;
    const rates = analysis.plausible.map((hypothesis) => figuresOf(hypothesis, true, analysis.latencyMs).perSecond).filter((rate) => Number.isFinite(rate) && rate > 0);
    const fallback = this.overdriveRate(analysis);
    if (rates.length < 2) return fallback;
    const slowest = Math.min(...rates);
    const fastest = Math.max(...rates);
    if (fastest / slowest < 1.1) return fallback;
    const samples = samplesFor(session.observations(), 'requests');
    const models = analysis.plausible.map((hypothesis) => ({ hypothesis, model: replayedModel(hypothesis, samples) }));
    const start = session.now() + 5;
    let bestRate = fallback;
    let bestSpread = -1;
    for (const rate of geometricGrid(0.5 * slowest, Math.min(1.5 * fastest, 4 * fastest), 1.25)) {
      const count = Math.max(4, Math.min(60, Math.ceil(rate * this.rateStreamSeconds(rate))));
      const planned = Array.from({ length: count }, (_, index) => ({ atMs: start + (index * 1000) / rate, weight: 1, releaseMs: start + (index * 1000) / rate + analysis.latencyMs }));
      const admitted = models.map(({ hypothesis, model }) => predictOutcomes(hypothesis, model, planned).filter(Boolean).length / count);
      const spread = Math.max(...admitted) - Math.min(...admitted);
      if (spread > bestSpread + 0.05) {
        bestSpread = spread;
        bestRate = rate;
      }
    }
    return bestSpread <= 0.05 ? fallback : bestRate;
  }

  /**
   * Exhaust, then stream at the rate that tells the plausible hypotheses apart (or,
   * when they agree, more than the fastest of them): a bucket admits exactly its
   * refill rate, a window its limit per window, and a limiter that counts refused
   * requests admits less and less — which is how the probe notices a penalty.
   */
  private async rateStream(analysis: DimensionAnalysis): Promise<void> {
    const session = this.session;
    await this.exhaust(analysis);
    const rate = this.chooseStreamRate(analysis);
    const seconds = this.rateStreamSeconds(rate);
    const count = Math.min(Math.ceil(rate * seconds), Math.floor(session.requestsLeft * 0.6));
    await stream(session, 'rate', rate, count, this.stage, { overSeconds: round(seconds) });
  }

  /**
   * Long enough to cross a longer window than the one measured (Azure's 10-s window
   * behind its 1-s cap), at most 30 s and a fifth of the budget.
   */
  private confirmSeconds(analysis: DimensionAnalysis): number {
    const { perSecond, windowSeconds } = analysis.figures!;
    const requests = Math.max(40, 0.2 * this.session.limits.requests);
    return Math.min(Math.max(20 / perSecond, 2.5 * windowSeconds, 12), 30, requests / (CONFIRM_SHARE * perSecond));
  }

  private confirmCost(analysis: DimensionAnalysis): number {
    return Math.ceil(CONFIRM_SHARE * analysis.figures!.perSecond * this.confirmSeconds(analysis));
  }

  /**
   * From full recovery, offer just under the estimated sustained rate: every request
   * should be admitted. Refusals here mean a slower limit the earlier experiments
   * did not reach (a second, longer window) or a rate estimate that was too high;
   * the fit then finds that limit (dimension.ts, second limit).
   */
  private async confirm(analysis: DimensionAnalysis): Promise<void> {
    const session = this.session;
    const rate = CONFIRM_SHARE * analysis.figures!.perSecond;
    const seconds = this.confirmSeconds(analysis);
    if (Math.floor(rate * Math.min(seconds, session.secondsLeft)) < 2) return;
    // From full recovery according to the best hypothesis, waiting at most what a recovery took so far.
    const samples = samplesFor(session.observations(), 'requests');
    const now = session.now();
    const best = analysis.best!;
    const fullAt = earliestFullRecovery(replayedModel(best, samples), now, Math.max(0, session.deadlineMs - now)) ?? now;
    const longestWait = 1.5 * this.recoveryScale(analysis) * 1000;
    // Without time to wait and still run a useful stream, start sooner.
    const latestStart = session.deadlineMs - Math.min(seconds, 4) * 1000;
    await session.waitUntil(Math.min(fullAt + 20, now + longestWait, latestStart));
    const usable = Math.min(seconds, Math.max(0, session.secondsLeft - 0.5));
    const count = Math.min(Math.floor(rate * usable), session.requestsLeft);
    if (count < 2) return;
    await stream(session, 'confirm', rate, count, this.stage, { overSeconds: round(usable) });
  }
}

/** Runs the request stage on a session. */
export async function probeRequestLimits(session: ProbeSession, options: RequestStageOptions): Promise<RequestStageResult> {
  return new RequestStage(session, options).run();
}
