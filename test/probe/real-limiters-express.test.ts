/**
 * The probe in real time against real limiters it is told nothing about, each
 * started by the test on a loopback port. Each case checks the accuracy goal of
 * docs/probe.md and that the recording FILE, analysed as `aoai-probe report` does, gives
 * the probe's own figures. Cases run one after another within a file; each is bounded
 * by the probe's 2-minute budget. The families are split over files
 * (real-limiters*.test.ts) so they run side by side in separate workers.
 *
 * This file: express-rate-limit (fixed window, IETF RateLimit headers).
 */
import { describe, it } from 'vitest';
import { startExpressRateLimit, type ExpressRateLimitOptions } from '../support/limiters/node-limiters.js';
import { CASE_TIMEOUT_MS, probeAndCheck } from './support/probe-and-check.js';

describe.sequential('express-rate-limit', () => {
  it.each<ExpressRateLimitOptions>([
    { limit: 10, windowMs: 5000, standardHeaders: 'draft-7' },
    { limit: 30, windowMs: 3000, standardHeaders: 'draft-8' },
  ])('limit $limit per $windowMs ms, $standardHeaders headers', (options) => probeAndCheck(() => startExpressRateLimit(options)), CASE_TIMEOUT_MS);
});
