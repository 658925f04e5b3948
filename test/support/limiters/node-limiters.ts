/**
 * express-rate-limit, rate-limiter-flexible and @fastify/rate-limit as real limiters for the probe,
 * each served by node-limiter-server.mjs in its own process.
 *
 * Truths:
 * - express-rate-limit (memory store): a fixed window that starts at a client's
 *   first hit and lasts windowMs; `limit` per window; refused hits are counted but
 *   the window's end does not move. Burst = limit, rate = limit / window, recovery =
 *   window.
 * - rate-limiter-flexible RateLimiterMemory: the same anchored fixed window of
 *   `points` per `duration`; with blockDuration, the first refusal of a window
 *   blocks the client for blockDuration from that moment (recovery = block).
 * - @fastify/rate-limit (local store): the same anchored window of `max` per
 *   timeWindow. With continueExceeding, every request over the limit restarts the
 *   window from that moment: a window every refusal restarts, so the client gets in
 *   again only after a whole window of silence (recovery = window).
 */
import { fileURLToPath } from 'node:url';
import { freePort, startChildServer } from './child-server.js';
import type { RunningLimiter } from './running-limiter.js';
import { COMPOUND_GOAL } from '../../probe/support/cases.js';

const SCRIPT = fileURLToPath(new URL('./node-limiter-server.mjs', import.meta.url));

/** Settings of an express-rate-limit server. */
export interface ExpressRateLimitOptions {
  limit: number;
  windowMs: number;
  standardHeaders: 'draft-6' | 'draft-7' | 'draft-8';
}

/** Starts express with express-rate-limit in front of a 200 answer. */
export async function startExpressRateLimit(options: ExpressRateLimitOptions): Promise<RunningLimiter> {
  const port = await freePort();
  const server = await startChildServer(process.execPath, [SCRIPT, String(port), JSON.stringify({ kind: 'express-rate-limit', ...options })], port);
  const windowSeconds = options.windowMs / 1000;
  return {
    name: `express-rate-limit limit=${options.limit} windowMs=${options.windowMs} (${options.standardHeaders} headers)`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: options.limit, perSecond: options.limit / windowSeconds, windowSeconds, shape: 'fixed-window' },
    stop: () => server.stop(),
  };
}

/** Settings of a rate-limiter-flexible server. */
export interface RateLimiterFlexibleOptions {
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

/** Starts a node server limited by rate-limiter-flexible's RateLimiterMemory. */
export async function startRateLimiterFlexible(options: RateLimiterFlexibleOptions): Promise<RunningLimiter> {
  const port = await freePort();
  const settings = { kind: 'rate-limiter-flexible', points: options.points, duration: options.durationSeconds, blockDuration: options.blockSeconds ?? 0 };
  const server = await startChildServer(process.execPath, [SCRIPT, String(port), JSON.stringify(settings)], port);
  const block = options.blockSeconds ?? 0;
  return {
    name: `rate-limiter-flexible RateLimiterMemory points=${options.points} duration=${options.durationSeconds}s${block > 0 ? ` blockDuration=${block}s` : ''}`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: {
      burst: options.points,
      perSecond: options.points / options.durationSeconds,
      windowSeconds: block > 0 ? block : options.durationSeconds,
      shape: 'fixed-window',
    },
    stop: () => server.stop(),
  };
}

/** Settings of a @fastify/rate-limit server. */
export interface FastifyRateLimitOptions {
  max: number;
  timeWindowMs: number;
  continueExceeding?: boolean;
}

/** Starts fastify with @fastify/rate-limit (local store) in front of a 200 answer. */
export async function startFastifyRateLimit(options: FastifyRateLimitOptions): Promise<RunningLimiter> {
  const port = await freePort();
  const settings = { kind: 'fastify-rate-limit', max: options.max, timeWindow: options.timeWindowMs, continueExceeding: options.continueExceeding ?? false };
  const server = await startChildServer(process.execPath, [SCRIPT, String(port), JSON.stringify(settings)], port);
  const windowSeconds = options.timeWindowMs / 1000;
  return {
    name: `@fastify/rate-limit max=${options.max} timeWindow=${options.timeWindowMs}${options.continueExceeding ? ' continueExceeding (every refusal restarts the window)' : ''}`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: options.max, perSecond: options.max / windowSeconds, windowSeconds, shape: 'fixed-window', ...(options.continueExceeding ? { goal: COMPOUND_GOAL } : {}) },
    stop: () => server.stop(),
  };
}
