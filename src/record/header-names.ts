/**
 * Which response headers a recording keeps (docs/recording.md).
 *
 * Why a filter at all: a response carries 20–40 headers, most of them infrastructure
 * noise (`date`, `content-type`, `x-envoy-*`). Keeping only the rate-limit families,
 * request ids, region, deployment and utilization keeps request lines around 300–600
 * bytes, so a million requests stay a few hundred MB on disk, and it guarantees that
 * nothing like a `set-cookie` ever reaches a file. Values are kept as raw strings;
 * interpretation (seconds vs durations vs dates, `-1` = unknown) happens in analysis.
 */

/** Exact lower-case names kept from every response. */
const EXACT_NAMES: ReadonlySet<string> = new Set([
  // Retry hints: Azure sends seconds and milliseconds, the Azure SDKs honour x-ms-*.
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
  // Azure: which limiter refused (DeploymentRatelimit-Call / -Token), PTU utilization.
  'policy-id',
  'azure-openai-deployment-utilization',
  // Where the request was served, and ids a user can quote to support.
  'x-ms-region',
  'x-ms-deployment-name',
  'apim-request-id',
  'x-request-id',
  'x-ms-client-request-id',
  'azureml-model-session',
  // OpenAI: server-side processing time (helps separate queueing from the network).
  'openai-processing-ms',
  // IETF draft-ietf-httpapi-ratelimit-headers, structured-field form.
  'ratelimit',
  // Gateways that name the backend that answered (an APIM smart load-balancing policy).
  'x-openai-backendurl',
]);

/**
 * Name prefixes kept. Each prefix is a whole family:
 * - `x-ratelimit-`: Azure and OpenAI `limit|remaining|reset-requests|tokens` (and
 *   `_usage_based` variants), and the generic `X-RateLimit-Limit|Remaining|Reset`;
 * - `x-rate-limit-`: Azure's old `x-rate-limit-reset-tokens` (note the extra hyphen);
 * - `ratelimit-`: IETF `RateLimit-Policy` and the older `RateLimit-Limit|Remaining|Reset`;
 * - `anthropic-ratelimit-`: Anthropic's requests / tokens / input / output families;
 * - `x-ms-spillover-`: Azure spillover (`x-ms-spillover-from-deployment`, `-error`);
 * - `x-litellm-`: the LiteLLM gateway's own (model id, remaining budget): a sign of a gateway.
 */
const NAME_PREFIXES: readonly string[] = ['x-ratelimit-', 'x-rate-limit-', 'ratelimit-', 'anthropic-ratelimit-', 'x-ms-spillover-', 'x-litellm-'];

/**
 * Name parts kept wherever they occur: a gateway's own rate-limit headers under
 * names it chose (`x-gateway-ratelimit-…`, API Management's token-limit
 * `remaining-tokens-header-name` / `tokens-consumed-header-name`, a rate-limit
 * header renamed on the way out), so the path audit and the gateway reading see them.
 */
const NAME_PARTS: readonly string[] = ['ratelimit', 'rate-limit', 'remaining', 'consumed'];

/** True when a response header (name in lower case) belongs in the recording. */
export function isRecordedHeader(lowerCaseName: string): boolean {
  if (EXACT_NAMES.has(lowerCaseName)) return true;
  for (const prefix of NAME_PREFIXES) {
    if (lowerCaseName.startsWith(prefix)) return true;
  }
  for (const part of NAME_PARTS) {
    if (lowerCaseName.includes(part)) return true;
  }
  return false;
}

/**
 * The server's clock (`date`), kept only on answers that carry a `retry-after`.
 *
 * Why: `Retry-After` may be an HTTP date instead of seconds (RFC 9110 §10.2.3). Turning
 * it into a wait needs "now" on the same clock; the server's own `date` header gives
 * exactly that, free of any skew between its clock and ours. On every other answer the
 * date is noise (see above), so it is not kept there.
 */
export const SERVER_DATE_HEADER = 'date';

/** True when `date` belongs in the line of an answer whose recorded headers are `recorded`. */
export function keepsServerDate(recorded: Readonly<Record<string, string>>): boolean {
  return recorded['retry-after'] !== undefined;
}

/**
 * Where a redirect points (`location`), kept only on 3xx answers. Why: the tool does not
 * follow redirects (a load test must measure the URL it was given), so a 301 is a
 * failure whose fix is the final URL; the verdict can name it only if the line keeps
 * it. On any other answer the header is noise and is not kept.
 */
export const REDIRECT_LOCATION_HEADER = 'location';

/** True when `location` belongs in the line of an answer with this status. */
export function keepsRedirectLocation(status: number): boolean {
  return status >= 300 && status < 400;
}
