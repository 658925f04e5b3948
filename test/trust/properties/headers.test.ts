/**
 * Property tests for what servers send back (docs/summary.md): the rate-limit header
 * families, retry hints (seconds, milliseconds, HTTP dates, `-1`) and refusal
 * classification never throw on anything a server could send, and read valid values
 * back exactly. A `Retry-After` HTTP date counts from the server's own `date` header
 * when the recording has it (kept next to every retry-after), so our clock's skew
 * does not change the wait.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCountValue, parseHttpDate, parseRateLimitHeaders, parseResetValue, parseRetryAfter } from '../../../src/analysis/headers.js';
import { parseGoDuration } from '../../../src/analysis/go-duration.js';
import { parseWaitFromMessage, readRefusal } from '../../../src/analysis/refusal-class.js';
import { analyseLines } from '../../../src/analysis/summarise.js';
import { formatGoDuration } from '../../../src/sim/units.js';
import { isRecordedHeader, keepsServerDate } from '../../../src/record/header-names.js';
import type { RecordLine, RequestLine } from '../../../src/record/types.js';

/** Every header name the analysis reads, plus look-alikes. */
const HEADER_NAMES = [
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'x-rate-limit-reset-tokens',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
  'date',
  'ratelimit',
  'ratelimit-policy',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'anthropic-ratelimit-requests-remaining',
  'anthropic-ratelimit-requests-reset',
  'anthropic-ratelimit-tokens-reset',
  'anthropic-ratelimit-input-tokens-remaining',
  'azure-openai-deployment-utilization',
  'policy-id',
  'x-ms-region',
  'x-request-id',
  'X-RateLimit-Remaining-Requests',
  'Retry-After',
];

/** Values a server might send: numbers of every shape, dates, durations, structured fields, junk. */
const headerValue = fc.oneof(
  fc.string(),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('-1', '-0', '0', '1e309', 'NaN', 'Infinity', ' 12 ', '1,2', '6m0s', '12ms', '1.5h', '89.3%', '2025-02-24T22:25:32Z', 'Wed, 21 Oct 2015 07:28:00 GMT', 'limit=10, remaining=0, reset=5', '"default";r=0;t=3', '100;w=60', 'x'.repeat(5000)),
  fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
);
const headerMaps = fc.dictionary(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string()), headerValue, { maxKeys: 12 });

/** Every number the view holds is null or finite and non-negative. */
function wellFormed(view: ReturnType<typeof parseRateLimitHeaders>): boolean {
  const numbers = [
    view.remainingRequests,
    view.remainingTokens,
    view.limitRequests,
    view.limitTokens,
    view.remainingInputTokens,
    view.remainingOutputTokens,
    view.resetRequestsMs,
    view.resetTokensMs,
    view.retryAfterMs,
    view.utilizationPercent,
    view.policyWindowSeconds,
  ];
  return numbers.every((value) => value === null || (Number.isFinite(value) && value >= 0));
}

describe('rate-limit headers from any server', () => {
  it('never throw and give only null or finite, non-negative numbers', () => {
    fc.assert(
      fc.property(headerMaps, fc.option(fc.integer({ min: -1e15, max: 1e15 }), { nil: null }), (headers, answeredAt) => wellFormed(parseRateLimitHeaders(headers, answeredAt))),
      { numRuns: 3000 },
    );
  });

  it('read -1 (and any negative) as unknown in every numeric header', () => {
    fc.assert(
      fc.property(fc.subarray(HEADER_NAMES.filter((name) => name !== 'date' && !name.startsWith('x-ms') && name !== 'policy-id' && name !== 'x-request-id'), { minLength: 1 }), fc.integer({ min: -1_000_000, max: -1 }), (names, negative) => {
        const view = parseRateLimitHeaders(Object.fromEntries(names.map((name) => [name, String(negative)])));
        return [view.remainingRequests, view.remainingTokens, view.limitRequests, view.limitTokens, view.resetRequestsMs, view.resetTokensMs, view.retryAfterMs].every((value) => value === null);
      }),
    );
    expect(parseCountValue('-1')).toBeNull();
    expect(parseRetryAfter('-1', Date.now())).toBeNull();
  });

  it('round-trip counts, second and Go-duration resets, and both millisecond retry headers', () => {
    fc.assert(
      fc.property(fc.nat(1e9), fc.nat(86_400), fc.nat(86_400_000), fc.nat(1e7), (count, seconds, durationMs, retryMs) => {
        const azure = parseRateLimitHeaders({ 'x-ratelimit-remaining-tokens': String(count), 'x-ratelimit-reset-tokens': String(seconds), 'retry-after-ms': String(retryMs), 'retry-after': '99' });
        const openai = parseRateLimitHeaders({ 'x-ratelimit-remaining-requests': String(count), 'x-ratelimit-reset-requests': formatGoDuration(durationMs), 'x-ms-retry-after-ms': String(retryMs) });
        return (
          azure.remainingTokens === count &&
          azure.resetTokensMs === seconds * 1000 &&
          azure.retryAfterMs === retryMs &&
          azure.retryAfterSource === 'retry-after-ms' &&
          openai.remainingRequests === count &&
          Math.abs(openai.resetRequestsMs! - durationMs) < 1e-6 &&
          openai.retryAfterMs === retryMs
        );
      }),
    );
  });

  it('Go durations as OpenAI (and the simulator) write them read back', () => {
    fc.assert(fc.property(fc.nat(500 * 3_600_000), (ms) => Math.abs(parseGoDuration(formatGoDuration(ms))! - ms) < 1e-6));
    fc.assert(fc.property(fc.string(), (text) => {
      const value = parseGoDuration(text);
      return value === null || (Number.isFinite(value) && value >= 0);
    }));
    fc.assert(fc.property(fc.string(), (text) => {
      const value = parseResetValue(text);
      return value === null || (Number.isFinite(value.ms) && value.ms >= 0);
    }));
  });
});

describe('Retry-After', () => {
  /** Whole seconds between 2001 and 2099: HTTP dates have one-second resolution. */
  const serverSecond = fc.integer({ min: 978_307_200, max: 4_070_908_800 });

  it('as seconds round-trips whatever the clock', () => {
    fc.assert(fc.property(fc.nat(10_000_000), fc.option(fc.integer(), { nil: null }), (seconds, now) => parseRetryAfter(String(seconds), now) === seconds * 1000));
  });

  it('as an HTTP date reads back to the second, in all three RFC 9110 forms', () => {
    fc.assert(
      fc.property(serverSecond, (second) => {
        const date = new Date(second * 1000);
        const imf = date.toUTCString();
        const [weekday, day, month, year, time] = imf.replace(',', '').split(' ') as [string, string, string, string, string];
        const rfc850 = `${weekday}, ${day}-${month}-${year.slice(2)} ${time} GMT`;
        const asctime = `${weekday} ${month} ${String(Number(day)).padStart(2, ' ')} ${time} ${year}`;
        // RFC 850's two-digit years: V8 reads 50-99 as 19xx, so only 2001-2049 are checked in that form.
        const rfc850Readable = Number(year) < 2050;
        return parseHttpDate(imf) === second * 1000 && parseHttpDate(asctime) === second * 1000 && (!rfc850Readable || parseHttpDate(rfc850) === second * 1000);
      }),
    );
  });

  it('as an HTTP date counts from the server\'s own date header: our clock\'s skew does not matter', () => {
    fc.assert(
      fc.property(serverSecond, fc.nat(86_400), fc.integer({ min: -7_200_000, max: 7_200_000 }), (second, waitSeconds, skewMs) => {
        const headers = { 'retry-after': new Date((second + waitSeconds) * 1000).toUTCString(), date: new Date(second * 1000).toUTCString() };
        const ourClock = second * 1000 + skewMs;
        const view = parseRateLimitHeaders(headers, ourClock);
        return view.retryAfterMs === waitSeconds * 1000 && view.retryAfterSource === 'retry-after';
      }),
    );
  });

  it('as an HTTP date without a server date counts from our clock, never below zero', () => {
    fc.assert(
      fc.property(serverSecond, fc.integer({ min: -86_400_000, max: 86_400_000 }), (second, offsetMs) => {
        const view = parseRateLimitHeaders({ 'retry-after': new Date(second * 1000).toUTCString() }, second * 1000 + offsetMs);
        return view.retryAfterMs === Math.max(0, -offsetMs);
      }),
    );
    expect(parseRateLimitHeaders({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }).retryAfterMs).toBeNull();
  });

  it('the recording keeps the server date exactly when a retry-after came with it', () => {
    expect(isRecordedHeader('date')).toBe(false);
    expect(keepsServerDate({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' })).toBe(true);
    expect(keepsServerDate({ 'retry-after-ms': '10' })).toBe(false);
  });
});

describe('refusal classification of any answer', () => {
  const errorFields = fc.option(
    fc.record({
      code: fc.option(fc.oneof(fc.string(), fc.constantFrom('429', 'insufficient_quota', 'server_is_overloaded', 'rate_limit_exceeded', 'tokens')), { nil: null }),
      message: fc.option(
        fc.oneof(
          fc.string({ maxLength: 3000 }),
          fc.constantFrom('Please retry after 86400 seconds.', 'Try again in 6m0s', 'Requests to the ChatCompletions_Create Operation have exceeded token rate limit', '<html><h1>429</h1></html>', 'retry after 1e400 seconds', 'try again in 99999999999999999999h'),
        ),
        { nil: null },
      ),
      type: fc.option(fc.string(), { nil: null }),
    }),
    { nil: null },
  );
  const status = fc.oneof(fc.constantFrom(429, 503, 200, 500, null), fc.integer({ min: 100, max: 599 }));
  const requestLine = fc.record({ status, headers: headerMaps, error: errorFields }).map(
    ({ status: code, headers, error }): RequestLine => ({
      type: 'request',
      seq: 0,
      phase: 'p',
      target: 'default',
      plannedMs: 0,
      sentMs: 0,
      firstByteMs: null,
      doneMs: 1,
      status: code,
      errorKind: null,
      headers,
      error,
      usage: null,
      estimatedTokens: 1,
      maxTokens: null,
      clientRequestId: 'x',
    }),
  );
  const CLASSES = ['requests', 'tokens', 'capacity', 'never', 'quota', 'gateway', 'unknown'];

  it('never throws; refusals (429, 503) get a known class and a finite, non-negative wait or none', () => {
    fc.assert(
      fc.property(requestLine, fc.option(fc.integer({ min: 0, max: 4e12 }), { nil: null }), (line, answeredAt) => {
        const reading = readRefusal(line, answeredAt);
        if (line.status !== 429 && line.status !== 503) return reading === null;
        return reading !== null && CLASSES.includes(reading.refusalClass) && (reading.retryAfterMs === null || (Number.isFinite(reading.retryAfterMs) && reading.retryAfterMs >= 0));
      }),
      { numRuns: 3000 },
    );
  });

  it('waits named in messages are never negative or non-finite', () => {
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (message) => {
      const wait = parseWaitFromMessage(`Please retry after ${message}`);
      return wait === null || (Number.isFinite(wait) && wait >= 0);
    }));
  });

  it('a whole recording of such answers analyses without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(requestLine, { maxLength: 40 }), async (requests) => {
        const run: RecordLine = {
          type: 'run',
          v: 1,
          tool: { name: 'aoai-probe', version: '0' },
          command: 'burst',
          startedAt: '2026-01-01T00:00:00.000Z',
          advertised: { tpm: null, rpm: null, source: 'none' },
          targets: [{ id: 'default', kind: 'azure', url: 'https://x', deployment: null }],
          payload: { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false },
        };
        const lines = [run, ...requests.map((line, seq) => ({ ...line, seq, sentMs: seq, doneMs: seq + 1 }))];
        const result = await analyseLines(lines);
        return result.summary.requests.sent === requests.length;
      }),
      { numRuns: 200 },
    );
  });
});
