/**
 * The probe in real time against real limiters it is told nothing about, each
 * started by the test on a loopback port. Each case checks the accuracy goal of
 * docs/probe.md and that the recording FILE, analysed as `aoai-probe report` does, gives
 * the probe's own figures. Cases run one after another within a file; each is bounded
 * by the probe's 2-minute budget. The families are split over files
 * (real-limiters*.test.ts) so they run side by side in separate workers.
 *
 * This file: HAProxy's stick-table request rate (refused requests counted). When HAProxy
 * is not installed its cases are skipped with the reason (CI installs it, see .ci/run).
 */
import { describe, it } from 'vitest';
import { haproxyPath, startHaproxy, type HaproxyLimitOptions } from '../support/limiters/haproxy.js';
import { CASE_TIMEOUT_MS, probeAndCheck } from './support/probe-and-check.js';

const haproxyMissing = haproxyPath() === null;

describe.skipIf(haproxyMissing)(`HAProxy stick-table request rate${haproxyMissing ? ' (skipped: HAProxy is not installed; apt-get install haproxy)' : ''}`, () => {
  it.each<HaproxyLimitOptions>([
    { limit: 20, periodSeconds: 10 },
    { limit: 8, periodSeconds: 2 },
  ])('deny above $limit per $periodSeconds s', (options) => probeAndCheck(() => startHaproxy(options)), CASE_TIMEOUT_MS);
});
