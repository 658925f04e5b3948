/**
 * The answers the gateway writes itself. API Management's own refusals have
 * a flat `{statusCode, message}` body, not Azure OpenAI's `{error:{code,message}}`
 * wrapper: that difference is one of the signs a client can read from outside.
 */

/** APIM's rate-limit 429: "Rate limit is exceeded. Try again in N seconds." */
export function gatewayRateLimitBody(retryAfterSeconds: number): string {
  return JSON.stringify({ statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.` });
}

/** APIM's quota 403 (a token quota spent for its period). */
export function gatewayQuotaBody(replenishSeconds: number): string {
  const hours = Math.floor(replenishSeconds / 3600);
  const minutes = Math.floor((replenishSeconds % 3600) / 60);
  const seconds = replenishSeconds % 60;
  const clock = [hours, minutes, seconds].map((part) => String(part).padStart(2, '0')).join(':');
  return JSON.stringify({ statusCode: 403, message: `Out of token quota. Quota will be replenished in ${clock}.` });
}

/** The 503 APIM answers when every backend of the pool has its circuit breaker open. */
export function gatewayUnavailableBody(): string {
  return JSON.stringify({ statusCode: 503, message: 'Service Unavailable' });
}

/** A backend that could not be reached (connection refused or reset). */
export function gatewayBackendFailureBody(): string {
  return JSON.stringify({ statusCode: 500, message: 'Internal server error' });
}
