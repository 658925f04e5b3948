/**
 * The herd, measured: on the simulator's Azure profiles, callers refused together that
 * retry at once (`immediate`) or after the same un-jittered wait (`exponential`) come
 * back together, so their retries peak higher within 100 ms and more of them are refused
 * per caller served than under `header-jitter`. A property of the run, with a margin;
 * real time, kept short (20 callers, give up after 10 s).
 */
import { describe, expect, it } from 'vitest';
import type { RetryPolicyFigures } from '../../src/analysis/retry/types.js';
import { runLab } from './lab-harness.js';

/** How much worse the herding policies must be: a clear effect, not noise. */
const HERD_MARGIN = 1.5;
const REFUSED_MARGIN = 1.2;

function refusedPerDone(figures: RetryPolicyFigures): number {
  return figures.callers.done === 0 ? Number.POSITIVE_INFINITY : figures.attempts.refused / figures.callers.done;
}

describe.each(['azure-seed', 'azure-standard'] as const)('the herd on %s', (profile) => {
  it('immediate and exponential herd and waste more refusals than header-jitter', async () => {
    const { result } = await runLab({ simulator: { profile }, policies: ['immediate', 'exponential', 'header-jitter'], callers: 20, giveUpAfterMs: 10_000 });
    const retry = result.summary.retry!;
    const byName = new Map(retry.policies.map((figures) => [figures.name, figures]));
    const jittered = byName.get('header-jitter')!;
    expect(jittered.callers.total).toBe(20);
    expect(jittered.callers.done).toBe(20);
    for (const name of ['immediate', 'exponential']) {
      const herding = byName.get(name)!;
      expect(herding.callers.total).toBe(20);
      expect(herding.herdPeak, `${name} herd peak vs header-jitter's ${jittered.herdPeak}`).toBeGreaterThanOrEqual(jittered.herdPeak * HERD_MARGIN);
      expect(refusedPerDone(herding), `${name} refused per done vs header-jitter's ${refusedPerDone(jittered)}`).toBeGreaterThanOrEqual(refusedPerDone(jittered) * REFUSED_MARGIN);
    }
    expect(retry.best).toBe('header-jitter');
  }, 60_000);
});
