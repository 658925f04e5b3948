/**
 * Azure OpenAI error bodies, worded as the service words them
 * (research/azure-limits-facts.md §3.1, §3.2). The prober classifies refusals
 * from these texts ("call rate limit", "token rate limit", "high demand",
 * "86400"), so the wording is part of the simulator's contract.
 */
import type { Operation } from '../charge.js';

/** Azure's operationId for each operation, as quoted in 429 messages. */
export const AZURE_OPERATION_NAMES: Record<Operation, string> = {
  chat: 'ChatCompletions_Create',
  embeddings: 'Embeddings_Create',
  responses: 'Responses_Create',
  completions: 'Completions_Create',
};

/** How Azure names each operation in `OperationNotSupported` messages. */
const OPERATION_WORDS: Record<Operation, string> = {
  chat: 'chatCompletion',
  embeddings: 'embeddings',
  responses: 'responses',
  completions: 'completion',
};

/**
 * 400 for an operation the deployment's model does not serve (chat on an
 * embeddings model, embeddings on a chat model, legacy completions on a chat
 * model), worded as Azure words it.
 */
export function operationNotSupportedBody(operation: Operation, model: string): string {
  return JSON.stringify({
    error: {
      code: 'OperationNotSupported',
      message:
        `The ${OPERATION_WORDS[operation]} operation does not work with the specified model, ${model}. Please choose different model and try again. ` +
        'You can learn more about which models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.',
    },
  });
}

/** The retry wait Azure gives a request that can never fit (its estimate exceeds the whole TPM). */
export const NEVER_RETRY_SECONDS = 86_400;

/** What a rate-limit message needs to name. */
export interface AzureRateLimitWording {
  /** "call" for the request-rate limit, "token" for the token-rate limit. */
  limit: 'call' | 'token';
  deployment: string;
  model: string;
  region: string;
  operation: Operation;
  /** The dated api-version, or undefined on the v1 API ("OpenAI Language Model Instance API"). */
  apiVersion: string | undefined;
  retryAfterSeconds: number;
  /** The pricing tier named in the message; "AIServices S0" on Standard. */
  tier?: string;
}

/**
 * Bodies already built, by wording. Why: under overload nearly every answer is a
 * 429 whose wording differs only in its wait (whole seconds), so the same few
 * bodies are asked for again and again. Bounded: emptied when full, so a client
 * cycling through endless deployment names cannot grow it.
 */
const rateLimitBodies = new Map<string, string>();
const MAX_CACHED_RATE_LIMIT_BODIES = 512;

/** The current (mid-2025 onwards) `RateLimitReached` 429 body. */
export function azureRateLimitBody(wording: AzureRateLimitWording): string {
  // JSON of the fields: unambiguous whatever characters a deployment name holds, and undefined stays apart from "undefined".
  const key = JSON.stringify([wording.limit, wording.retryAfterSeconds, wording.operation, wording.apiVersion ?? null, wording.tier ?? null, wording.region, wording.model, wording.deployment]);
  let body = rateLimitBodies.get(key);
  if (body === undefined) {
    body = buildAzureRateLimitBody(wording);
    if (rateLimitBodies.size >= MAX_CACHED_RATE_LIMIT_BODIES) rateLimitBodies.clear();
    rateLimitBodies.set(key, body);
  }
  return body;
}

function buildAzureRateLimitBody(wording: AzureRateLimitWording): string {
  const under = wording.apiVersion === undefined ? 'OpenAI Language Model Instance API' : `Azure OpenAI API version ${wording.apiVersion}`;
  const seconds = `${wording.retryAfterSeconds} second${wording.retryAfterSeconds === 1 ? '' : 's'}`;
  const message =
    `Your requests to ${wording.deployment} for ${wording.model} in ${wording.region} have exceeded the ${wording.limit} rate limit ` +
    `for your current ${wording.tier ?? 'AIServices S0'} pricing tier. This request was for ${AZURE_OPERATION_NAMES[wording.operation]} under ${under}. ` +
    `Please retry after ${seconds}. To increase your default rate limit, visit: https://aka.ms/oai/quotaincrease.`;
  return JSON.stringify({ error: { code: 'RateLimitReached', message } });
}

/** The wait a capacity ("high demand") 429 asks for. */
export const CAPACITY_RETRY_SECONDS = 20;

/** The capacity 429 ("high demand"): more quota does not fix it. */
export const AZURE_CAPACITY_BODY = JSON.stringify({
  error: {
    code: '429',
    message: `The system is currently experiencing high demand and cannot process your request. Your request exceeds the maximum usage size allowed during peak load. Please retry after ${CAPACITY_RETRY_SECONDS} seconds. For improved latency reliability, consider switching to Provisioned Throughput.`,
  },
});

/** 401 for a missing or wrong key. */
export const AZURE_UNAUTHORIZED_BODY = JSON.stringify({
  error: {
    code: '401',
    message:
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  },
});

/** 404 for a deployment the resource does not have. */
export const AZURE_DEPLOYMENT_NOT_FOUND_BODY = JSON.stringify({
  error: {
    code: 'DeploymentNotFound',
    message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
  },
});

/** 404 for a path no API lives at. */
export const AZURE_RESOURCE_NOT_FOUND_BODY = JSON.stringify({ error: { code: '404', message: 'Resource not found' } });

/** 405 for a method other than POST on an API path. */
export const AZURE_METHOD_NOT_ALLOWED_BODY = JSON.stringify({ error: { code: '405', message: 'Method Not Allowed. Use POST for this operation.' } });

/** 400 with OpenAI's inner error shape, which Azure passes through. */
export function badRequestBody(message: string, param: string | null, code: string | null): string {
  return JSON.stringify({ error: { message, type: 'invalid_request_error', param, code } });
}

/** 500 as Azure sends it (facts §3.2), quoting the request id. */
export function azureServerErrorBody(requestId: string): string {
  return JSON.stringify({
    error: {
      message: `The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists. (Please include the request ID ${requestId} in your message.)`,
      type: 'server_error',
      param: null,
      code: null,
    },
  });
}

/** 503: the exact Azure body is unconfirmed (facts §3.2); this uses the documented "temporarily unable" wording. */
export const AZURE_SERVICE_UNAVAILABLE_BODY = JSON.stringify({
  error: { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request. Please try again later.' },
});
