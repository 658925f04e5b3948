import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../src/analysis/go-duration.js';
import {
  parseCountValue,
  parseHttpDate,
  parsePercent,
  parseRateLimitHeaders,
  parseResetValue,
  parseRetryAfter,
  parseRfc3339,
} from '../../src/analysis/headers.js';
import { parseFieldList } from '../../src/analysis/structured-field.js';

describe('parseGoDuration', () => {
  it.each([
    ['12ms', 12],
    ['9ms', 9],
    ['1s', 1000],
    ['6m0s', 360_000],
    ['2m59.56s', 179_560],
    ['23h47m36.648s', 85_656_648],
    ['114h18m0s', 411_480_000],
    ['0', 0],
    ['0s', 0],
    ['1.5h', 5_400_000],
    ['250us', 0.25],
    ['20s', 20_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each(['', 's', '6m0', 'abc', '1 s', '-1s', '1d', '1s2', null, undefined])('%s → null', (text) => {
    expect(parseGoDuration(text as string)).toBeNull();
  });

  it('never throws and round-trips h/m/s compositions', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const value = parseGoDuration(text);
      return value === null || Number.isFinite(value);
    }));
    fc.assert(
      fc.property(fc.nat(200), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        const text = `${h}h${m}m${s}.${String(ms).padStart(3, '0')}s`;
        return Math.abs(parseGoDuration(text)! - (h * 3_600_000 + m * 60_000 + s * 1000 + ms)) < 1e-6;
      }),
    );
  });
});

describe('small value parsers', () => {
  it.each([
    ['49', 49],
    [' 46760 ', 46_760],
    ['0', 0],
    ['1.5', 1.5],
    ['-1', null],
    ['-5', null],
    ['', null],
    ['abc', null],
    ['1e3', null],
    ['Infinity', null],
  ])('count %j → %j', (text, value) => {
    expect(parseCountValue(text)).toBe(value);
  });

  it('reset values: Azure integer seconds, OpenAI durations', () => {
    expect(parseResetValue('4')).toEqual({ ms: 4000, style: 'seconds' });
    expect(parseResetValue('6m0s')).toEqual({ ms: 360_000, style: 'duration' });
    expect(parseResetValue('-1')).toBeNull();
    expect(parseResetValue('soon')).toBeNull();
  });

  it('retry-after: seconds, or an HTTP date relative to the answer', () => {
    expect(parseRetryAfter('1')).toBe(1000);
    expect(parseRetryAfter('86400')).toBe(86_400_000);
    const answeredAt = Date.parse('2015-10-21T07:27:30Z');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', answeredAt)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeNull();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T08:00:00Z'))).toBe(0);
    expect(parseRetryAfter('later')).toBeNull();
  });

  it('dates', () => {
    expect(parseRfc3339('2025-02-24T22:25:32Z')).toBe(Date.parse('2025-02-24T22:25:32Z'));
    expect(parseRfc3339('2025-02-24T22:25:32.5+01:00')).toBe(Date.parse('2025-02-24T21:25:32.5Z'));
    expect(parseRfc3339('yesterday')).toBeNull();
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.parse('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(Date.parse('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('12')).toBeNull();
  });

  it('utilization percent', () => {
    expect(parsePercent('89.3%')).toBe(89.3);
    expect(parsePercent('100')).toBe(100);
    expect(parsePercent('%')).toBeNull();
  });

  it('structured field lists', () => {
    expect(parseFieldList('"default";r=50;t=30')).toEqual([{ key: null, item: 'default', params: { r: '50', t: '30' } }]);
    expect(parseFieldList('limit=100, remaining=50, reset=30').map((member) => [member.key, member.item])).toEqual([
      ['limit', '100'],
      ['remaining', '50'],
      ['reset', '30'],
    ]);
    expect(parseFieldList('"a,b"; q=1')).toEqual([{ key: null, item: 'a,b', params: { q: '1' } }]);
  });
});

describe('parseRateLimitHeaders', () => {
  it('Azure: remaining/limit, integer-second resets, retry hints, region, deployment, utilization, ids', () => {
    const view = parseRateLimitHeaders({
      'x-ratelimit-remaining-requests': '45',
      'x-ratelimit-remaining-tokens': '46760',
      'x-ratelimit-limit-requests': '50',
      'x-ratelimit-limit-tokens': '50000',
      'x-ratelimit-reset-requests': '4',
      'x-ratelimit-reset-tokens': '55',
      'retry-after': '1',
      'retry-after-ms': '812.5',
      'policy-id': 'DeploymentRatelimit-Call',
      'azure-openai-deployment-utilization': '89.3%',
      'x-ms-region': 'East US 2',
      'x-ms-deployment-name': 'gpt-4o-spill',
      'apim-request-id': 'apim-1',
      'x-request-id': 'req-1',
      'x-ms-client-request-id': 'client-1',
    });
    expect(view).toMatchObject({
      remainingRequests: 45,
      remainingTokens: 46_760,
      limitRequests: 50,
      limitTokens: 50_000,
      resetRequestsMs: 4000,
      resetTokensMs: 55_000,
      retryAfterMs: 812.5,
      retryAfterSource: 'retry-after-ms',
      utilizationPercent: 89.3,
      region: 'East US 2',
      deployment: 'gpt-4o-spill',
      policyId: 'DeploymentRatelimit-Call',
      requestIds: { clientRequestId: 'client-1', apimRequestId: 'apim-1', requestId: 'req-1' },
      dialect: 'azure',
      families: ['azure', 'retry-after'],
    });
  });

  it('Azure: the old x-rate-limit-reset-tokens, x-ms-retry-after-ms, and retry-after alone', () => {
    expect(parseRateLimitHeaders({ 'x-rate-limit-reset-tokens': '55' }).resetTokensMs).toBe(55_000);
    expect(parseRateLimitHeaders({ 'x-ms-retry-after-ms': '1500', 'retry-after': '2' })).toMatchObject({ retryAfterMs: 1500, retryAfterSource: 'x-ms-retry-after-ms' });
    expect(parseRateLimitHeaders({ 'retry-after': '2' })).toMatchObject({ retryAfterMs: 2000, retryAfterSource: 'retry-after', families: ['retry-after'] });
  });

  it('-1 means unknown (the Responses API, Nov 2025)', () => {
    const view = parseRateLimitHeaders({ 'x-ratelimit-limit-tokens': '-1', 'x-ratelimit-remaining-tokens': '-1', 'x-ratelimit-reset-tokens': '0' });
    expect(view.limitTokens).toBeNull();
    expect(view.remainingTokens).toBeNull();
    expect(view.resetTokensMs).toBe(0);
  });

  it('missing headers: everything null, no family', () => {
    const view = parseRateLimitHeaders({});
    expect(view.families).toEqual([]);
    expect(view.remainingRequests).toBeNull();
    expect(view.retryAfterMs).toBeNull();
    expect(view.dialect).toBeNull();
    expect(parseRateLimitHeaders(undefined).families).toEqual([]);
  });

  it('OpenAI: Go-duration resets mark the dialect', () => {
    const view = parseRateLimitHeaders({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-reset-tokens': '6m0s',
      'x-request-id': 'req_abc',
    });
    expect(view).toMatchObject({ limitRequests: 60, remainingRequests: 59, resetRequestsMs: 1000, resetTokensMs: 360_000, dialect: 'openai', families: ['openai'] });
  });

  it('x-ratelimit-*-requests without any marker: dialect left to the caller', () => {
    const view = parseRateLimitHeaders({ 'x-ratelimit-remaining-requests': '3' });
    expect(view.dialect).toBeNull();
    expect(view.hasRequestsTokensHeaders).toBe(true);
    expect(view.families).toEqual([]);
  });

  it('Anthropic: RFC 3339 resets become waits when the answer time is known', () => {
    const answeredAt = Date.parse('2025-02-24T22:25:02Z');
    const headers = {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2025-02-24T22:25:03Z',
      'anthropic-ratelimit-input-tokens-limit': '80000',
      'anthropic-ratelimit-input-tokens-remaining': '78000',
      'anthropic-ratelimit-input-tokens-reset': '2025-02-24T22:25:32Z',
      'anthropic-ratelimit-output-tokens-remaining': '16000',
      'anthropic-ratelimit-tokens-remaining': '94000',
      'anthropic-ratelimit-tokens-limit': '96000',
      'anthropic-ratelimit-tokens-reset': '2025-02-24T22:25:32Z',
      'retry-after': '30',
    };
    const view = parseRateLimitHeaders(headers, answeredAt);
    expect(view).toMatchObject({
      remainingRequests: 49,
      limitRequests: 50,
      remainingTokens: 94_000,
      limitTokens: 96_000,
      remainingInputTokens: 78_000,
      remainingOutputTokens: 16_000,
      resetRequestsMs: 1000,
      resetTokensMs: 30_000,
      resetTokensAtEpochMs: Date.parse('2025-02-24T22:25:32Z'),
      families: ['anthropic', 'retry-after'],
    });
    const withoutClock = parseRateLimitHeaders(headers);
    expect(withoutClock.resetTokensMs).toBeNull();
    expect(withoutClock.resetTokensAtEpochMs).toBe(Date.parse('2025-02-24T22:25:32Z'));
  });

  it('IETF draft-8 and later: RateLimit + RateLimit-Policy with names; the binding policy wins', () => {
    const view = parseRateLimitHeaders({
      ratelimit: '"burst";r=3;t=1, "default";r=50;t=30',
      'ratelimit-policy': '"burst";q=5;w=1, "default";q=100;w=60',
    });
    expect(view).toMatchObject({ remainingRequests: 3, limitRequests: 5, resetRequestsMs: 1000, policyWindowSeconds: 1, families: ['ietf'] });
    const single = parseRateLimitHeaders({ ratelimit: '"default";r=50;t=30', 'ratelimit-policy': '"default";q=100;w=60' });
    expect(single).toMatchObject({ remainingRequests: 50, limitRequests: 100, resetRequestsMs: 30_000, policyWindowSeconds: 60 });
  });

  it('IETF: express-rate-limit draft-7 combined form and draft-6 triple', () => {
    expect(parseRateLimitHeaders({ ratelimit: 'limit=100, remaining=50, reset=30', 'ratelimit-policy': '100;w=60' })).toMatchObject({
      remainingRequests: 50,
      limitRequests: 100,
      resetRequestsMs: 30_000,
      policyWindowSeconds: 60,
      families: ['ietf'],
    });
    expect(
      parseRateLimitHeaders({ 'ratelimit-policy': '100;w=60', 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '42' }),
    ).toMatchObject({ remainingRequests: 0, limitRequests: 100, resetRequestsMs: 42_000, policyWindowSeconds: 60 });
  });

  it('X-RateLimit-*: delta seconds or an epoch second', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '12' })).toMatchObject({
      limitRequests: 60,
      remainingRequests: 0,
      resetRequestsMs: 12_000,
      families: ['x-ratelimit'],
    });
    const answeredAt = 1_700_000_000_000;
    expect(parseRateLimitHeaders({ 'x-ratelimit-reset': '1700000030' }, answeredAt)).toMatchObject({
      resetRequestsMs: 30_000,
      resetRequestsAtEpochMs: 1_700_000_030_000,
    });
  });

  it('upper-case names are read too', () => {
    expect(parseRateLimitHeaders({ 'X-RateLimit-Remaining-Requests': '7', 'X-MS-Region': 'West Europe' })).toMatchObject({ remainingRequests: 7, region: 'West Europe' });
  });

  it('never throws on arbitrary header maps', () => {
    const names = fc.constantFrom(
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-tokens',
      'x-ratelimit-reset-requests',
      'retry-after',
      'retry-after-ms',
      'ratelimit',
      'ratelimit-policy',
      'ratelimit-reset',
      'x-ratelimit-reset',
      'anthropic-ratelimit-tokens-reset',
      'azure-openai-deployment-utilization',
      'x-request-id',
    );
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(names, fc.string()), fc.string()), fc.option(fc.integer(), { nil: null }), (headers, answeredAt) => {
        const view = parseRateLimitHeaders(headers, answeredAt);
        const numbers = [view.remainingRequests, view.remainingTokens, view.limitRequests, view.limitTokens, view.resetRequestsMs, view.resetTokensMs, view.retryAfterMs];
        return numbers.every((value) => value === null || (Number.isFinite(value) && value >= 0));
      }),
    );
  });

  it('round-trips valid values', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), fc.nat(100_000), (requests, tokens, seconds) => {
        const view = parseRateLimitHeaders({
          'x-ratelimit-remaining-requests': String(requests),
          'x-ratelimit-remaining-tokens': String(tokens),
          'x-ratelimit-reset-tokens': String(seconds),
          'retry-after': String(seconds),
        });
        return view.remainingRequests === requests && view.remainingTokens === tokens && view.resetTokensMs === seconds * 1000 && view.retryAfterMs === seconds * 1000;
      }),
    );
  });
});
