import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyRefusal, isRefusalStatus, parseWaitFromMessage, readRefusal } from '../../src/analysis/refusal-class.js';
import type { RequestLine } from '../../src/record/types.js';
import {
  APIM_SHORT,
  AZURE_CALL_RATE,
  AZURE_HIGH_DEMAND,
  AZURE_NEVER,
  AZURE_TOKEN_RATE,
  NGINX_503,
  OPENAI_QUOTA,
  OPENAI_RPM,
  OPENAI_TOO_LARGE,
  OPENAI_TPM,
  request,
} from './records.js';

function refusal(status: number, error: RequestLine['error'], headers: Record<string, string> = {}): RequestLine {
  return request(1, { status, error, headers, usage: null });
}

describe('isRefusalStatus', () => {
  it('429 and 503 only', () => {
    expect([200, 400, 408, 429, 500, 503, 529, null].map(isRefusalStatus)).toEqual([false, false, false, true, false, true, false, false]);
  });
});

describe('classifyRefusal', () => {
  it.each<[string, number, RequestLine['error'], Record<string, string>, string]>([
    ['Azure call rate (current body)', 429, AZURE_CALL_RATE, { 'retry-after': '1' }, 'requests'],
    ['Azure token rate (current body)', 429, AZURE_TOKEN_RATE, { 'retry-after': '60' }, 'tokens'],
    [
      'Azure legacy call rate',
      429,
      {
        code: '429',
        message:
          'Requests to the Creates a completion for the chat message Operation under Azure OpenAI API version 2023-05-15 have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 2 seconds.',
        type: null,
      },
      {},
      'requests',
    ],
    ['Azure 86400 wait: never', 429, AZURE_NEVER, {}, 'never'],
    ['retry-after header of a day: never', 429, AZURE_TOKEN_RATE, { 'retry-after': '86400' }, 'never'],
    ['Azure high demand: capacity', 429, AZURE_HIGH_DEMAND, {}, 'capacity'],
    ['temporarily unable: capacity', 429, { code: '429', message: 'The service is temporarily unable to process your request. Please try again later.', type: null }, {}, 'capacity'],
    ['APIM short body: no dimension named', 429, APIM_SHORT, {}, 'unknown'],
    ['policy-id call', 429, { code: '429', message: 'Rate limit is exceeded.', type: null }, { 'policy-id': 'DeploymentRatelimit-Call' }, 'requests'],
    ['policy-id token', 429, { code: '429', message: 'Rate limit is exceeded.', type: null }, { 'policy-id': 'DeploymentRatelimit-Token' }, 'tokens'],
    ['policy-id beats the body wording', 429, AZURE_CALL_RATE, { 'policy-id': 'DeploymentRatelimit-Token' }, 'tokens'],
    ['only reset-requests present', 429, APIM_SHORT, { 'x-ratelimit-reset-requests': '4' }, 'requests'],
    ['only the old reset-tokens present', 429, APIM_SHORT, { 'x-rate-limit-reset-tokens': '55' }, 'tokens'],
    ['remaining-tokens 0, requests left', 429, APIM_SHORT, { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-remaining-requests': '12' }, 'tokens'],
    ['remaining-requests 0, tokens left', 429, APIM_SHORT, { 'x-ratelimit-remaining-tokens': '1200', 'x-ratelimit-remaining-requests': '0' }, 'requests'],
    ['OpenAI RPM', 429, OPENAI_RPM, {}, 'requests'],
    ['OpenAI TPM', 429, OPENAI_TPM, {}, 'tokens'],
    ['OpenAI request too large: never', 429, OPENAI_TOO_LARGE, {}, 'never'],
    ['OpenAI insufficient_quota', 429, OPENAI_QUOTA, {}, 'quota'],
    ['OpenAI spend limit code', 429, { code: 'organization_spend_limit_exceeded', message: 'You have reached your spend limit.', type: 'invalid_request_error' }, {}, 'quota'],
    ['OpenAI slow_down: requests', 429, { code: 'slow_down', message: 'Please reduce your rate of requests.', type: null }, {}, 'requests'],
    [
      'OpenAI daily limit with a long wait is not never',
      429,
      { code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-4o on tokens per day (TPD): Limit 90000, Used 90000. Please try again in 114h18m0s.', type: 'tokens' },
      {},
      'tokens',
    ],
    ['OpenAI 503 overloaded', 503, { code: 'server_is_overloaded', message: 'Service overloaded.', type: null }, {}, 'capacity'],
    ['503 with a JSON body', 503, { code: 'ServiceUnavailable', message: 'Service Unavailable', type: null }, {}, 'capacity'],
    ['503 HTML page: gateway', 503, NGINX_503, {}, 'gateway'],
    ['429 without any body: gateway', 429, null, {}, 'gateway'],
    ['429 with an empty message: gateway', 429, { code: null, message: '', type: null }, {}, 'gateway'],
    ['express-rate-limit text body with IETF headers', 429, { code: null, message: 'Too many requests, please try again later.', type: null }, { 'ratelimit-remaining': '0', 'ratelimit-limit': '5' }, 'requests'],
    ['plain text without headers', 429, { code: null, message: 'Too many requests, please try again later.', type: null }, {}, 'unknown'],
  ])('%s → %s', (_name, status, error, headers, expected) => {
    expect(classifyRefusal(refusal(status, error, headers))).toBe(expected);
  });

  it('answers that are not refusals have no class', () => {
    expect(classifyRefusal(request(1))).toBeNull();
    expect(classifyRefusal(request(1, { status: 500, error: { code: null, message: 'The server had an error', type: 'server_error' } }))).toBeNull();
    expect(classifyRefusal(request(1, { status: null, errorKind: 'timeout' }))).toBeNull();
  });

  it('retry hint: headers first (retry-after-ms, then retry-after), then the message', () => {
    expect(readRefusal(refusal(429, AZURE_CALL_RATE, { 'retry-after-ms': '812', 'retry-after': '1' }))?.retryAfterMs).toBe(812);
    expect(readRefusal(refusal(429, AZURE_TOKEN_RATE, { 'retry-after': '7' }))?.retryAfterMs).toBe(7000);
    expect(readRefusal(refusal(429, AZURE_TOKEN_RATE))?.retryAfterMs).toBe(60_000);
    expect(readRefusal(refusal(429, APIM_SHORT))?.retryAfterMs).toBe(50_000);
    expect(readRefusal(refusal(429, OPENAI_TPM, { 'retry-after': '-1' }))?.retryAfterMs).toBeCloseTo(6596, 6);
    expect(readRefusal(refusal(429, null))?.retryAfterMs).toBeNull();
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(429, 503),
        fc.option(fc.record({ code: fc.option(fc.string(), { nil: null }), message: fc.option(fc.string(), { nil: null }), type: fc.option(fc.string(), { nil: null }) }), { nil: null }),
        fc.dictionary(fc.string(), fc.string()),
        (status, error, headers) => {
          const reading = readRefusal(refusal(status, error, headers));
          return reading !== null && typeof reading.refusalClass === 'string';
        },
      ),
    );
  });
});

describe('parseWaitFromMessage', () => {
  it.each<[string, number | null]>([
    ['Please retry after 86400 seconds.', 86_400_000],
    ['Please retry after 1 second.', 1000],
    ['Rate limit is exceeded. Try again in 50 seconds.', 50_000],
    ['Please try again in 6.596s. Visit https://platform.openai.com', 6596],
    ['Please try again in 20s.', 20_000],
    ['Please try again in 114h18m0s.', 411_480_000],
    ['Please try again in 1m30s', 90_000],
    ['Please try again in 500ms.', 500],
    ['try again in 2 minutes', 120_000],
    ['Please try again later.', null],
    ['', null],
  ])('%j → %j', (message, ms) => {
    const value = parseWaitFromMessage(message);
    if (ms === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(ms, 6);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (message) => {
      const value = parseWaitFromMessage(`Please try again in ${message}`);
      return value === null || Number.isFinite(value);
    }));
  });
});
