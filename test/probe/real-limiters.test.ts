/**
 * The probe in real time against real limiters it is told nothing about, each
 * started by the test on a loopback port. Each case checks the accuracy goal of
 * docs/probe.md and that the recording FILE, analysed as `aoai-probe report` does, gives
 * the probe's own figures. Cases run one after another within a file; each is bounded
 * by the probe's 2-minute budget. The families are split over files
 * (real-limiters*.test.ts) so they run side by side in separate workers.
 *
 * This file: nginx limit_req (burst + nodelay). A server that is not installed skips its
 * cases with the reason (CI installs nginx and HAProxy, see .ci/run).
 */
import { describe, it } from 'vitest';
import { nginxPath, startNginx, type NginxLimitOptions } from '../support/limiters/nginx.js';
import { CASE_TIMEOUT_MS, probeAndCheck } from './support/probe-and-check.js';

const nginxMissing = nginxPath() === null;

describe.skipIf(nginxMissing)(`nginx limit_req${nginxMissing ? ' (skipped: nginx is not installed; apt-get install nginx)' : ''}`, () => {
  it.each<[string, NginxLimitOptions]>([
    ['10r/s burst=5 nodelay (503)', { rate: 10, burst: 5 }],
    ['90r/m burst=12 nodelay (429)', { rate: 90, perMinute: true, burst: 12, status: 429 }],
  ])('%s', (_title, options) => probeAndCheck(() => startNginx(options)), CASE_TIMEOUT_MS);
});
