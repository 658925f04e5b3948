/**
 * From a fitted hypothesis to the figures docs/summary.md defines:
 *   burst         — most requests (or tokens) admitted at one instant after idle;
 *   perSecond     — the highest steady rate admitted in full over the long run;
 *   windowSeconds — time for full recovery after exhaustion when nothing more is sent.
 *
 * Per kind: a token bucket of capacity C refilling at r has burst C, rate r and
 * recovers in C/r; a window (log, fixed, counter) of L per W has burst L, rate L/W
 * and recovers in W; a block (rate-limiter-flexible's blockDuration) recovers in
 * the block; a concurrency cap of N with answers taking ℓ has burst N, rate N/ℓ
 * and recovers in ℓ; two sliding logs in AND have the first's burst and recovery
 * after a burst, and the slower of the two rates.
 */
import type { LimiterShape } from '../summary-types.js';
import type { Hypothesis } from './fit.js';
import type { Sample } from './samples.js';

/** The figures one hypothesis implies. */
export interface LimitFigures {
  /** Units (requests or tokens) admitted at one instant after idle. */
  burst: number;
  /** Units per second sustained in the long run. */
  perSecond: number;
  /** Seconds from exhaustion to full recovery. */
  windowSeconds: number;
  shape: LimiterShape;
}

/**
 * Requests admitted at one instant, from a fitted capacity range [low, high): a
 * request is admitted when its load (count so far + 1) is at most the capacity.
 *
 * Why not simply floor(low): loads are fractional when the limiter refills during
 * the experiments, and a refill rate estimated 0.1 % high moves the whole range a
 * little (admitted at 5.990, refused at 5.995: a capacity of 6, not 5). Real
 * capacities are whole requests, so the burst is the whole number nearest the
 * range — inside it if one is, the smaller of two equally near ones otherwise.
 */
export function burstFromCapacity(low: number, high: number): number {
  if (!Number.isFinite(low)) return 0;
  const distance = (count: number): number => (count < low ? low - count : count >= high ? count - high + 1e-9 : 0);
  let best = Math.max(1, Math.floor(low));
  const last = Number.isFinite(high) ? Math.ceil(high) : Math.ceil(low);
  for (let count = best + 1; count <= last; count++) if (distance(count) < distance(best) - 1e-12) best = count;
  return best;
}

/**
 * The figures of a hypothesis. `unitWeights` is true for calls, false for tokens;
 * `latencyMs` is the typical answer time; `measuredBurst` (see idleBurst) replaces
 * the burst read from the fitted capacity when the recording shows one directly.
 */
export function figuresOf(hypothesis: Hypothesis, unitWeights: boolean, latencyMs: number, measuredBurst: number | null = null): LimitFigures {
  const burst = measuredBurst ?? (unitWeights ? burstFromCapacity(hypothesis.capacity, hypothesis.capacityHigh) : hypothesis.capacity);
  const { params, variant } = hypothesis;
  const shape = variant.shape;
  if (params.ratePerSecond !== null) {
    const perSecond = params.ratePerSecond;
    return { burst, perSecond, windowSeconds: burst / perSecond, shape };
  }
  if (params.windowMs !== null && params.secondWindowMs !== undefined && params.secondExtra !== undefined) {
    // Two sliding logs in AND: bursts meet the first, sustained traffic the slower of the two.
    const windowSeconds = params.windowMs / 1000;
    const secondCapacity = Math.floor(hypothesis.capacity + 1e-6) + params.secondExtra;
    return { burst, perSecond: Math.min(burst / windowSeconds, secondCapacity / (params.secondWindowMs / 1000)), windowSeconds, shape };
  }
  if (params.windowMs !== null) {
    const windowSeconds = params.windowMs / 1000;
    const recovery = params.blockMs !== null ? params.blockMs / 1000 : windowSeconds;
    return { burst, perSecond: burst / windowSeconds, windowSeconds: recovery, shape };
  }
  const latencySeconds = Math.max(latencyMs, 1) / 1000;
  return { burst, perSecond: burst / latencySeconds, windowSeconds: latencySeconds, shape };
}

/**
 * The burst as docs/summary.md defines it, read from the recording: the most requests
 * admitted in one instant (within 50 ms) that began with the limiter idle — by the
 * fitted model, a load under half a request — and that ended in refusals (so the
 * limit, not the burst size, stopped it). Null when no instant qualifies.
 *
 * Why not only the fitted capacity: some limiters round (HAProxy's rate counter
 * rounds the previous period's weighted count down), so the capacity that explains
 * every request is a fraction above what an idle limiter admits at once.
 */
export function idleBurst(hypothesis: Hypothesis, samples: readonly Sample[]): number | null {
  const model = hypothesis.variant.create(hypothesis.params, hypothesis.capacity);
  let best: number | null = null;
  let index = 0;
  while (index < samples.length) {
    const start = samples[index]!;
    const idle = model.loadAt(start.atMs) < 0.5;
    let admitted = 0;
    let refused = false;
    let end = index;
    while (end < samples.length && samples[end]!.atMs - start.atMs <= 50) {
      const sample = samples[end]!;
      if (sample.admitted) admitted++;
      if (sample.label === 0) refused = true;
      model.record(sample.atMs, sample.weight, sample.admitted, sample.releaseMs);
      end++;
    }
    if (idle && refused && admitted > 0) best = Math.max(best ?? 0, admitted);
    index = end;
  }
  return best;
}
