/**
 * api.openai.com limits: two token
 * buckets, requests and tokens, each holding a window's worth (RPM and TPM for
 * the default 60-s window) and refilling continuously; charge = the larger of
 * max_tokens and the character estimate; unsuccessful requests count too
 * ("continuously resending a request won't work"), so refusals are charged in
 * penalty mode (never below empty). Headers on every answer, resets as Go
 * durations (`1s`, `6m0s`, `12ms`); 429 bodies quote limit, usage and wait.
 */
import { admitAll } from '../limiters/combine.js';
import { TokenBucketLimiter } from '../limiters/token-bucket.js';
import { openaiCharge } from '../charge.js';
import { openAiRateLimitBody, openAiRequestTooLargeBody } from '../bodies/openai-errors.js';
import { formatGoDuration } from '../units.js';
import { wholeMillisecondsUp, wholeSecondsUp, type Admission, type AdmissionRequest, type LimitPolicy } from './policy.js';

/** The numbers of one OpenAI model's limits. */
export interface OpenAiSettings {
  requestCapacity: number;
  requestsPerSecond: number;
  tokenCapacity: number;
  tokensPerSecond: number;
}

/** One model's OpenAI-style limiter state. */
export class OpenAiPolicy implements LimitPolicy {
  private readonly requests: TokenBucketLimiter;
  private readonly tokens: TokenBucketLimiter;

  constructor(private readonly settings: OpenAiSettings) {
    this.requests = new TokenBucketLimiter({ capacity: settings.requestCapacity, ratePerSecond: settings.requestsPerSecond, penalty: true });
    this.tokens = new TokenBucketLimiter({ capacity: settings.tokenCapacity, ratePerSecond: settings.tokensPerSecond, penalty: true });
  }

  currentHeaders(request: AdmissionRequest): Record<string, string> {
    const requests = this.requests.check(request.nowMs, 0);
    const tokens = this.tokens.check(request.nowMs, 0);
    return this.headers(requests.remaining, requests.resetMs, tokens.remaining, tokens.resetMs);
  }

  private headers(remainingRequests: number, requestsResetMs: number, remainingTokens: number, tokensResetMs: number): Record<string, string> {
    return {
      'x-ratelimit-limit-requests': String(this.settings.requestCapacity),
      'x-ratelimit-limit-tokens': String(this.settings.tokenCapacity),
      'x-ratelimit-remaining-requests': String(remainingRequests),
      'x-ratelimit-remaining-tokens': String(remainingTokens),
      'x-ratelimit-reset-requests': formatGoDuration(requestsResetMs),
      'x-ratelimit-reset-tokens': formatGoDuration(tokensResetMs),
    };
  }

  admit(request: AdmissionRequest): Admission {
    const charge = request.facts === undefined ? 1 : openaiCharge(request.facts);
    if (charge > this.settings.tokenCapacity) {
      return {
        admitted: false,
        status: 429,
        headers: this.currentHeaders(request),
        body: openAiRequestTooLargeBody(request.model, this.settings.tokenCapacity, charge),
        charge: 0,
        refusalClass: 'never',
        note: `refused: request too large (${charge} > ${this.settings.tokenCapacity})`,
      };
    }
    const outcome = admitAll([this.requests, this.tokens], [1, charge], request.nowMs, true);
    const requests = outcome.decisions[0]!;
    const tokens = outcome.decisions[1]!;
    const headers = this.headers(requests.remaining, requests.resetMs, tokens.remaining, tokens.resetMs);
    if (outcome.admitted) return { admitted: true, status: 200, headers, charge, note: 'admitted' };

    const byRequests = outcome.refusedBy.includes(0);
    const retryMs = wholeMillisecondsUp(outcome.retryAfterMs);
    headers['retry-after'] = String(wholeSecondsUp(retryMs));
    headers['retry-after-ms'] = String(retryMs);
    const limitValue = byRequests ? this.settings.requestCapacity : this.settings.tokenCapacity;
    const remaining = byRequests ? requests.remaining : tokens.remaining;
    return {
      admitted: false,
      status: 429,
      headers,
      body: openAiRateLimitBody({
        limit: byRequests ? 'requests' : 'tokens',
        model: request.model,
        limitValue,
        used: limitValue - remaining,
        requested: byRequests ? 1 : charge,
        retryAfterMs: retryMs,
      }),
      charge: 0,
      refusalClass: byRequests ? 'requests' : 'tokens',
      note: byRequests ? 'refused: requests' : 'refused: tokens',
    };
  }
}
