/**
 * The simulated gateway's policies on a fake clock, with scripted backend
 * answers: every pick, trip, retry and own answer asserted exactly.
 */
import { describe, expect, it } from 'vitest';
import {
  BackendPool,
  CircuitBreaker,
  Gateway,
  GatewayTokenLimit,
  matchesAnyPattern,
  parseBackends,
  parseBreaker,
  parseRetry,
  parseRenameHeaders,
  parseStripHeaders,
  parseTokenLimit,
  type BackendAnswer,
  type BackendSpec,
  type GatewayIo,
} from '../../../src/sim/gateway/index.js';
import { SimulatorConfigError } from '../../../src/sim/index.js';
import { FakeClock } from '../helpers.js';

/** A gateway I/O whose backends answer from per-backend scripts (the last entry repeats). */
function scriptedIo(clock: FakeClock, scripts: Record<string, BackendAnswer<string>[]>, callMs = 0): GatewayIo<string> & { calls: string[] } {
  const used = new Map<string, number>();
  const calls: string[] = [];
  return {
    calls,
    clock: clock.read,
    async forward(backend: BackendSpec) {
      calls.push(backend.name);
      const script = scripts[backend.name]!;
      const index = used.get(backend.name) ?? 0;
      used.set(backend.name, index + 1);
      clock.advance(callMs);
      return script[Math.min(index, script.length - 1)]!;
    },
    discard() {},
    async wait(ms: number) {
      clock.advance(ms);
    },
  };
}

const ok = (region: string): BackendAnswer<string> => ({ status: 200, headers: { 'x-ms-region': region, 'x-ratelimit-remaining-requests': '9' }, body: '{}' });
const refused = (seconds: number): BackendAnswer<string> => ({ status: 429, headers: { 'retry-after': String(seconds) }, body: '{"error":{"code":"429"}}' });

describe('backend pool', () => {
  const backends = parseBackends('a:tpm=1000,b:tpm=1000:priority=2:weight=2,c:tpm=1000:priority=2');

  it('priority routing uses the best priority available, and weights within it', () => {
    const pool = new BackendPool(backends, 'priority');
    expect([1, 2, 3].map(() => pool.pick(() => true)!.name)).toEqual(['a', 'a', 'a']);
    const withoutA = (backend: BackendSpec): boolean => backend.name !== 'a';
    expect([1, 2, 3, 4, 5, 6].map(() => pool.pick(withoutA)!.name)).toEqual(['b', 'c', 'b', 'b', 'c', 'b']);
    expect(pool.pick(() => false)).toBeUndefined();
  });

  it('weighted routing ignores priority; round-robin ignores weight too', () => {
    const weighted = new BackendPool(backends, 'weighted');
    expect([1, 2, 3, 4].map(() => weighted.pick(() => true)!.name)).toEqual(['b', 'a', 'c', 'b']);
    const roundRobin = new BackendPool(backends, 'round-robin');
    expect([1, 2, 3, 4].map(() => roundRobin.pick(() => true)!.name)).toEqual(['a', 'b', 'c', 'a']);
    expect([1, 2].map(() => roundRobin.pick((backend) => backend.name !== 'c')!.name)).toEqual(['b', 'a']);
  });
});

describe('circuit breaker', () => {
  it('trips after count failures within the interval, for Retry-After when accepted', () => {
    const breaker = new CircuitBreaker(parseBreaker('count=2,interval=10s,trip=1m,accept-retry-after'));
    expect(breaker.record(0, 429, 5000)).toBe(false);
    expect(breaker.record(10_000, 429, 5000)).toBe(false); // the first failure left the interval
    expect(breaker.record(12_000, 429, 5000)).toBe(true);
    expect(breaker.isOpen(16_999)).toBe(true);
    expect(breaker.isOpen(17_000)).toBe(false);
    expect(breaker.record(20_000, 200, undefined)).toBe(false);
  });

  it('trips for the trip duration without accept-retry-after or without a hint', () => {
    const breaker = new CircuitBreaker(parseBreaker('count=1,trip=30s'));
    expect(breaker.record(1000, 429, 2000)).toBe(true);
    expect(breaker.closesAtMs).toBe(31_000);
    const accepting = new CircuitBreaker(parseBreaker('accept-retry-after'));
    accepting.record(0, 429, undefined);
    expect(accepting.closesAtMs).toBe(60_000);
    expect(accepting.record(0, 500, undefined)).toBe(false);
  });
});

describe('gateway', () => {
  it('fails over on a 429: trips the primary for its Retry-After and answers from the next priority', async () => {
    const clock = new FakeClock();
    const gateway = new Gateway({
      backends: parseBackends('a:tpm=1000:region=East US,b:tpm=1000:priority=2:region=West US,c:tpm=1000:priority=2:region=Sweden Central'),
      routing: 'priority',
      breaker: parseBreaker('count=1,interval=1m,trip=1m,accept-retry-after'),
      retry: parseRetry('count=2,interval=0,first-fast-retry'),
      tokenLimit: undefined,
      stripHeaders: [],
      renameHeaders: [],
    });
    const io = scriptedIo(clock, { a: [ok('East US'), refused(10), ok('East US')], b: [ok('West US')], c: [ok('Sweden Central')] }, 5);
    const request = { counterKey: 'k', estimatedTokens: 10 };

    const first = await gateway.serve(request, io);
    expect([first.status, first.backend]).toEqual([200, 'a']);
    const second = await gateway.serve(request, io);
    expect(second.attempts.map((attempt) => [attempt.backend, attempt.status, attempt.tripped])).toEqual([
      ['a', 429, true],
      ['b', 200, false],
    ]);
    expect(second.headers['x-ms-region']).toBe('West US');
    expect(gateway.isTripped('a', clock.nowMs)).toBe(true);
    const third = await gateway.serve(request, io);
    expect(third.backend).toBe('c');
    clock.nowMs = 10_010; // a tripped at 10 ms for 10 s
    const fourth = await gateway.serve(request, io);
    expect(fourth.backend).toBe('a');
    expect(io.calls).toEqual(['a', 'a', 'b', 'c', 'a']);
  });

  it('answers 503 in its own shape once every breaker is open, and passes a 429 on when retries run out', async () => {
    const clock = new FakeClock();
    const spec = {
      backends: parseBackends('a:tpm=1000,b:tpm=1000'),
      routing: 'round-robin' as const,
      retry: parseRetry('count=1,interval=2s'),
      tokenLimit: undefined,
      stripHeaders: [],
      renameHeaders: [],
    };
    const withBreaker = new Gateway({ ...spec, breaker: parseBreaker('count=1,trip=1m') });
    const io = scriptedIo(clock, { a: [refused(3)], b: [refused(3)] });
    const both = await withBreaker.serve({ counterKey: '', estimatedTokens: 0 }, io);
    expect(both.attempts.map((attempt) => attempt.backend)).toEqual(['a', 'b']);
    expect(clock.nowMs).toBe(2000); // interval=2s and no first-fast-retry: the retry waited
    expect([both.status, both.ownAnswer]).toEqual([429, undefined]);
    const storm = await withBreaker.serve({ counterKey: '', estimatedTokens: 0 }, io);
    expect([storm.status, storm.ownAnswer, storm.attempts.length]).toEqual([503, 'breakers-open', 0]);
    expect(JSON.parse(storm.body as string)).toEqual({ statusCode: 503, message: 'Service Unavailable' });

    const noBreaker = new Gateway({ ...spec, breaker: undefined });
    const again = await noBreaker.serve({ counterKey: '', estimatedTokens: 0 }, scriptedIo(clock, { a: [refused(3)], b: [ok('b')] }));
    expect(again.attempts.map((attempt) => `${attempt.backend} ${attempt.status}`)).toEqual(['a 429', 'b 200']);
  });

  it('strips the configured headers from backend answers and keeps its own', async () => {
    const clock = new FakeClock();
    const gateway = new Gateway({
      backends: parseBackends('a:tpm=1000'),
      routing: 'priority',
      breaker: undefined,
      retry: undefined,
      tokenLimit: parseTokenLimit('tpm=100,consumed-header=x-gateway-consumed-tokens'),
      stripHeaders: parseStripHeaders('x-ratelimit-*,retry-after-ms'),
      renameHeaders: [],
    });
    const answer = await gateway.serve(
      { counterKey: 'k', estimatedTokens: 40 },
      scriptedIo(clock, { a: [{ status: 200, headers: { 'x-ratelimit-remaining-tokens': '5', 'retry-after-ms': '1', 'x-ms-region': 'r' }, body: '' }] }),
    );
    expect(answer.headers).toEqual({ 'x-ms-region': 'r', 'x-gateway-consumed-tokens': '40' });
  });

  it('renames the configured headers (the value under the new name, the old name gone), even inside a stripped family', async () => {
    const clock = new FakeClock();
    const gateway = new Gateway({
      backends: parseBackends('a:tpm=1000'),
      routing: 'priority',
      breaker: undefined,
      retry: undefined,
      tokenLimit: undefined,
      stripHeaders: parseStripHeaders('x-ratelimit-limit-*'),
      renameHeaders: parseRenameHeaders('x-ratelimit-remaining-tokens=x-gateway-remaining-tokens,x-ms-region=x-backend-region'),
    });
    const backendHeaders = {
      'x-ratelimit-remaining-tokens': '950',
      'x-ratelimit-remaining-requests': '5',
      'x-ratelimit-limit-tokens': '1000',
      'x-gateway-remaining-tokens': 'stale',
      'x-ms-region': 'East US',
    };
    const answer = await gateway.serve({ counterKey: 'k', estimatedTokens: 0 }, scriptedIo(clock, { a: [{ status: 200, headers: backendHeaders, body: '' }] }));
    expect(answer.headers).toEqual({ 'x-gateway-remaining-tokens': '950', 'x-ratelimit-remaining-requests': '5', 'x-backend-region': 'East US' });
  });
});

describe('gateway token limit', () => {
  it('refuses with APIM 429 past tokens per minute, per key, and 403 once the quota is spent', () => {
    const limit = new GatewayTokenLimit(parseTokenLimit('tpm=100,key=subscription,quota=150,quota-period=hourly,remaining-header=x-remaining-tokens'));
    expect(limit.admit(0, 'one', 60)).toEqual({ admitted: true, headers: { 'x-remaining-tokens': '40' } });
    const refused = limit.admit(1000, 'one', 60);
    expect(refused).toMatchObject({ admitted: false, status: 429, headers: { 'retry-after': '59', 'x-remaining-tokens': '40' } });
    expect(JSON.parse((refused as { body: string }).body)).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 59 seconds.' });
    expect(limit.admit(1000, 'two', 60).admitted).toBe(true);
    expect(limit.admit(60_000, 'one', 60).admitted).toBe(true);
    const quota = limit.admit(120_000, 'one', 60);
    expect(quota).toMatchObject({ admitted: false, status: 403 });
    expect(JSON.parse((quota as { body: string }).body).message).toBe('Out of token quota. Quota will be replenished in 00:58:00.');
  });
});

describe('gateway settings', () => {
  it('reads backends with every field and reports every problem at once', () => {
    expect(parseBackends('eu:tpm=8000:rpm=48:region=West Europe:priority=2:weight=50:latency=20ms')).toEqual([
      { name: 'eu', tpm: 8000, rpm: 48, region: 'West Europe', priority: 2, weight: 50, latencyMs: 20 },
    ]);
    let error: unknown;
    try {
      parseBackends('a:tpm=x,b:colour=red,a:tpm=1');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SimulatorConfigError);
    expect((error as SimulatorConfigError).problems).toEqual([
      '--backends: backend a: tpm="x" is not a positive number; e.g. tpm=10000',
      '--backends: backend a has no tpm; e.g. a:tpm=10000',
      '--backends: backend b: "colour" is not a backend setting; use tpm, rpm, region, priority, weight, latency',
      '--backends: backend b has no tpm; e.g. b:tpm=10000',
      '--backends: backend a is named twice; give each backend its own name',
    ]);
  });

  it('reads header renames as FROM=TO pairs and names every bad one', () => {
    expect(parseRenameHeaders('X-RateLimit-Remaining-Tokens=x-left')).toEqual([{ from: 'x-ratelimit-remaining-tokens', to: 'x-left' }]);
    let error: unknown;
    try {
      parseRenameHeaders('a=a,b,c=d,c=e,f=d');
    } catch (caught) {
      error = caught;
    }
    expect((error as SimulatorConfigError).problems).toEqual([
      '--rename-headers: "a=a" renames a to itself; name another header after =',
      '--rename-headers: "b" is not FROM=TO with two header names (letters, digits, -); e.g. --rename-headers x-ratelimit-remaining-tokens=x-gateway-remaining-tokens',
      '--rename-headers: c is renamed twice; give it one new name',
      '--rename-headers: two headers are renamed to d; give each its own name',
    ]);
  });

  it('matches header patterns with *', () => {
    expect(matchesAnyPattern('x-ratelimit-remaining-tokens', ['x-ratelimit-*'])).toBe(true);
    expect(matchesAnyPattern('retry-after', ['retry-after-ms'])).toBe(false);
    expect(() => parseRetry('count=99')).toThrow(/from 1 to 50/);
  });
});
