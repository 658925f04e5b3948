/**
 * Signs of a gateway (an API Management pool, LiteLLM, a reverse proxy with
 * failover) read from the answers alone, and the failovers it made.
 *
 * Why these signs and not `apim-request-id`: Azure OpenAI sits behind
 * Microsoft's own API Management front end and sends `apim-request-id` on every
 * answer, so that header proves nothing. What does differ through a customer's
 * gateway (docs/ describes each):
 * - `x-ms-region` changing for one target: a pool sent requests to another region;
 * - `x-ratelimit-limit-*` taking several values: the headers describe whichever
 *   backend answered, not the pool;
 * - two admitted answers of one instant showing the same `remaining` (one counter
 *   cannot do that: it went back up with no time passing, so there are several);
 * - refusals with a flat `{statusCode, message}` body where Azure OpenAI wraps
 *   its own in `{error:{code, message}}`; 403 on a gateway token quota; 503 with no
 *   region when every backend's breaker is open;
 * - 429 with `retry-after` and no `x-ratelimit-*` (APIM's own refusals);
 * - answers from a secondary region slower than the primary's (the gateway tried
 *   a refusing backend first);
 * - rate-limit headers an Azure answer always carries missing from every answer.
 *
 * Most signs count only when the answers show Azure OpenAI behind the path
 * (`x-ms-region` on some answer, or an Azure-shaped error): other APIs send
 * flat bodies and headerless 429s of their own, which say nothing about a gateway.
 *
 * A fold: it sees each request once and keeps small state (per-target answer
 * order for failovers, capped).
 */
import type { RequestLine } from '../record/types.js';
import type { RateLimitView } from './headers.js';
import type { Failover, GatewayKind, GatewaySign, GatewaySummary } from './summary-types.js';

/** What the fold needs of one request. */
export interface GatewayObservation {
  target: string;
  seq: number;
  /** The burst instant (planned time) when the request belongs to a burst phase, else null. */
  instantMs: number | null;
  sentMs: number;
  doneMs: number;
  status: number | null;
  outcome: 'admitted' | 'refused' | 'failed';
  view: RateLimitView;
  headers: Record<string, string>;
  error: RequestLine['error'];
}

/** At most this many failovers are listed (the region-change sign counts them all). */
const MAX_FAILOVERS = 20;
/** Burst instants whose admitted remaining values are remembered (most recent). */
const MAX_INSTANTS = 256;

const APIM_MESSAGE = /^(rate limit is exceeded|token limit is exceeded|out of (call volume|token|bandwidth) quota|service unavailable)/i;

interface TargetState {
  /** Region index of the latest answer with a region, -1 before the first. */
  lastRegion: number;
  /** Region index of the first answer with a region (the primary), -1 before it. */
  firstRegion: number;
  regions: Set<number>;
  /** Answers with a region. */
  answers: number;
  changes: number;
  failovers: Failover[];
  limitRequests: Set<number>;
  limitTokens: Set<number>;
}

/** Folds requests into the gateway reading. */
export class GatewaySigns {
  private readonly regions: string[] = [];
  private readonly targets = new Map<string, TargetState>();
  private readonly instants = new Map<string, Set<number>>();
  private azureEvidence = false;
  private sameRemainingInInstant = 0;
  private flatRefusals = 0;
  private flatApimMessages = 0;
  private wrappedRefusals = 0;
  private retryAfterOnly = 0;
  private breaker503 = 0;
  private quota403 = 0;
  private admitted = 0;
  private admittedWithRemainingRequests = 0;
  private admittedWithRemainingTokens = 0;
  private wrapped429 = 0;
  private wrapped429WithRetryAfter = 0;
  private wrapped429WithRetryAfterMs = 0;
  private readonly gatewayHeaders = new Map<string, number>();

  add(observation: GatewayObservation): void {
    const { headers, view, status, error } = observation;
    const region = view.region;
    if (region !== null) this.azureEvidence = true;
    const flat = error?.shape === 'flat';
    const wrapped = error !== null && error !== undefined && error.shape === undefined && error.code !== null;
    if (wrapped && (status === 429 || status === 503)) this.azureEvidence = true;

    // One pass over the header names: gateway-only names, and whether any x-ratelimit-* came.
    let rateLimitHeader = false;
    for (const name in headers) {
      if (name.charCodeAt(0) !== 120 /* x */) continue;
      if (name.startsWith('x-ratelimit-')) rateLimitHeader = true;
      else if (name === 'x-openai-backendurl' || name.startsWith('x-litellm-')) this.gatewayHeaders.set(name, (this.gatewayHeaders.get(name) ?? 0) + 1);
    }

    if (status === 429 || status === 503 || status === 403) {
      if (flat) {
        this.flatRefusals++;
        if (APIM_MESSAGE.test(error?.message ?? '')) this.flatApimMessages++;
      } else if (wrapped) this.wrappedRefusals++;
    }
    if (status === 403 && flat) this.quota403++;
    if (status === 503 && region === null && (flat || error === null)) this.breaker503++;
    if (status === 429) {
      // A wrapped Azure body came from a deployment, whatever its headers; only the others count.
      if (headers['retry-after'] !== undefined && !rateLimitHeader && !wrapped) this.retryAfterOnly++;
      if (wrapped) {
        this.wrapped429++;
        if (headers['retry-after'] !== undefined) this.wrapped429WithRetryAfter++;
        if (headers['retry-after-ms'] !== undefined) this.wrapped429WithRetryAfterMs++;
      }
    }
    if (observation.outcome === 'admitted') {
      this.admitted++;
      if (headers['x-ratelimit-remaining-requests'] !== undefined) this.admittedWithRemainingRequests++;
      if (headers['x-ratelimit-remaining-tokens'] !== undefined) this.admittedWithRemainingTokens++;
    }

    const state = this.stateOf(observation.target);
    if (view.limitRequests !== null && state.limitRequests.size < 10) state.limitRequests.add(view.limitRequests);
    if (view.limitTokens !== null && state.limitTokens.size < 10) state.limitTokens.add(view.limitTokens);
    if (region !== null) {
      let index = this.regions.indexOf(region);
      if (index < 0) index = this.regions.push(region) - 1;
      // Why answer order and no sort: the recording holds answers in the order they
      // completed, and a failover shows as the first answer from the new region.
      if (state.firstRegion < 0) state.firstRegion = index;
      if (state.lastRegion >= 0 && state.lastRegion !== index) {
        state.changes++;
        if (state.failovers.length < MAX_FAILOVERS) {
          state.failovers.push({ atMs: round(observation.doneMs), target: observation.target, from: this.regions[state.lastRegion]!, to: region });
        }
      }
      state.lastRegion = index;
      state.regions.add(index);
      state.answers++;
    }
    if (observation.outcome === 'admitted' && observation.instantMs !== null && view.remainingRequests !== null) {
      const key = `${observation.target}\u0000${observation.instantMs}`;
      let seen = this.instants.get(key);
      if (seen === undefined) {
        if (this.instants.size >= MAX_INSTANTS) this.instants.delete(this.instants.keys().next().value!);
        seen = new Set();
        this.instants.set(key, seen);
      }
      if (seen.has(view.remainingRequests)) this.sameRemainingInInstant++;
      else seen.add(view.remainingRequests);
    }
  }

  private stateOf(target: string): TargetState {
    let state = this.targets.get(target);
    if (state === undefined) {
      state = { lastRegion: -1, firstRegion: -1, regions: new Set(), answers: 0, changes: 0, failovers: [], limitRequests: new Set(), limitTokens: new Set() };
      this.targets.set(target, state);
    }
    return state;
  }

  /**
   * The gateway reading over everything added so far (changes nothing).
   * `latencyP50Of` gives the admitted p50 latency of a region (from the per-region
   * figures, so it is not kept twice).
   */
  finish(latencyP50Of: (region: string) => number | null = () => null): GatewaySummary {
    const signs: GatewaySign[] = [];
    const failovers: Failover[] = [];
    const azure = this.azureEvidence;

    for (const [target, state] of this.targets) {
      const changes = state.changes;
      failovers.push(...state.failovers.slice(0, MAX_FAILOVERS - failovers.length));
      // Changes among more than a quarter of the answers read as a pool spreading load (weighted, round-robin).
      const spreading = changes > MAX_FAILOVERS && changes > state.answers / 4;
      const regionsOfTarget = state.regions;
      if (changes > 0) {
        const names = [...regionsOfTarget].map((index) => this.regions[index]!).join(', ');
        signs.push({
          code: 'region-change',
          count: changes,
          text: spreading
            ? `${regionsOfTarget.size} regions answered target ${target} (${names}), alternating ${changes} times: a pool spreads the load`
            : `x-ms-region changed ${changes} ${changes === 1 ? 'time' : 'times'} for target ${target} (${names}): a pool sent requests to another region`,
        });
      }
      for (const [dimension, values] of [['requests', state.limitRequests], ['tokens', state.limitTokens]] as const) {
        if (values.size > 1) {
          signs.push({
            code: 'limit-jump',
            count: values.size,
            text: `x-ratelimit-limit-${dimension} took ${values.size} values for target ${target} (${[...values].sort((a, b) => a - b).join(', ')}): each answer describes the backend that sent it`,
          });
        }
      }
      if (state.firstRegion >= 0 && regionsOfTarget.size > 1) {
        const primary = this.regions[state.firstRegion]!;
        const primaryP50 = latencyP50Of(primary);
        let slowest: { region: string; p50: number } | null = null;
        for (const index of regionsOfTarget) {
          const p50 = index === state.firstRegion ? null : latencyP50Of(this.regions[index]!);
          if (p50 !== null && (slowest === null || p50 > slowest.p50)) slowest = { region: this.regions[index]!, p50 };
        }
        if (primaryP50 !== null && slowest !== null && slowest.p50 - primaryP50 >= Math.max(2, 0.25 * primaryP50)) {
          signs.push({
            code: 'failover-latency',
            count: 1,
            text: `admitted answers from ${slowest.region} took ${format(slowest.p50 - primaryP50)} ms longer than from ${primary} (p50 ${format(primaryP50)} → ${format(slowest.p50)} ms): the gateway tried a refusing backend first`,
          });
        }
      }
    }
    if (azure && this.sameRemainingInInstant > 0) {
      signs.push({
        code: 'remaining-rises',
        count: this.sameRemainingInInstant,
        text: `${this.sameRemainingInInstant} admitted ${this.sameRemainingInInstant === 1 ? 'answer' : 'answers'} of one burst instant showed a remaining-requests value already shown: the counter went back up with no time passing, so several limiters answered`,
      });
    }
    const apimShaped = this.flatApimMessages > 0 || (azure && this.flatRefusals > 0);
    if (apimShaped) {
      signs.push({
        code: 'flat-refusal-body',
        count: this.flatRefusals,
        text: `${this.flatRefusals} ${this.flatRefusals === 1 ? 'refusal' : 'refusals'} had a flat {statusCode, message} body (API Management's own) where Azure OpenAI sends {error:{code, message}}${this.wrappedRefusals > 0 ? `; ${this.wrappedRefusals} came wrapped, from a backend` : ''}`,
      });
    }
    if (azure && this.retryAfterOnly > 0) {
      signs.push({ code: 'retry-after-only', count: this.retryAfterOnly, text: `${this.retryAfterOnly} 429 ${this.retryAfterOnly === 1 ? 'answer' : 'answers'} carried retry-after but no x-ratelimit-* headers: refused by the gateway, not by a deployment` });
    }
    if ((azure || apimShaped) && this.breaker503 > 0) {
      signs.push({ code: 'breaker-503', count: this.breaker503, text: `${this.breaker503} 503 ${this.breaker503 === 1 ? 'answer' : 'answers'} without a region: the gateway had no backend left (every circuit breaker open), so it answered 503 rather than 429` });
    }
    if (this.quota403 > 0 && (azure || apimShaped)) {
      signs.push({ code: 'quota-403', count: this.quota403, text: `${this.quota403} 403 ${this.quota403 === 1 ? 'answer' : 'answers'} in the gateway's own shape: a token quota of the gateway was spent` });
    }
    for (const [name, count] of this.gatewayHeaders) {
      signs.push({ code: 'gateway-header', count, text: `${count} ${count === 1 ? 'answer' : 'answers'} carried ${name}, a header only gateways add` });
    }
    // Missing headers alone prove nothing (an API version or model may not send them): they are
    // named only when other signs already show a gateway on the path.
    const strippedHeaders = azure && signs.length > 0 ? this.stripped() : [];
    if (strippedHeaders.length > 0) {
      signs.push({ code: 'stripped-headers', count: strippedHeaders.length, text: `no answer carried ${strippedHeaders.join(', ')}, which Azure OpenAI sends: something on the path removed ${strippedHeaders.length === 1 ? 'it' : 'them'}` });
    }

    const detected = signs.length > 0;
    let kind: GatewayKind = 'none';
    if (detected) {
      if ([...this.gatewayHeaders.keys()].some((name) => name.startsWith('x-litellm-'))) kind = 'other';
      else if (apimShaped || this.gatewayHeaders.has('x-openai-backendurl') || this.quota403 > 0) kind = 'apim';
      else kind = 'unknown';
    }
    return { detected, kind, signs, failovers, strippedHeaders };
  }

  /** Headers every Azure OpenAI answer of a kind carries that none of these answers did. */
  private stripped(): string[] {
    const names: string[] = [];
    if (this.admitted > 0 && this.admittedWithRemainingRequests === 0) names.push('x-ratelimit-remaining-requests');
    if (this.admitted > 0 && this.admittedWithRemainingTokens === 0) names.push('x-ratelimit-remaining-tokens');
    if (this.wrapped429 > 0 && this.wrapped429WithRetryAfter === 0) names.push('retry-after');
    if (this.wrapped429 > 0 && this.wrapped429WithRetryAfterMs === 0 && this.wrapped429WithRetryAfter > 0) names.push('retry-after-ms');
    return names;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function format(value: number): string {
  return (Math.round(value * 10) / 10).toLocaleString('en-US', { maximumFractionDigits: 1 });
}
