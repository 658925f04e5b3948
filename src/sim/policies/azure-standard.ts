/**
 * Azure Standard (pay-as-you-go) limits, as measured and as the simulator promises them:
 *
 * - requests: a sliding window (10 s by default) of ceil(RPM × window / 60 s),
 *   i.e. RPM/6 = TPM/1000 per 10 s for older models;
 * - an optional 1-s sub-cap of ceil(RPM/60), the limit the headers never show;
 * - tokens: a sliding window (60 s) of TPM × window / 60 s, charged at admission
 *   with the estimate of src/sim/charge.ts (or a flat amount for azure-seed);
 * - a request whose estimate exceeds the whole token limit gets "retry after
 *   86400 seconds" and is never admitted;
 * - refused requests are not charged.
 *
 * Headers on every answer show what remains after the request's own charge
 * (admitted) or as it stands (refused): `x-ratelimit-remaining-requests` counts
 * the 10-s window, so after five requests of a burst it still says 45 while the
 * 1-s cap refuses the sixth — exactly the confusion the tool exists to expose.
 */
import { admitAll } from '../limiters/combine.js';
import type { Limiter } from '../limiters/limiter.js';
import { SlidingLogLimiter } from '../limiters/sliding-log.js';
import { azureCharge } from '../charge.js';
import { NEVER_RETRY_SECONDS, azureRateLimitBody } from '../bodies/azure-errors.js';
import { wholeMillisecondsUp, wholeSecondsUp, type Admission, type AdmissionRequest, type LimitPolicy } from './policy.js';

/** The numbers of one azure-standard (or azure-seed) deployment. */
export interface AzureStandardSettings {
  /** Requests per request window (the figure `x-ratelimit-limit-requests` shows). */
  requestLimit: number;
  requestWindowMs: number;
  /** Requests per second of the sub-cap, or undefined when off. */
  subsecondLimit: number | undefined;
  /** Tokens per token window (the figure `x-ratelimit-limit-tokens` shows). */
  tokenLimit: number;
  tokenWindowMs: number;
  /** A flat charge for every request (azure-seed), instead of the estimate. */
  flatCharge: number | undefined;
  region: string;
}

/** One deployment's Azure Standard limiter state. */
export class AzureStandardPolicy implements LimitPolicy {
  private readonly requestWindow: SlidingLogLimiter;
  private readonly subsecondWindow: SlidingLogLimiter | undefined;
  private readonly tokenWindow: SlidingLogLimiter;
  private readonly limiters: Limiter[];
  private readonly tokenIndex: number;
  private readonly limitHeaders: { requests: string; tokens: string };
  /** The costs handed to admitAll, reused: 1 per request window, the charge last. */
  private readonly costs: number[];

  constructor(private readonly settings: AzureStandardSettings) {
    this.requestWindow = new SlidingLogLimiter({ limit: settings.requestLimit, windowMs: settings.requestWindowMs });
    this.subsecondWindow = settings.subsecondLimit === undefined ? undefined : new SlidingLogLimiter({ limit: settings.subsecondLimit, windowMs: 1000 });
    this.tokenWindow = new SlidingLogLimiter({ limit: settings.tokenLimit, windowMs: settings.tokenWindowMs });
    this.limiters = this.subsecondWindow ? [this.requestWindow, this.subsecondWindow, this.tokenWindow] : [this.requestWindow, this.tokenWindow];
    this.tokenIndex = this.limiters.length - 1;
    this.costs = this.limiters.map(() => 1);
    this.limitHeaders = { requests: String(settings.requestLimit), tokens: String(settings.tokenLimit) };
  }

  /** The charge of a request under these settings. */
  chargeOf(request: AdmissionRequest): number {
    if (this.settings.flatCharge !== undefined) return this.settings.flatCharge;
    return request.facts === undefined ? 1 : azureCharge(request.facts, request.modelFacts ?? request.model);
  }

  currentHeaders(request: AdmissionRequest): Record<string, string> {
    return this.headers(this.requestWindow.check(request.nowMs, 0).remaining, this.tokenWindow.check(request.nowMs, 0).remaining);
  }

  private headers(remainingRequests: number, remainingTokens: number): Record<string, string> {
    return {
      'x-ratelimit-limit-requests': this.limitHeaders.requests,
      'x-ratelimit-remaining-requests': String(remainingRequests),
      'x-ratelimit-limit-tokens': this.limitHeaders.tokens,
      'x-ratelimit-remaining-tokens': String(remainingTokens),
    };
  }

  admit(request: AdmissionRequest): Admission {
    const charge = this.chargeOf(request);
    if (charge > this.settings.tokenLimit) return this.never(request, charge);
    const costs = this.costs;
    costs[this.tokenIndex] = charge;
    const outcome = admitAll(this.limiters, costs, request.nowMs);
    const headers = this.headers(outcome.decisions[0]!.remaining, outcome.decisions[this.tokenIndex]!.remaining);
    if (outcome.admitted) return { admitted: true, status: 200, headers, charge, note: 'admitted' };

    let requestWaitMs = 0;
    let tokenWaitMs = 0;
    for (const index of outcome.refusedBy) {
      const waitMs = outcome.decisions[index]!.retryAfterMs;
      if (index === this.tokenIndex) tokenWaitMs = waitMs;
      else requestWaitMs = Math.max(requestWaitMs, waitMs);
    }
    const retryMs = wholeMillisecondsUp(outcome.retryAfterMs);
    const retrySeconds = wholeSecondsUp(retryMs);
    headers['retry-after'] = String(retrySeconds);
    headers['retry-after-ms'] = String(retryMs);
    headers['x-ratelimit-reset-requests'] = String(wholeSecondsUp(requestWaitMs));
    headers['x-ratelimit-reset-tokens'] = String(wholeSecondsUp(tokenWaitMs));
    const byRequests = requestWaitMs > 0;
    const byOneSecondCap = this.subsecondWindow !== undefined && outcome.refusedBy.includes(1);
    return {
      admitted: false,
      status: 429,
      headers,
      body: azureRateLimitBody({
        limit: byRequests ? 'call' : 'token',
        deployment: request.deployment,
        model: request.model,
        region: this.settings.region,
        operation: request.operation ?? 'chat',
        apiVersion: request.apiVersion,
        retryAfterSeconds: retrySeconds,
      }),
      charge: 0,
      refusalClass: byRequests ? 'requests' : 'tokens',
      note: byRequests ? (byOneSecondCap && !outcome.refusedBy.includes(0) ? 'refused: calls (1-s cap)' : 'refused: calls') : 'refused: tokens',
    };
  }

  /** A request larger than the whole token limit: 429 "retry after 86400 seconds", nothing charged. */
  private never(request: AdmissionRequest, charge: number): Admission {
    const headers = this.currentHeaders(request);
    headers['retry-after'] = String(NEVER_RETRY_SECONDS);
    headers['retry-after-ms'] = String(NEVER_RETRY_SECONDS * 1000);
    headers['x-ratelimit-reset-requests'] = '0';
    headers['x-ratelimit-reset-tokens'] = String(NEVER_RETRY_SECONDS);
    return {
      admitted: false,
      status: 429,
      headers,
      body: azureRateLimitBody({
        limit: 'token',
        deployment: request.deployment,
        model: request.model,
        region: this.settings.region,
        operation: request.operation ?? 'chat',
        apiVersion: request.apiVersion,
        retryAfterSeconds: NEVER_RETRY_SECONDS,
      }),
      charge: 0,
      refusalClass: 'never',
      note: `refused: never (charge ${charge} > ${this.settings.tokenLimit})`,
    };
  }
}
