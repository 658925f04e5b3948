/** Every example in scenarios/ must validate: people copy them. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/parse.js';
import { planScenario } from '../../src/schedule/plan.js';

const folder = join(import.meta.dirname, '../../scenarios');
const files = readdirSync(folder).filter((file) => /\.(ya?ml|json)$/.test(file));

describe('scenarios/', () => {
  it('holds the documented examples', () => {
    expect(files).toEqual(
      expect.arrayContaining(['seed-burst.yaml', 'steady-advertised.yaml', 'ramp-to-first-429.yaml', 'token-window.yaml', 'ci-capacity-check.yaml']),
    );
  });

  it.each(files)('%s validates and plans a bounded run', async (file) => {
    const scenario = await loadScenario(join(folder, file));
    expect(scenario.name).toBe(file.replace(/\.(ya?ml|json)$/, ''));
    expect(scenario.description).toBeTruthy();
    expect(scenario.target?.url).toBeUndefined();
    expect(scenario.target?.endpoint).toBeUndefined();
    if (scenario.realtimePhases.length > 0) {
      // A realtime example: a few dozen sessions at most.
      const sessions = scenario.realtimePhases.reduce((sum, phase) => sum + (phase.kind === 'sessions' ? phase.count : phase.kind === 'session-ramp' ? phase.max : phase.sessions), 0);
      expect(sessions).toBeGreaterThan(0);
      expect(sessions).toBeLessThanOrEqual(50);
      return;
    }
    const plan = planScenario(scenario.phases);
    expect(plan.totalRequests).toBeGreaterThan(0);
    // Examples stay cheap: at most a few hundred requests and a minute.
    expect(plan.totalRequests).toBeLessThanOrEqual(500);
    expect(plan.totalMs).toBeLessThanOrEqual(60_000);
  });

  it('seed-burst is the §1 story: one burst of 20 against the azure-seed simulator', async () => {
    const scenario = await loadScenario(join(folder, 'seed-burst.yaml'));
    expect(scenario.target).toEqual({ simulator: 'azure-seed' });
    expect(scenario.advertised).toEqual({ tpm: 50000, rpm: null, rpmPer1kTpm: 6 });
    expect(scenario.phases).toEqual([{ kind: 'burst', name: 'seed', size: 20, bursts: 1, gapMs: 0 }]);
  });

  it('ci-capacity-check carries its expectations as written', async () => {
    const scenario = await loadScenario(join(folder, 'ci-capacity-check.yaml'));
    expect(scenario.expect).toEqual(['throttled.ratio < 0.01', 'requests.failed == 0', 'requests.dropped == 0', 'latency.p95 < 2s']);
    expect(scenario.maxInFlight).toBe(20);
  });

  it('token-window overrides max_tokens in its last phase only', async () => {
    const scenario = await loadScenario(join(folder, 'token-window.yaml'));
    expect(scenario.payload).toEqual({ promptTokens: 10, maxTokens: 4000 });
    expect(scenario.phases.map((phase) => phase.payload)).toEqual([undefined, undefined, { maxTokens: 10 }]);
  });
});
