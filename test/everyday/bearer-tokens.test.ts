/**
 * The refreshing bearer token on a fake clock (vitest's fake timers drive both the
 * timer and the wall clock): when it refreshes, that a failed refresh keeps the
 * current token and is retried, and that close() stops it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshingBearerToken, type AccessTokenLike } from '../../src/run/bearer-tokens.js';

const HOUR_MS = 60 * 60_000;

describe('RefreshingBearerToken', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A credential handing out token-1, token-2… each living `lifetimeMs`; the calls numbered in `failAt` fail. */
  function credential(lifetimeMs: number, failAt: ReadonlySet<number> = new Set()) {
    let calls = 0;
    const getToken = vi.fn(async (): Promise<AccessTokenLike> => {
      calls++;
      if (failAt.has(calls)) throw new Error('the sign-in service is down');
      return { token: `token-${calls}`, expiresOnTimestamp: Date.now() + lifetimeMs };
    });
    return getToken;
  }

  it('refreshes an hour-long token halfway through its life, in the background', async () => {
    const getToken = credential(HOUR_MS);
    const source = new RefreshingBearerToken({ getToken });
    await source.start();
    expect(source.current()).toBe('token-1');
    await vi.advanceTimersByTimeAsync(HOUR_MS / 2 - 1000);
    expect(source.current()).toBe('token-1');
    await vi.advanceTimersByTimeAsync(2000);
    expect(source.current()).toBe('token-2');
    expect(getToken).toHaveBeenCalledTimes(2);
    source.close();
  });

  it('refreshes a short-lived token before it expires', async () => {
    const source = new RefreshingBearerToken({ getToken: credential(4000) });
    await source.start();
    await vi.advanceTimersByTimeAsync(2100);
    expect(source.current()).toBe('token-2');
    source.close();
  });

  it('keeps the current token when a refresh fails, says so, and tries again', async () => {
    const errors: unknown[] = [];
    const getToken = credential(HOUR_MS, new Set([2]));
    const source = new RefreshingBearerToken({ getToken, onRefreshError: (error) => errors.push(error) });
    await source.start();
    await vi.advanceTimersByTimeAsync(HOUR_MS / 2 + 10);
    expect(errors).toHaveLength(1);
    expect(source.current()).toBe('token-1');
    await vi.advanceTimersByTimeAsync(5000);
    expect(source.current()).toBe('token-3');
    source.close();
  });

  it('stops refreshing once closed, and refuses to start without a token', async () => {
    const getToken = credential(4000);
    const source = new RefreshingBearerToken({ getToken });
    await source.start();
    source.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(getToken).toHaveBeenCalledTimes(1);
    await expect(new RefreshingBearerToken({ getToken: async () => null }).start()).rejects.toThrow('no token');
  });
});
