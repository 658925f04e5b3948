/**
 * api.openai.com error bodies: every error
 * is `{"error":{"message","type","param","code"}}`, and rate-limit messages quote
 * the limit, the usage and the wait as a Go duration.
 */
import { formatGoDuration } from '../units.js';

/** What a rate-limit message needs to name. */
export interface OpenAiRateLimitWording {
  limit: 'requests' | 'tokens';
  model: string;
  limitValue: number;
  used: number;
  requested: number;
  retryAfterMs: number;
}

/** The organization the simulator pretends to be. */
export const OPENAI_ORGANIZATION = 'org-sim';

/** A 429 `rate_limit_exceeded` body. */
export function openAiRateLimitBody(wording: OpenAiRateLimitWording): string {
  const per = wording.limit === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
  const message =
    `Rate limit reached for ${wording.model} in organization ${OPENAI_ORGANIZATION} on ${per}: Limit ${wording.limitValue}, Used ${wording.used}, Requested ${wording.requested}. ` +
    `Please try again in ${formatGoDuration(wording.retryAfterMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
  return JSON.stringify({ error: { message, type: wording.limit, param: null, code: 'rate_limit_exceeded' } });
}

/** A 429 for a single request larger than the whole token limit. */
export function openAiRequestTooLargeBody(model: string, limitValue: number, requested: number): string {
  const message =
    `Request too large for ${model} in organization ${OPENAI_ORGANIZATION} on tokens per min (TPM): Limit ${limitValue}, Requested ${requested}. ` +
    'The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.';
  return JSON.stringify({ error: { message, type: 'tokens', param: null, code: 'rate_limit_exceeded' } });
}

/** Any other OpenAI error. */
export function openAiErrorBody(message: string, type: string, param: string | null, code: string | null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

/** 401 without a key. */
export const OPENAI_MISSING_KEY_BODY = openAiErrorBody(
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  'invalid_request_error',
  null,
  null,
);

/** 401 with a wrong key (the key itself is never echoed). */
export const OPENAI_WRONG_KEY_BODY = openAiErrorBody(
  'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  'invalid_request_error',
  null,
  'invalid_api_key',
);

/** 404 for an unknown model. */
export function openAiModelNotFoundBody(model: string): string {
  return openAiErrorBody(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
}

/** 503 overloaded. */
export const OPENAI_OVERLOADED_BODY = openAiErrorBody('The engine is currently overloaded, please try again later.', 'server_error', null, 'server_is_overloaded');
