import { describe, expect, it } from 'vitest';
import { RequestAbortedError, RequestTimeoutError, errorCodeOf, errorKindOf } from '../../src/run/transport/error-kind.js';
import { EventStreamReader, errorFieldsOf, plainTextOf, usageOf, usageOfJsonBody } from '../../src/run/transport/http-response.js';
import { isRecordedHeader } from '../../src/record/header-names.js';

function failure(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`failed with ${code}`), { code, ...extra });
}

describe('errorKindOf', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_ABORTED', 'aborted'],
    ['ABORT_ERR', 'aborted'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EPROTO', 'tls'],
    ['EWHATEVER', 'other'],
  ])('%s → %s', (code, kind) => {
    expect(errorKindOf(failure(code))).toBe(kind);
  });

  it('looks into causes and AggregateError members (several addresses tried)', () => {
    expect(errorKindOf(failure('UND_ERR_SOCKET', { cause: failure('ECONNRESET') }))).toBe('reset');
    expect(errorKindOf(new AggregateError([failure('ECONNREFUSED'), failure('ECONNREFUSED')], 'all failed'))).toBe('refused');
    expect(errorCodeOf(failure('UND_ERR_SOCKET', { cause: failure('ECONNRESET') }))).toBe('ECONNRESET');
    expect(errorCodeOf(new Error('no code'))).toBeNull();
  });

  it('knows its own timeout and abort, and AbortError by name', () => {
    expect(errorKindOf(new RequestTimeoutError(100))).toBe('timeout');
    expect(errorKindOf(new RequestAbortedError())).toBe('aborted');
    expect(errorKindOf(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe('aborted');
    expect(errorKindOf(new Error('socket hang up'))).toBe('reset');
    expect(errorKindOf('a string')).toBe('other');
  });
});

describe('errorFieldsOf', () => {
  it('reads Azure/OpenAI, Anthropic, APIM and string-error shapes', () => {
    expect(errorFieldsOf('{"error":{"code":"429","message":"Rate limit","type":null}}')).toEqual({ code: '429', message: 'Rate limit', type: null });
    expect(errorFieldsOf('{"error":{"code":null,"message":"You exceeded your current quota","type":"insufficient_quota"}}')).toEqual({
      code: null,
      message: 'You exceeded your current quota',
      type: 'insufficient_quota',
    });
    expect(errorFieldsOf('{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}')).toEqual({ code: null, message: 'slow down', type: 'rate_limit_error' });
    expect(errorFieldsOf('{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 5 seconds." }')).toEqual({
      code: '429',
      message: 'Rate limit is exceeded. Try again in 5 seconds.',
      type: null,
      shape: 'flat',
    });
    expect(errorFieldsOf('{"error":"Too Many Requests"}')).toEqual({ code: null, message: 'Too Many Requests', type: null });
  });

  it('keeps a tag-stripped text of an HTML page, marked as text (not JSON), and null for an empty body', () => {
    expect(errorFieldsOf('<html><body><h1>503 Service Unavailable</h1><script>var x = 1;</script>No server is available &amp; ready.</body></html>')).toEqual({
      code: null,
      message: '503 Service Unavailable No server is available & ready.',
      type: null,
      shape: 'text',
    });
    expect(errorFieldsOf('   ')).toBeNull();
    expect(errorFieldsOf(`{"error":{"message":"${'y'.repeat(900)}"}}`)!.message).toHaveLength(500);
    expect(plainTextOf('a<!-- c -->b')).toBe('a b');
  });
});

describe('usage', () => {
  it('reads chat, embeddings and Responses API usage', () => {
    expect(usageOf({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 })).toEqual({ promptTokens: 10, completionTokens: 2, totalTokens: 12 });
    expect(usageOf({ prompt_tokens: 8, total_tokens: 8 })).toEqual({ promptTokens: 8, completionTokens: 0, totalTokens: 8 });
    expect(usageOf({ input_tokens: 5, output_tokens: 3 })).toEqual({ promptTokens: 5, completionTokens: 3, totalTokens: 8 });
    expect(usageOf(null)).toBeNull();
    expect(usageOf({})).toBeNull();
    expect(usageOfJsonBody('{"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}')).toEqual({ promptTokens: 1, completionTokens: 1, totalTokens: 2 });
    expect(() => usageOfJsonBody('{')).toThrow();
  });

  it('reads an event stream split anywhere, keeping the last usage and the end marker', () => {
    const stream = [
      'data: {"choices":[{"delta":{"content":"o"}}],"usage":null}\r\n\r\n',
      'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n',
      'data: [DONE]\n\n',
    ].join('');
    for (const cut of [1, 7, 40, stream.length - 3]) {
      const reader = new EventStreamReader();
      reader.push(stream.slice(0, cut));
      reader.push(stream.slice(cut));
      // One content chunk, timed at the read that completed it (no times given: 0).
      expect(reader.finish()).toEqual({
        complete: true,
        invalid: false,
        usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 },
        error: null,
        timing: { firstTokenMs: 0, lastTokenMs: 0, chunks: 1, gapsMs: [], gapsEvery: 1 },
      });
    }
  });

  it('recognises the end of a Responses API stream and broken data lines', () => {
    const responses = new EventStreamReader();
    responses.push('event: response.completed\ndata: {"type":"response.completed","response":{"usage":{"input_tokens":4,"output_tokens":2,"total_tokens":6}}}\n\n');
    expect(responses.finish()).toMatchObject({ complete: true, usage: { promptTokens: 4, completionTokens: 2, totalTokens: 6 } });
    const broken = new EventStreamReader();
    broken.push('data: {"choices":[\n\ndata: {"error":{"code":"content_filter","message":"filtered"}}\n\n');
    expect(broken.finish()).toEqual({
      complete: false,
      invalid: true,
      usage: null,
      error: { code: 'content_filter', message: 'filtered', type: null },
      timing: { firstTokenMs: null, lastTokenMs: null, chunks: 0, gapsMs: [], gapsEvery: 1 },
    });
  });
});

describe('isRecordedHeader', () => {
  it('keeps the rate-limit families, ids, region, deployment and utilization only', () => {
    const kept = [
      'x-ratelimit-remaining-requests',
      'x-ratelimit-limit-tokens',
      'x-ratelimit-reset-tokens_usage_based',
      'x-rate-limit-reset-tokens',
      'retry-after',
      'retry-after-ms',
      'x-ms-retry-after-ms',
      'policy-id',
      'azure-openai-deployment-utilization',
      'x-ms-region',
      'x-ms-deployment-name',
      'x-ms-spillover-from-deployment',
      'x-ms-spillover-error',
      'apim-request-id',
      'x-request-id',
      'x-ms-client-request-id',
      'azureml-model-session',
      'anthropic-ratelimit-tokens-remaining',
      'ratelimit',
      'ratelimit-policy',
      'ratelimit-remaining',
      'openai-processing-ms',
      'x-openai-backendurl',
      'x-litellm-model-id',
      'x-gateway-remaining-tokens',
      'x-gateway-ratelimit-limit',
      'x-consumed-tokens',
    ];
    const dropped = ['set-cookie', 'content-type', 'date', 'x-envoy-upstream-service-time', 'authorization', 'api-key', 'x-ms-rai-invoked', 'request-id'];
    for (const name of kept) expect(isRecordedHeader(name), name).toBe(true);
    for (const name of dropped) expect(isRecordedHeader(name), name).toBe(false);
  });
});
