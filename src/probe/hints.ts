/**
 * What the first answers say about the limit before we measure anything: the
 * limit and window the headers claim, and the retry hints of refusals. The probe
 * uses them only to size and time its experiments (a first burst bigger than the
 * claimed limit, a ping at the claimed retry time); it never reports them as
 * measurements — headers can be wrong (the seed story: the headers count 50 per 10 s
 * while 5 per 1 s is enforced).
 */
import type { RequestLine } from '../record/types.js';
import { parseRateLimitHeaders } from '../analysis/headers.js';
import { median } from '../analysis/inference/index.js';

/** Hypotheses from headers; null wherever the headers say nothing. */
export interface HeaderHints {
  /** The largest request limit any answer claimed (limit, or remaining + 1). */
  requestLimit: number | null;
  /** The window a `RateLimit-Policy` names, seconds. */
  windowSeconds: number | null;
  /** The median retry hint of refusals, ms. */
  retryAfterMs: number | null;
}

/** Reads hints from answers. */
export function readHints(lines: readonly RequestLine[]): HeaderHints {
  let requestLimit: number | null = null;
  let windowSeconds: number | null = null;
  const retries: number[] = [];
  for (const line of lines) {
    const view = parseRateLimitHeaders(line.headers);
    const claimed = Math.max(view.limitRequests ?? 0, view.remainingRequests === null ? 0 : view.remainingRequests + 1);
    if (claimed > 0) requestLimit = Math.max(requestLimit ?? 0, claimed);
    windowSeconds ??= view.policyWindowSeconds;
    if ((line.status === 429 || line.status === 503) && view.retryAfterMs !== null) retries.push(view.retryAfterMs);
  }
  return { requestLimit, windowSeconds, retryAfterMs: retries.length > 0 ? median(retries) : null };
}
