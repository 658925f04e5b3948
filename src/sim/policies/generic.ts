/**
 * A generic limiter (token bucket, windows, GCRA, concurrency) in front of every
 * path, for testing the prober against known shapes. Every request costs 1.
 *
 * Header styles (`headers=` in the spec):
 * - `azure`: `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`; on
 *   refusal `retry-after` (s), `retry-after-ms`, `x-ratelimit-reset-requests` (s).
 * - `x-ratelimit`: `x-ratelimit-limit`, `x-ratelimit-remaining`,
 *   `x-ratelimit-reset` (seconds until full); on refusal `retry-after`.
 * - `ietf`: the IETF draft (httpapi-ratelimit-headers-09 and later) structured
 *   fields `ratelimit-policy: "default";q=LIMIT;w=WINDOW_S` and
 *   `ratelimit: "default";r=REMAINING;t=RESET_S`; on refusal `retry-after`.
 * - `none`: no rate-limit headers and no `retry-after` at all.
 */
import { tryAdmit, type Limiter } from '../limiters/limiter.js';
import { createLimiter, type LimiterSpec } from '../limiters/spec.js';
import { AZURE_SERVICE_UNAVAILABLE_BODY } from '../bodies/azure-errors.js';
import { wholeMillisecondsUp, wholeSecondsUp, type Admission, type AdmissionRequest, type LimitPolicy } from './policy.js';

/** The window, in seconds, a limiter spec's limit applies to (for `ratelimit-policy`), or undefined. */
export function specWindowSeconds(spec: LimiterSpec): number | undefined {
  switch (spec.kind) {
    case 'all-of':
      return specWindowSeconds(spec.parts[0]!);
    case 'token-bucket':
    case 'whole-token-bucket':
      return spec.capacity / spec.ratePerSecond;
    case 'gcra':
      return spec.burst / spec.ratePerSecond;
    case 'concurrency':
      return undefined;
    default:
      return spec.windowMs / 1000;
  }
}

/** One deployment's (or one path family's) generic limiter state. */
export class GenericPolicy implements LimitPolicy {
  private readonly limiter: Limiter;
  private readonly style: NonNullable<LimiterSpec['headers']>;
  private readonly status: 429 | 503;
  private readonly windowSeconds: number | undefined;

  constructor(private readonly spec: LimiterSpec) {
    this.limiter = createLimiter(spec);
    this.style = spec.headers ?? 'azure';
    this.status = spec.status ?? 429;
    this.windowSeconds = specWindowSeconds(spec);
  }

  currentHeaders(request: AdmissionRequest): Record<string, string> {
    const decision = this.limiter.check(request.nowMs, 0);
    return this.headers(decision.remaining, decision.resetMs, undefined);
  }

  private headers(remaining: number, resetMs: number, retryAfterMs: number | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    const retry = retryAfterMs === undefined ? undefined : Number.isFinite(retryAfterMs) ? wholeMillisecondsUp(retryAfterMs) : undefined;
    switch (this.style) {
      case 'none':
        return headers;
      case 'azure':
        headers['x-ratelimit-limit-requests'] = String(this.limiter.limit);
        headers['x-ratelimit-remaining-requests'] = String(remaining);
        if (retry !== undefined) {
          headers['retry-after'] = String(wholeSecondsUp(retry));
          headers['retry-after-ms'] = String(retry);
          headers['x-ratelimit-reset-requests'] = String(wholeSecondsUp(retry));
        }
        return headers;
      case 'x-ratelimit':
        headers['x-ratelimit-limit'] = String(this.limiter.limit);
        headers['x-ratelimit-remaining'] = String(remaining);
        headers['x-ratelimit-reset'] = String(wholeSecondsUp(resetMs));
        break;
      case 'ietf':
        headers['ratelimit-policy'] =
          this.windowSeconds === undefined ? `"default";q=${this.limiter.limit}` : `"default";q=${this.limiter.limit};w=${Number(this.windowSeconds.toFixed(3))}`;
        headers['ratelimit'] = `"default";r=${remaining};t=${wholeSecondsUp(resetMs)}`;
        break;
    }
    if (retry !== undefined) headers['retry-after'] = String(wholeSecondsUp(retry));
    return headers;
  }

  admit(request: AdmissionRequest): Admission {
    const decision = tryAdmit(this.limiter, request.nowMs, 1);
    if (decision.admitted) {
      return {
        admitted: true,
        status: 200,
        headers: this.headers(decision.remaining, decision.resetMs, undefined),
        charge: 1,
        note: 'admitted',
        finish: (nowMs) => this.limiter.release(nowMs, 1),
      };
    }
    const headers = this.headers(decision.remaining, decision.resetMs, decision.retryAfterMs);
    const retrySeconds = Number.isFinite(decision.retryAfterMs) ? wholeSecondsUp(wholeMillisecondsUp(decision.retryAfterMs)) : undefined;
    const wait = this.style === 'none' || retrySeconds === undefined ? '' : ` Please retry after ${retrySeconds} second${retrySeconds === 1 ? '' : 's'}.`;
    const body =
      this.status === 503
        ? AZURE_SERVICE_UNAVAILABLE_BODY
        : JSON.stringify({ error: { code: '429', message: `Too many requests: the ${this.spec.kind} limit of this endpoint is reached.${wait}` } });
    return {
      admitted: false,
      status: this.status,
      headers,
      body,
      charge: this.limiter.penalty ? 1 : 0,
      refusalClass: 'requests',
      note: `refused: ${this.spec.kind}`,
    };
  }
}
