/**
 * The probe's budget: requests, billed tokens and seconds. "Strictly" means a
 * request is only sent when even its worst case fits: the billed-tokens check
 * counts every request in flight at its worst case (prompt + max_tokens) until its
 * real usage is known, so the sum of `usage` can never pass the budget.
 */

/** Limits the probe must stay within. */
export interface ProbeBudget {
  /** Most requests sent, all experiments together. */
  requests: number;
  /** Most tokens billed (the sum of `usage.total_tokens`, worst case for answers without usage). */
  billedTokens: number;
  /** Most seconds the probe runs (experiments are trimmed to fit). */
  seconds: number;
}

/** What the probe spent, for the "spent" line. */
export interface ProbeSpending {
  requests: number;
  /** Billed tokens as the answers reported them (usage.total_tokens). */
  billedTokens: number;
  /** The limiter's estimated charge of everything sent (prompt estimate + max_tokens). */
  estimatedTokens: number;
  seconds: number;
}

/** Default budget for the request limits: enough for the accuracy goal (≤ 400 requests, ≤ 2 minutes). */
export const DEFAULT_BUDGET: ProbeBudget = { requests: 400, billedTokens: 100_000, seconds: 120 };

/** Extra seconds the token dimension may take: one 60-s token window and a little more. */
export const TOKEN_STAGE_SECONDS = 80;

/** Extra requests the token dimension may take (PRODUCT: ≤ 300 requests for token limits). */
export const TOKEN_STAGE_REQUESTS = 300;

/** max_tokens of the request stage's requests: tiny, so token limits stay out of the way. */
export const REQUEST_STAGE_MAX_TOKENS = 16;

/**
 * The billed-token cost, at its worst case (prompt + max_tokens), of the cheapest request the
 * probe sends: a token budget below it cannot pay for a single request, so the CLI refuses it
 * as bad input instead of running a probe that sends nothing.
 */
export function cheapestRequestTokens(promptTokens: number, maxTokens: number | null): number {
  return promptTokens + Math.min(REQUEST_STAGE_MAX_TOKENS, maxTokens ?? REQUEST_STAGE_MAX_TOKENS);
}
