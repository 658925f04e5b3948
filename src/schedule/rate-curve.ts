/**
 * Arrival times under a linearly changing rate: the arithmetic behind `steady` and `ramp`.
 *
 * Why a closed form (and not a loop that adds 1/rate): adding gaps accumulates rounding
 * error and, for a ramp, the "current rate" is ambiguous (at the start of the gap? the
 * middle?). Instead request k is placed at the exact time the expected number of arrivals
 * reaches k, as k6's ramping-arrival-rate `cal()` does. Every offset is computed on its
 * own from k, so no error carries from one request to the next, and offset k can be
 * computed lazily without the ones before it.
 *
 * The derivation. Work in milliseconds. The rate (requests per ms) rises or falls
 * linearly over the phase of length T:
 *
 *     r(t) = a + s·t        a = from / 1000,   s = (to − from) / (1000 · T)
 *
 * The expected number of arrivals by time t is the area under that line:
 *
 *     A(t) = a·t + s·t² / 2
 *
 * Request k (k = 0, 1, 2, ...) goes at the t where A(t) = k, i.e. the root of
 * s/2·t² + a·t − k = 0:
 *
 *     t = (−a + √(a² + 2·s·k)) / s
 *
 * That form divides by s, which is 0 for a flat rate and tiny for a gentle ramp (where it
 * subtracts two nearly equal numbers and loses digits). Multiplying top and bottom by
 * (a + √(a² + 2·s·k)) gives the same root without the division by s:
 *
 *     t = 2·k / (a + √(a² + 2·s·k))
 *
 * which covers every case with one expression:
 *   - flat (s = 0, a steady phase):  t = 2k / 2a = k / a, i.e. k · 1000 / rate;
 *   - rising from zero (a = 0):      t = √(2k / s);
 *   - falling (s < 0): a² + 2·s·k stays ≥ 0 for every k up to the phase's total area
 *     (a² + 2·s·A(T) = b², with b the final rate per ms), so the root is real; it is
 *     clamped at 0 against rounding right at the end of a ramp that falls to zero.
 * k = 0 is at t = 0 in every case (including a ramp that starts at 0/s, where the formula
 * would read 0/0).
 *
 * The count. The phase holds the requests k with t_k < T, i.e. k < A(T). So the count is
 * the number of whole numbers in [0, A(T)), which we take as ⌊A(T)⌋ where A(T) =
 * (from + to) / 2 · T / 1000: a steady 5/s for 10 s is exactly 50 requests, the first at
 * 0 and the last at 9.8 s; 3/s for 1.5 s (A = 4.5) is 4 requests, never more than the
 * rate promises. An area within 1e-9 of a whole number counts as that number, so
 * 0.1/s × 30 s (3.0000000000000004 in floating point, or 2.9999999999999996) is 3.
 */

/** Tolerance for treating an area as a whole number, in requests. */
const WHOLE_NUMBER_TOLERANCE = 1e-9;

/** A linear rate over a span of time: the shared description of steady and ramp phases. */
export interface RateCurve {
  fromPerSecond: number;
  toPerSecond: number;
  durationMs: number;
}

/** Expected arrivals A(t) by `atMs` (clamped to the curve's span); the integral the schedule follows. */
export function expectedArrivals(curve: RateCurve, atMs: number): number {
  const t = Math.min(Math.max(atMs, 0), curve.durationMs);
  const startPerMs = curve.fromPerSecond / 1000;
  const slope = curve.durationMs > 0 ? (curve.toPerSecond - curve.fromPerSecond) / 1000 / curve.durationMs : 0;
  return startPerMs * t + (slope * t * t) / 2;
}

/** How many requests the curve holds: ⌊A(T)⌋ (see the derivation above), 0 for an empty curve. */
export function arrivalCount(curve: RateCurve): number {
  if (!(curve.durationMs > 0)) return 0;
  const area = ((curve.fromPerSecond + curve.toPerSecond) / 2) * (curve.durationMs / 1000);
  if (!(area > 0)) return 0;
  return Math.floor(area + WHOLE_NUMBER_TOLERANCE);
}

/** Offset (ms from the curve's start) of request `index` (0-based): the t where A(t) = index. */
export function arrivalOffset(curve: RateCurve, index: number): number {
  if (index <= 0) return 0;
  const startPerMs = curve.fromPerSecond / 1000;
  const slope = (curve.toPerSecond - curve.fromPerSecond) / 1000 / curve.durationMs;
  const discriminant = Math.max(0, startPerMs * startPerMs + 2 * slope * index);
  return (2 * index) / (startPerMs + Math.sqrt(discriminant));
}
