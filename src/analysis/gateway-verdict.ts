/**
 * The verdict's gateway sentences: what kind of path the answers came through
 * and what that means for reading them. The figures are the summary's own
 * (effective burst and rate, byRegion counts, failovers), so they can be checked
 * against the JSON.
 */
import type { Summary } from './summary-types.js';
import { formatNumber } from './verdict.js';

const KIND_PHRASES: Record<string, string> = {
  apim: 'an API Management-style gateway (refusals in its own {statusCode, message} shape)',
  other: 'a gateway (it adds headers of its own)',
  unknown: 'a gateway or load balancer',
};

/** The gateway sentences, or null when nothing pointed to a gateway. */
export function gatewaySentence(summary: Omit<Summary, 'verdict'>): string | null {
  const gateway = summary.gateway;
  if (gateway === undefined || !gateway.detected) return null;
  const sentences: string[] = [];
  const regions = Object.values(summary.byRegion ?? {}).sort((a, b) => b.requests.ok - a.requests.ok);
  sentences.push(`The answers came through ${KIND_PHRASES[gateway.kind] ?? KIND_PHRASES.unknown}.`);

  const figures: string[] = [];
  const { burst, perSecond } = summary.effective.requests;
  if (burst !== null) figures.push(`a burst of ${formatNumber(burst, 0)}`);
  if (perSecond !== null) figures.push(`${formatNumber(perSecond)} per second`);
  const across = regions.length > 1 ? ` across ${regions.length} regions (${regions.map((region) => `${region.name} ${formatNumber(region.requests.ok, 0)}`).join(', ')} admitted)` : '';
  if (figures.length > 0 || regions.length > 1) {
    const admitted = figures.length > 0 ? `The pool admitted ${figures.join(' and ')}${across}` : `${regions.length} regions answered${across.replace(/^ across \d+ regions/, '')}`;
    sentences.push(`${admitted}; the x-ratelimit headers describe only the backend that answered, not the pool.`);
  }
  const failovers = gateway.failovers;
  if (failovers.length > 0) {
    const first = failovers[0]!;
    const changes = gateway.signs.filter((sign) => sign.code === 'region-change').reduce((total, sign) => total + sign.count, 0);
    sentences.push(
      `The answering region changed ${changes === 1 ? 'once' : `${formatNumber(changes, 0)} times`} (first at ${formatNumber(first.atMs / 1000, 2)} s: ${first.from} → ${first.to}): the gateway failed over.`,
    );
  }
  const breaker = gateway.signs.find((sign) => sign.code === 'breaker-503');
  if (breaker !== undefined) {
    sentences.push(`${formatNumber(breaker.count, 0)} 503 answers came from the gateway itself once every backend was out: treat them as refusals and wait, as for a 429.`);
  }
  const quota = gateway.signs.find((sign) => sign.code === 'quota-403');
  if (quota !== undefined) sentences.push(`${formatNumber(quota.count, 0)} 403 answers mean the gateway's token quota is spent: waiting seconds will not help.`);
  if (gateway.strippedHeaders.length > 0) {
    sentences.push(`The path removed ${gateway.strippedHeaders.join(', ')}: a client cannot pace itself by ${gateway.strippedHeaders.length === 1 ? 'that header' : 'those headers'} here.`);
  }
  return sentences.join(' ');
}
