/**
 * The token budget a paced run spent before its first token refusal
 * (`effective.tokens.burst` for steady, ramp and scenario runs, docs/summary.md):
 * the estimated tokens of the requests admitted from the start of the run until the
 * first request refused for tokens was sent.
 *
 * Why only from the start, and only within a minute of it: the figure means "tokens
 * admitted from idle" and the tool knows the limiter was idle only before its own
 * first request; the budget Azure enforces is per minute, so tokens admitted more
 * than 60 s before the refusal had already been given back and would inflate it.
 *
 * Memory stays bounded: only admitted requests sent in the run's first minute are
 * kept (at most {@link MAX_KEPT}), as (send time, estimate) pairs, because answers
 * arrive out of send order and the first token refusal may be read after requests
 * sent later than it.
 */

/** Admitted requests kept, at most (a minute at over 300 requests per second). */
const MAX_KEPT = 20_000;

/** The token window the figure may span: a per-minute budget. */
const TOKEN_WINDOW_MS = 60_000;

/** Folds requests of paced phases; ask {@link TokenBudgetFromStart.result} at the end. */
export class TokenBudgetFromStart {
  private firstSentMs = Number.POSITIVE_INFINITY;
  private firstTokenRefusalSentMs: number | null = null;
  private readonly admitted: { sentMs: number; estimatedTokens: number }[] = [];
  private overflow = false;

  /** Any request of the run (every phase), so the start of the run is known. */
  sent(sentMs: number): void {
    if (Number.isFinite(sentMs)) this.firstSentMs = Math.min(this.firstSentMs, sentMs);
  }

  /** An admitted request and its estimated charge. */
  admittedRequest(sentMs: number, estimatedTokens: number): void {
    // Later than a minute after the earliest send so far: it can never count.
    if (!Number.isFinite(sentMs) || sentMs - this.firstSentMs > TOKEN_WINDOW_MS) return;
    if (this.admitted.length >= MAX_KEPT) {
      this.overflow = true;
      return;
    }
    this.admitted.push({ sentMs, estimatedTokens });
  }

  /** A request refused for tokens. */
  tokenRefusal(sentMs: number): void {
    if (!Number.isFinite(sentMs)) return;
    if (this.firstTokenRefusalSentMs === null || sentMs < this.firstTokenRefusalSentMs) this.firstTokenRefusalSentMs = sentMs;
  }

  /**
   * Estimated tokens admitted before the first token refusal; null without one, when
   * it came more than a minute after the run's first request, or when too many
   * requests came first to keep.
   */
  result(): number | null {
    const refusalMs = this.firstTokenRefusalSentMs;
    if (refusalMs === null || refusalMs - this.firstSentMs > TOKEN_WINDOW_MS) return null;
    let total = 0;
    let latestKeptMs = Number.NEGATIVE_INFINITY;
    for (const request of this.admitted) {
      latestKeptMs = Math.max(latestKeptMs, request.sentMs);
      if (request.sentMs < refusalMs) total += request.estimatedTokens;
    }
    // Kept requests stopped before the refusal: some admitted before it were not kept.
    if (this.overflow && latestKeptMs < refusalMs) return null;
    return total;
  }
}
