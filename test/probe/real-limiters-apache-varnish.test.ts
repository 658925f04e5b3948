/**
 * The probe in real time against real limiters it is told nothing about, each
 * started by the test on a loopback port. Each case checks the accuracy goal of
 * docs/probe.md and that the recording FILE, analysed as `aoai-probe report` does, gives
 * the probe's own figures. Cases run one after another within a file; each is bounded
 * by the probe's 2-minute budget. The families are split over files
 * (real-limiters*.test.ts) so they run side by side in separate workers.
 *
 * This file: Apache httpd's mod_qos (a per-client event count whose window starts at
 * the first request, refused requests counted) and Varnish's vsthrottle (a token bucket
 * that refills in whole tokens from the last admission, dropping the fraction every
 * time). Both are installed by .ci/run; when one is missing its start function throws
 * the message that says so, and the case fails.
 */
import { describe, it } from 'vitest';
import { startModQos, type ModQosOptions } from '../support/limiters/apache.js';
import { startVarnishThrottle, type VarnishThrottleOptions } from '../support/limiters/varnish.js';
import { CASE_TIMEOUT_MS, probeAndCheck } from './support/probe-and-check.js';

describe.sequential('Apache mod_qos', () => {
  it.each<[string, ModQosOptions]>([
    ['QS_ClientEventLimitCount 9 3 (503)', { limit: 9, seconds: 3, status: 503 }],
  ])('%s', (_title, options) => probeAndCheck(() => startModQos(options)), CASE_TIMEOUT_MS);
});

describe.sequential('Varnish vsthrottle', () => {
  it.each<[string, VarnishThrottleOptions]>([
    ['10 per 2 s', { limit: 10, periodSeconds: 2 }],
  ])('%s', (_title, options) => probeAndCheck(() => startVarnishThrottle(options)), CASE_TIMEOUT_MS);
});
