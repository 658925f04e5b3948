/**
 * Which error body each answer family (Azure, OpenAI, generic) sends for bad
 * requests and injected faults, so the request handler only decides *that* a
 * request fails, not how the failure is worded.
 */
import {
  AZURE_CAPACITY_BODY,
  AZURE_DEPLOYMENT_NOT_FOUND_BODY,
  AZURE_METHOD_NOT_ALLOWED_BODY,
  AZURE_RESOURCE_NOT_FOUND_BODY,
  AZURE_SERVICE_UNAVAILABLE_BODY,
  AZURE_UNAUTHORIZED_BODY,
  CAPACITY_RETRY_SECONDS,
  azureServerErrorBody,
  badRequestBody,
} from './bodies/azure-errors.js';
import {
  OPENAI_MISSING_KEY_BODY,
  OPENAI_OVERLOADED_BODY,
  OPENAI_WRONG_KEY_BODY,
  openAiErrorBody,
  openAiModelNotFoundBody,
} from './bodies/openai-errors.js';
import type { FaultKind } from './faults.js';
import type { AnswerFamily } from './policies/policy.js';

/** 404 for a path with no API behind it. */
export function notFoundBody(family: AnswerFamily, method: string, path: string): string {
  return family === 'openai' ? openAiErrorBody(`Invalid URL (${method} ${path})`, 'invalid_request_error', null, null) : AZURE_RESOURCE_NOT_FOUND_BODY;
}

/** 405 for a method other than POST on an API path. */
export function methodNotAllowedBody(family: AnswerFamily, method: string, path: string): string {
  return family === 'openai'
    ? openAiErrorBody(`Invalid method for URL (${method} ${path}); use POST`, 'invalid_request_error', null, null)
    : AZURE_METHOD_NOT_ALLOWED_BODY;
}

/** 401 for a missing or wrong key (never quoting the key). */
export function unauthorizedBody(family: AnswerFamily, problem: 'missing' | 'wrong'): string {
  if (family !== 'openai') return AZURE_UNAUTHORIZED_BODY;
  return problem === 'missing' ? OPENAI_MISSING_KEY_BODY : OPENAI_WRONG_KEY_BODY;
}

/** 400 (and 413) with OpenAI's `invalid_request_error` shape, which Azure passes through. */
export function invalidRequestBody(family: AnswerFamily, message: string, param: string | null, code: string | null): string {
  return family === 'openai' ? openAiErrorBody(message, 'invalid_request_error', param, code) : badRequestBody(message, param, code);
}

/** 404 for a deployment (or model) outside the served list. */
export function deploymentNotFoundBody(family: AnswerFamily, deployment: string): string {
  return family === 'openai' ? openAiModelNotFoundBody(deployment) : AZURE_DEPLOYMENT_NOT_FOUND_BODY;
}

/** An injected fault's answer: status, body and extra headers. */
export interface FaultAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * The answer that replaces the normal one for `500`, `503` and `capacity`
 * faults; undefined for faults that are not answers (`reset`) or only alter the
 * normal answer (quirks). OpenAI has no "high demand" 429: its capacity fault is
 * the 503 `server_is_overloaded`.
 */
export function faultAnswer(family: AnswerFamily, fault: FaultKind, requestId: string): FaultAnswer | undefined {
  switch (fault) {
    case '500':
      return {
        status: 500,
        body:
          family === 'openai'
            ? openAiErrorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null, null)
            : azureServerErrorBody(requestId),
        headers: {},
      };
    case '503':
      return { status: 503, body: family === 'openai' ? OPENAI_OVERLOADED_BODY : AZURE_SERVICE_UNAVAILABLE_BODY, headers: {} };
    case 'capacity':
      if (family === 'openai') return { status: 503, body: OPENAI_OVERLOADED_BODY, headers: {} };
      return {
        status: 429,
        body: AZURE_CAPACITY_BODY,
        headers: { 'retry-after': String(CAPACITY_RETRY_SECONDS), 'retry-after-ms': String(CAPACITY_RETRY_SECONDS * 1000) },
      };
    default:
      return undefined;
  }
}
