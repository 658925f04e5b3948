/**
 * The inference's own models of rate limiters. They are written here, apart from
 * the simulator's limiters (ARCHITECTURE: sim shares no code with analysis), so a
 * bug in one cannot hide the same bug in the other.
 *
 * A replay model does not decide anything by itself. It answers "how much load
 * would the limiter carry if a request arrived at t?" and is told what really
 * happened to each request ("teacher forcing"). The decision rule is the same for
 * every model: admit when load + weight ≤ capacity. Keeping the capacity outside
 * the model means one replay of the recording scores every capacity at once (see
 * threshold.ts) — except for models whose state on a refusal depends on the
 * capacity (a penalty token bucket), which take it as a parameter.
 */

/**
 * The recorded requests a replay reads, one typed array per field (index i is the
 * i-th request in arrival order). samples.ts builds them from the samples.
 *
 * Why columns and not the sample objects: the fit replays the same requests thousands
 * of times per analysis, and reading numbers from typed arrays is several times faster
 * than reading them from objects. The numbers are the same.
 */
export interface ReplayColumns {
  readonly length: number;
  /** Arrival at the limiter, ms. */
  readonly atMs: Float64Array;
  /** Units charged when admitted. */
  readonly weight: Float64Array;
  /** 1 when the request was really admitted, else 0. */
  readonly admitted: Uint8Array;
  /** When the server let go of it, ms. */
  readonly releaseMs: Float64Array;
}

/** A limiter model fed with the recorded history. */
export interface ReplayModel {
  /** The load the limiter would see for a request arriving at `atMs`, before charging it. */
  loadAt(atMs: number): number;
  /**
   * Records a request that arrived at `atMs` (times never go backwards). `admitted`
   * is what really happened (or, when predicting, what the model decided).
   */
  record(atMs: number, weight: number, admitted: boolean, releaseMs: number): void;
  /**
   * Replays requests `from` to `to` (excluded) in order (all of them by default; the
   * next call goes on from where this one ended): `values[i]` is the load request i
   * would see plus its own weight, and the request is then recorded as it really went.
   * The same as `loadAt` and `record` in a loop.
   *
   * Why every model writes this loop itself: the fit replays the recording thousands of
   * times per analysis, and one loop shared by every kind of model calls `loadAt` and
   * `record` on many classes at one call site, which V8 cannot inline (a megamorphic
   * call); in each model's own method the calls have one receiver class and are
   * inlined, several times faster. The arithmetic is the same, so are the values.
   */
  replay(requests: ReplayColumns, values: Float64Array, from?: number, to?: number): void;
  /** An independent copy with the same state, for predicting what comes next. */
  clone(): ReplayModel;
}
