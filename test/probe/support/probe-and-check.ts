/**
 * One probe of one real limiter on loopback, checked against the accuracy goal of
 * docs/probe.md, its server stopped whatever happens. Shared by the real-limiter files
 * (test/probe/real-limiters*.test.ts): one file per limiter family, so the families run
 * side by side in separate workers while each file's cases run one after another.
 */
import { expect } from 'vitest';
import type { RunningLimiter } from '../../support/limiters/running-limiter.js';
import { probeRealLimiter } from './run-real.js';
import { traceRecording } from './trace.js';

/** Per case: the probe's 2-minute budget plus starting and stopping the server. */
export const CASE_TIMEOUT_MS = 150_000;

/** Starts the limiter, probes it, checks the goal and that the recording gives the same figures. */
export async function probeAndCheck(start: () => Promise<RunningLimiter>): Promise<void> {
  const limiter = await start();
  try {
    const result = await probeRealLimiter(limiter);
    const context = `${limiter.name}: found ${JSON.stringify(result.summary.effective.requests)}, truth ${JSON.stringify(limiter.truth)}\n${traceRecording(result.lines)}`;
    expect(result.reproduction, context).toEqual([]);
    expect(result.problems, context).toEqual([]);
    expect(result.sent, context).toBeLessThanOrEqual(400);
    expect(result.seconds, context).toBeLessThanOrEqual(125);
  } finally {
    await limiter.stop();
  }
}
