/** The --limiter SPEC syntax: every kind, every key, every error listed at once. */
import { describe, expect, it } from 'vitest';
import { SimulatorConfigError, parseLimiterSpec, resolveSimulatorSettings } from '../../src/sim/index.js';

function problemsOf(text: string): string[] {
  try {
    parseLimiterSpec(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SimulatorConfigError);
    return (error as SimulatorConfigError).problems;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('parseLimiterSpec', () => {
  it('reads every kind with its parameters', () => {
    expect(parseLimiterSpec('token-bucket:capacity=10,rate=5/s,penalty=true,headers=none,status=503')).toEqual({
      kind: 'token-bucket',
      capacity: 10,
      ratePerSecond: 5,
      penalty: true,
      headers: 'none',
      status: 503,
    });
    expect(parseLimiterSpec('fixed-window:limit=10,window=1s')).toEqual({ kind: 'fixed-window', limit: 10, windowMs: 1000 });
    expect(parseLimiterSpec('sliding-log:limit=20,window=10s,penalty')).toEqual({ kind: 'sliding-log', limit: 20, windowMs: 10_000, penalty: true });
    expect(parseLimiterSpec('sliding-counter: limit=20 , window=1m30s ,headers=ietf')).toEqual({
      kind: 'sliding-counter',
      limit: 20,
      windowMs: 90_000,
      headers: 'ietf',
    });
    expect(parseLimiterSpec('gcra:rate=300/m,burst=10')).toEqual({ kind: 'gcra', ratePerSecond: 5, burst: 10 });
    expect(parseLimiterSpec('gcra:rate=50/10s,burst=1,penalty=false')).toEqual({ kind: 'gcra', ratePerSecond: 5, burst: 1, penalty: false });
    expect(parseLimiterSpec('token-bucket:capacity=3,rate=0.5')).toMatchObject({ ratePerSecond: 0.5 });
    expect(parseLimiterSpec('concurrency:limit=4')).toEqual({ kind: 'concurrency', limit: 4 });
    expect(parseLimiterSpec('concurrency:limit=4,retry=500ms,headers=x-ratelimit')).toEqual({ kind: 'concurrency', limit: 4, retryAfterMs: 500, headers: 'x-ratelimit' });
  });

  it('names an unknown kind and lists the valid ones', () => {
    expect(problemsOf('leaky:rate=1/s')).toEqual([
      '--limiter: unknown limiter "leaky"; use one of token-bucket, fixed-window, sliding-log, sliding-counter, gcra, concurrency, restarting-window, whole-token-bucket, e.g. --limiter token-bucket:capacity=10,rate=5/s',
    ]);
  });

  it('reports every problem at once, with the valid keys and an example', () => {
    expect(problemsOf('token-bucket:cap=10,rate=fast,status=500,headers=all')).toEqual([
      '--limiter token-bucket: unknown key "cap"; valid keys: capacity, rate, headers, status, penalty (e.g. token-bucket:capacity=10,rate=5/s)',
      '--limiter token-bucket: "capacity" is required (e.g. token-bucket:capacity=10,rate=5/s)',
      '--limiter token-bucket: rate=fast is not a rate; write it like rate=5/s, rate=300/m or rate=50/10s',
      '--limiter token-bucket: headers=all is not a header style; use one of none, x-ratelimit, ietf, azure',
      '--limiter token-bucket: status=500 is not a refusal status; use 429 or 503',
    ]);
    expect(problemsOf('fixed-window:limit=0,window=soon')).toEqual([
      '--limiter fixed-window: limit=0 is not a positive number (e.g. limit=10)',
      '--limiter fixed-window: window=soon is not a duration; write it like window=500ms, window=10s or window=1m',
    ]);
    expect(problemsOf('gcra')).toHaveLength(2);
    expect(problemsOf('concurrency:limit=2,penalty=true')[0]).toContain('unknown key "penalty"; valid keys: limit, retry, headers, status');
    expect(problemsOf('sliding-log:limit=2,limit=3,window=1s')).toEqual(['--limiter sliding-log: "limit" is given twice; keep one']);
  });

  it('checks specs given as objects and reports them among the other settings', () => {
    expect(() => resolveSimulatorSettings({ limiter: { kind: 'token-bucket', capacity: -1, ratePerSecond: 1 }, tpm: 0 })).toThrow(SimulatorConfigError);
    try {
      resolveSimulatorSettings({ limiter: { kind: 'token-bucket', capacity: -1, ratePerSecond: 1 }, tpm: 0, faults: ['fire'], faultRate: 2 });
    } catch (error) {
      expect((error as SimulatorConfigError).problems).toEqual([
        'tpm must be a positive number, got 0',
        'faultRate must be between 0 and 1 (e.g. 0.05 for 5 %), got 2',
        'fault "fire" is unknown; use any of 500, 503, reset, capacity, slow-body, no-retry-after, minus-one-headers',
        'limiter token-bucket: capacity must be a positive number, got -1',
      ]);
    }
  });
});
