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

/** A limiter model fed with the recorded history. */
export interface ReplayModel {
  /** The load the limiter would see for a request arriving at `atMs`, before charging it. */
  loadAt(atMs: number): number;
  /**
   * Records a request that arrived at `atMs` (times never go backwards). `admitted`
   * is what really happened (or, when predicting, what the model decided).
   */
  record(atMs: number, weight: number, admitted: boolean, releaseMs: number): void;
  /** An independent copy with the same state, for predicting what comes next. */
  clone(): ReplayModel;
}
