/**
 * The pure parts of limit inference: the threshold fit, the replay models, the
 * burst rule, the fit recovering known limiters from designed request sequences
 * (decided by the simulator's own limiter classes, which share no code with the
 * analysis), the watch schedule, and inferEffectiveLimits' contract.
 */
import { describe, expect, it } from 'vitest';
import { fitThreshold, mismatchesAt } from '../../src/analysis/inference/threshold.js';
import { burstFromCapacity, figuresOf } from '../../src/analysis/inference/figures.js';
import { fitDimension } from '../../src/analysis/inference/fit.js';
import { analyseDimension, plausibilityTolerance } from '../../src/analysis/inference/dimension.js';
import { outcomeOf, toObservations, type Observation } from '../../src/analysis/inference/observations.js';
import { columnsOf, samplesFor, type Sample } from '../../src/analysis/inference/samples.js';
import { SLIDING_LOG_PAIR, VARIANTS } from '../../src/analysis/inference/variants.js';
import type { ReplayModel } from '../../src/analysis/inference/models/replay-model.js';
import { TokenBucketModel } from '../../src/analysis/inference/models/token-bucket.js';
import { SlidingLogModel } from '../../src/analysis/inference/models/sliding-log.js';
import { FixedWindowModel } from '../../src/analysis/inference/models/fixed-window.js';
import { AnchoredWindowModel } from '../../src/analysis/inference/models/anchored-window.js';
import { SlidingCounterModel } from '../../src/analysis/inference/models/sliding-counter.js';
import { ConcurrencyModel } from '../../src/analysis/inference/models/concurrency.js';
import { earliestAdmission, replayedModel } from '../../src/analysis/inference/predict.js';
import { inferEffectiveLimits, headerClaims } from '../../src/analysis/inference/index.js';
import { watchTimes } from '../../src/probe/watch-schedule.js';
import { countingBurstSize, firstBurstSize } from '../../src/probe/request-stage.js';
import { createLimiter, parseLimiterSpec } from '../../src/sim/limiters/spec.js';
import { tryAdmit } from '../../src/sim/limiters/limiter.js';
import type { PhaseLine, RequestLine } from '../../src/record/types.js';

/** Requests at `times` decided by a simulator limiter: the samples a recording would give. */
function decided(spec: string, times: readonly number[]): Sample[] {
  const limiter = createLimiter(parseLimiterSpec(spec));
  return times.map((atMs) => {
    const admitted = tryAdmit(limiter, atMs, 1).admitted;
    return { atMs, releaseMs: atMs + 2, weight: 1, admitted, label: admitted ? 1 : 0 };
  });
}

/**
 * A designed experiment like the probe's skeleton: a request, a burst of 30, pings at
 * growing delays, another burst, pings again, a spread of requests, pings, a burst.
 */
function designedTimes(): number[] {
  const times: number[] = [0];
  const burstAt = (at: number, size: number): void => {
    for (let index = 0; index < size; index++) times.push(at);
  };
  const pingsFrom = (at: number): void => {
    for (let delay = 20; delay < 9000; delay *= 1.15) times.push(at + delay);
  };
  burstAt(50, 30);
  pingsFrom(50);
  burstAt(9100, 30);
  pingsFrom(9100);
  for (let index = 0; index < 14; index++) times.push(18_300 + index * 300);
  pingsFrom(22_500);
  burstAt(31_600, 30);
  return times.sort((a, b) => a - b);
}

describe('fitThreshold', () => {
  it('finds the capacity that separates admitted from refused loads', () => {
    const fit = fitThreshold([1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 0, 0]);
    expect(fit).toEqual({ mismatches: 0, low: 5, high: 6 });
  });

  it('counts what no capacity can explain, and ignores unscored requests', () => {
    const fit = fitThreshold([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, -1]);
    expect(fit.mismatches).toBe(1);
    expect(mismatchesAt([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, -1], 4)).toBe(1);
  });

  it('has an unbounded high edge when nothing was refused', () => {
    expect(fitThreshold([1, 2, 3], [1, 1, 1])).toEqual({ mismatches: 0, low: 3, high: Number.POSITIVE_INFINITY });
  });
});

describe('burstFromCapacity', () => {
  it.each([
    [5, 6, 5],
    [4.98, 5.97, 5],
    [5.99, 5.9953, 6],
    [5.3, 6.2, 6],
    [5, Number.POSITIVE_INFINITY, 5],
  ])('[%d, %d) → %d', (low, high, burst) => {
    expect(burstFromCapacity(low, high)).toBe(burst);
  });
});

describe('replay models', () => {
  it('token bucket: the debt drains at the rate; a penalty refusal empties the bucket', () => {
    const model : ReplayModel = new TokenBucketModel(2, true, 3);
    model.record(0, 1, true, 0);
    model.record(0, 1, true, 0);
    expect(model.loadAt(500)).toBeCloseTo(1);
    model.record(500, 1, false, 500);
    expect(model.loadAt(500)).toBeCloseTo(2);
    const plain : ReplayModel = new TokenBucketModel(2, false, 3);
    plain.record(0, 1, false, 0);
    expect(plain.loadAt(0)).toBe(0);
  });

  it('sliding log: a request stops counting exactly one window after it arrived', () => {
    const model : ReplayModel = new SlidingLogModel(1000, false);
    model.record(100, 1, true, 100);
    model.record(400, 1, true, 400);
    expect(model.loadAt(1099)).toBe(2);
    expect(model.loadAt(1100)).toBe(1);
    expect(model.loadAt(1400)).toBe(0);
  });

  it('fixed window: the count starts again at each boundary', () => {
    const model : ReplayModel = new FixedWindowModel(1000, 250);
    model.record(300, 1, true, 300);
    model.record(1200, 1, true, 1200);
    expect(model.loadAt(1249)).toBe(2);
    expect(model.loadAt(1250)).toBe(0);
  });

  it('anchored window: starts at the first hit; a block moves its end after the first refusal', () => {
    const model : ReplayModel = new AnchoredWindowModel(1000, 5000);
    model.record(700, 1, true, 700);
    model.record(900, 1, false, 900);
    expect(model.loadAt(1600)).toBe(2);
    expect(model.loadAt(5899)).toBe(2);
    expect(model.loadAt(5900)).toBe(0);
  });

  it('sliding counter: the previous window weighs less as the current one goes on', () => {
    const model : ReplayModel = new SlidingCounterModel(1000, 0, false);
    for (let index = 0; index < 10; index++) model.record(500, 1, true, 500);
    expect(model.loadAt(1000)).toBeCloseTo(10);
    expect(model.loadAt(1250)).toBeCloseTo(7.5);
    expect(model.loadAt(2000)).toBe(0);
  });

  it('concurrency: counts admitted requests still being answered', () => {
    const model : ReplayModel = new ConcurrencyModel();
    model.record(0, 1, true, 300);
    model.record(10, 1, true, 200);
    model.record(20, 1, false, 21);
    expect(model.loadAt(100)).toBe(2);
    expect(model.loadAt(250)).toBe(1);
  });

  it('every model replays a recording to the values loadAt and record give request by request, whole or in pieces', () => {
    // Bursts, pings and a spread, decided by a real limiter, with weights like tokens' and answers of varying length.
    const samples = decided('sliding-log:limit=8,window=2s', designedTimes()).map((sample, index) => ({ ...sample, weight: 1 + (index % 5) * 0.7, releaseMs: sample.atMs + 50 + ((index * 37) % 400) }));
    const columns = columnsOf(samples);
    const params = { ratePerSecond: 3.3, windowMs: 1700, phaseMs: 450, blockMs: 2500, secondWindowMs: 6100, secondExtra: 4 };
    for (const variant of [...VARIANTS, SLIDING_LOG_PAIR]) {
      const oneByOne = variant.create(params, 6);
      const expected = samples.map((sample) => {
        const value = oneByOne.loadAt(sample.atMs) + sample.weight;
        oneByOne.record(sample.atMs, sample.weight, sample.admitted, sample.releaseMs);
        return value;
      });
      const whole = new Float64Array(samples.length);
      variant.create(params, 6).replay(columns, whole);
      expect(Array.from(whole), variant.id).toEqual(expected);
      const pieces = new Float64Array(samples.length);
      const inPieces = variant.create(params, 6);
      for (let from = 0; from < samples.length; from += 7) inPieces.replay(columns, pieces, from, Math.min(samples.length, from + 7));
      expect(Array.from(pieces), variant.id).toEqual(expected);
      // The state after the replay is the one-by-one state too.
      expect(inPieces.loadAt(40_000), variant.id).toBe(oneByOne.loadAt(40_000));
    }
  });
});

describe('fitting recovers known limiters from a designed experiment', () => {
  it.each([
    ['token-bucket:capacity=10,rate=5/s', 'token-bucket', 10, 5, 2],
    ['sliding-log:limit=10,window=2s', 'sliding-window', 10, 5, 2],
    ['fixed-window:limit=12,window=3s', 'fixed-window', 12, 4, 3],
    ['sliding-counter:limit=10,window=2s', 'sliding-window', 10, 5, 2],
    ['gcra:rate=4/s,burst=8', 'token-bucket', 8, 4, 2],
  ] as const)('%s', (spec, shape, burst, perSecond, windowSeconds) => {
    const samples = decided(spec, designedTimes());
    const best = fitDimension(samples, 'requests').fits[0]!.best;
    const figures = figuresOf(best, true, 2);
    // Clock-aligned windows are searched on a finite grid: at most one request may land on the wrong side of a boundary.
    expect(best.mismatches).toBeLessThanOrEqual(1);
    expect(figures.shape).toBe(shape);
    expect(figures.burst).toBe(burst);
    expect(figures.perSecond).toBeCloseTo(perSecond, 0);
    expect(Math.abs(figures.windowSeconds / windowSeconds - 1)).toBeLessThan(0.05);
  });

  it('predicts when a refilling bucket admits again', () => {
    const samples = decided('token-bucket:capacity=5,rate=2/s', [0, 0, 0, 0, 0, 0]);
    const best = fitDimension(samples, 'requests').fits.find((fit) => fit.best.variant.id === 'token-bucket')!.best;
    const at = earliestAdmission({ ...best, params: { ...best.params, ratePerSecond: 2 } }, replayedModel({ ...best, params: { ...best.params, ratePerSecond: 2 } }, samples), 0, 1, 10_000);
    expect(at).not.toBeNull();
    expect(at!).toBeGreaterThan(400);
    expect(at!).toBeLessThan(600);
  });
});

describe('plausibility', () => {
  it('allows one wrong prediction more than a perfect best, more when the best itself is noisy', () => {
    expect(plausibilityTolerance(0)).toBe(1);
    expect(plausibilityTolerance(16)).toBe(3);
  });

  it('says none-observed with no figures when nothing was refused', () => {
    const observations = decided('token-bucket:capacity=100,rate=5/s', [0, 0, 0, 10]).map(
      (sample, index): Observation => ({ seq: index, phase: 'p', purpose: 'burst', arrivalMs: sample.atMs, releaseMs: sample.releaseMs, latencyMs: 2, outcome: 'admitted', tokens: 30, billedTokens: 12, status: 200 }),
    );
    const analysis = analyseDimension(observations, 'requests');
    expect(analysis.shape).toBe('none-observed');
    expect(analysis.figures).toBeNull();
    expect(analysis.confidence).toBe('none');
  });
});

/** A request line as a transport writes one. */
function line(seq: number, phase: string, sentMs: number, status: number, fields: Partial<RequestLine> = {}): RequestLine {
  return {
    type: 'request',
    seq,
    phase,
    target: 'default',
    plannedMs: sentMs,
    sentMs,
    firstByteMs: sentMs + 2,
    doneMs: sentMs + 2,
    status,
    errorKind: null,
    headers: {},
    error: status === 200 ? null : { code: '429', message: 'Too many requests', type: null },
    usage: status === 200 ? { promptTokens: 10, completionTokens: 1, totalTokens: 11 } : null,
    estimatedTokens: 26,
    maxTokens: 16,
    clientRequestId: `id-${seq}`,
    ...fields,
  };
}

describe('observations', () => {
  it('reads 429 and 503 (gateway pages included) as refusals, busy wording as capacity, tokens by class', () => {
    const request = line(0, 'p', 0, 503, { error: { code: null, message: '<html><title>503 Service Temporarily Unavailable</title></html>', type: null } });
    expect(outcomeOf(request, 'gateway')).toBe('refused');
    expect(outcomeOf(line(1, 'p', 0, 503, { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request.', type: null } }), 'capacity')).toBe('refused');
    expect(outcomeOf(line(2, 'p', 0, 429, { error: { code: '429', message: 'The system is experiencing high demand', type: null } }), 'capacity')).toBe('capacity');
    expect(outcomeOf(line(3, 'p', 0, 429), 'tokens')).toBe('refused-tokens');
    expect(outcomeOf(line(4, 'p', 0, 500), null)).toBe('failed');
  });

  it('places arrivals one network hop after sending (half the fastest round trip)', () => {
    const phases: PhaseLine[] = [{ type: 'phase', name: 'p', kind: 'probe', startMs: 0, params: { purpose: 'burst' } }];
    const observations = toObservations(phases, [line(0, 'p', 100, 200, { firstByteMs: 104, doneMs: 110 })], () => null);
    expect(observations[0]!.arrivalMs).toBe(102);
    expect(observations[0]!.purpose).toBe('burst');
    expect(samplesFor(observations, 'tokens')[0]!.weight).toBe(26);
  });

  it('orders each burst admitted-first over its own arrival times, whatever order sentMs recorded', () => {
    const phases: PhaseLine[] = [{ type: 'phase', name: 'b', kind: 'probe', startMs: 0, params: { purpose: 'burst' } }];
    // Planned for the same instant (40); on a busy machine the refusals were stamped first.
    const requests = [
      line(0, 'b', 41, 429, { plannedMs: 40 }),
      line(1, 'b', 39, 429, { plannedMs: 40 }),
      line(2, 'b', 43, 200, { plannedMs: 40 }),
      line(3, 'b', 42, 200, { plannedMs: 40 }),
      // A different instant keeps its own time.
      line(4, 'b', 1000, 429, { plannedMs: 1000 }),
    ];
    const observations = toObservations(phases, requests, () => 'requests');
    expect(observations.map((observation) => [observation.seq, observation.arrivalMs])).toEqual([
      [2, 40],
      [3, 42],
      [0, 43],
      [1, 44],
      [4, 1001],
    ]);
  });

  it('gives a burst stamped refusals-first the samples a counting limiter saw: its admissions first', () => {
    // A sliding log of 5 per 1 s: a burst of 12 at 0 (5 admitted, stamped last), then single requests.
    const requests: RequestLine[] = [];
    for (let index = 0; index < 12; index++) requests.push(line(index, 'b', index < 7 ? index * 0.5 : 4 + index * 0.1, index < 7 ? 429 : 200, { plannedMs: 0 }));
    const phases: PhaseLine[] = [{ type: 'phase', name: 'b', kind: 'probe', startMs: 0, params: { purpose: 'burst' } }];
    const samples = samplesFor(toObservations(phases, requests, () => 'requests'), 'requests');
    expect(samples.slice(0, 5).every((sample) => sample.admitted)).toBe(true);
    expect(samples.slice(5).every((sample) => !sample.admitted)).toBe(true);
  });
});

describe('inferEffectiveLimits', () => {
  it('returns null for a recording without probe phases', () => {
    const phases: PhaseLine[] = [{ type: 'phase', name: 'b', kind: 'burst', startMs: 0, params: {} }];
    expect(inferEffectiveLimits({ phases, requests: [line(0, 'b', 0, 200)], refusalClassOf: () => null, advertised: { tpm: null, rpm: null } })).toBeNull();
  });

  it('infers a sliding log from a probe-shaped recording and says so in plain sentences', () => {
    const times = designedTimes();
    const samples = decided('sliding-log:limit=10,window=2s', times);
    const phases: PhaseLine[] = [{ type: 'phase', name: 'probe-01-burst', kind: 'probe', startMs: 0, params: { purpose: 'burst' } }];
    const requests = samples.map((sample, index) => line(index, 'probe-01-burst', sample.atMs, sample.admitted ? 200 : 429));
    const result = inferEffectiveLimits({ phases, requests, refusalClassOf: (request) => (request.status === 429 ? 'requests' : null), advertised: { tpm: 50_000, rpm: 300 } })!;
    expect(result.requests).toMatchObject({ burst: 10, shape: 'sliding-window', confidence: 'high' });
    expect(result.requests.perSecond).toBeCloseTo(5, 1);
    expect(result.tokens).toEqual({ burst: null, perMinute: null, windowSeconds: null, confidence: 'none' });
    expect(result.notes.join(' ')).toMatch(/sliding window: 10 requests in any 2(\.0)? s/);
    expect(result.notes.join(' ')).toMatch(/Pace at ≤ 4\.5 requests\/s/);
  });

  it('reads the header claims (limit and the window the advertised RPM implies)', () => {
    const headers = { 'x-ratelimit-limit-requests': '50', 'x-ratelimit-remaining-requests': '49' };
    expect(headerClaims([line(0, 'p', 0, 200, { headers })], 300)).toEqual({ limit: 50, windowSeconds: 10 });
    expect(headerClaims([line(0, 'p', 0, 200, { headers: { ratelimit: 'limit=10, remaining=9, reset=5', 'ratelimit-policy': '10;w=5' } })], null)).toEqual({ limit: 10, windowSeconds: 5 });
  });
});

describe('probe sizing', () => {
  it('starts past the limit the headers claim, within a third of the budget', () => {
    expect(firstBurstSize({ requestLimit: null, windowSeconds: null, retryAfterMs: null }, 400)).toBe(24);
    expect(firstBurstSize({ requestLimit: 50, windowSeconds: 10, retryAfterMs: null }, 400)).toBe(68);
    expect(firstBurstSize({ requestLimit: 10_000, windowSeconds: 60, retryAfterMs: null }, 400)).toBe(140);
    expect(countingBurstSize(10, 400)).toBe(12);
    expect(countingBurstSize(50, 90)).toBe(30);
  });
});

describe('watchTimes', () => {
  it('knocks at geometric delays, just after each prediction and densely across them, within the deadline', () => {
    const times = watchTimes({ fromMs: 1000, notBeforeMs: 1000, untilMs: 61_000, predictedMs: [3000, 3500], penaltyPlausible: false, retryAfterMs: null, maxPings: 60 });
    expect(times[0]).toBe(1020);
    for (let index = 1; index < times.length; index++) expect(times[index]!).toBeGreaterThan(times[index - 1]!);
    expect(times.some((at) => at > 3000 && at < 3030)).toBe(true);
    expect(times.filter((at) => at > 2800 && at < 3900).length).toBeGreaterThanOrEqual(4);
    expect(times[times.length - 1]!).toBeLessThanOrEqual(61_000);
    expect(times[times.length - 1]!).toBeGreaterThan(40_000);
  });

  it('knocks less densely when refusals may count against the limit', () => {
    const plain = watchTimes({ fromMs: 0, notBeforeMs: 0, untilMs: 30_000, predictedMs: [2000], penaltyPlausible: false, maxPings: 60 });
    const penalty = watchTimes({ fromMs: 0, notBeforeMs: 0, untilMs: 30_000, predictedMs: [2000], penaltyPlausible: true, maxPings: 60 });
    expect(penalty.length).toBeLessThan(plain.length);
  });
});
