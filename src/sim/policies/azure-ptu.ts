/**
 * Azure provisioned throughput (PTU):
 * utilization is a leaky bucket of `capacity` tokens draining at
 * `drainPerSecond`; a request is admitted while utilization is below 100 %
 * (before its own estimate is added, so short bursts go just over 100 %), and
 * refused with `retry-after-ms` = time until utilization is below 100 % again.
 * When a request ends its estimate is corrected to the real usage.
 *
 * Answers carry `azure-openai-deployment-utilization: NN.N%` instead of the
 * `x-ratelimit-*` family (PTU deployments do not send those, per one design note).
 */
import { LeakyBucketLimiter } from '../limiters/leaky-bucket.js';
import { azureCharge } from '../charge.js';
import { azureRateLimitBody } from '../bodies/azure-errors.js';
import { wholeMillisecondsUp, wholeSecondsUp, type Admission, type AdmissionRequest, type LimitPolicy } from './policy.js';

/** The numbers of one PTU deployment. */
export interface AzurePtuSettings {
  capacity: number;
  drainPerSecond: number;
  region: string;
}

/** Utilization as Azure prints it: one decimal and a percent sign. */
export function formatUtilization(fraction: number): string {
  return `${(Math.max(0, fraction) * 100).toFixed(1)}%`;
}

/** One deployment's PTU utilization state. */
export class AzurePtuPolicy implements LimitPolicy {
  private readonly bucket: LeakyBucketLimiter;

  constructor(private readonly settings: AzurePtuSettings) {
    this.bucket = new LeakyBucketLimiter({ capacity: settings.capacity, drainPerSecond: settings.drainPerSecond });
  }

  currentHeaders(request: AdmissionRequest): Record<string, string> {
    return { 'azure-openai-deployment-utilization': formatUtilization(this.bucket.utilization(request.nowMs)) };
  }

  admit(request: AdmissionRequest): Admission {
    const charge = request.facts === undefined ? 1 : azureCharge(request.facts, request.modelFacts ?? request.model);
    const decision = this.bucket.check(request.nowMs, charge);
    if (decision.admitted) {
      this.bucket.commit(request.nowMs, charge, true);
      return {
        admitted: true,
        status: 200,
        headers: this.currentHeaders(request),
        charge,
        note: 'admitted',
        finish: (nowMs, actualTokens) => this.bucket.adjust(nowMs, actualTokens - charge),
      };
    }
    const retryMs = wholeMillisecondsUp(decision.retryAfterMs);
    const headers = this.currentHeaders(request);
    headers['retry-after-ms'] = String(retryMs);
    headers['retry-after'] = String(wholeSecondsUp(retryMs));
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
        retryAfterSeconds: wholeSecondsUp(retryMs),
        tier: 'ProvisionedManaged',
      }),
      charge: 0,
      refusalClass: 'tokens',
      note: 'refused: utilization ≥ 100%',
    };
  }
}
