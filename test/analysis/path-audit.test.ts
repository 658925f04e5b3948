/**
 * The path audit over a real run: matched pairs sent by the runner to a simulated
 * deployment directly and through the simulated gateway in front of it, which
 * strips `x-ratelimit-*` and `retry-after-ms`. The audit lists exactly the headers
 * the configuration removes, and the body shape of the gateway's own refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPaths } from '../../src/analysis/path-audit.js';
import type { RecordLine } from '../../src/record/types.js';
import { LiveCounters } from '../../src/run/live-counters.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';
import { runPlan } from '../../src/run/runner.js';
import { simulatorTarget } from '../../src/run/target.js';
import { createTransport } from '../../src/run/transport/transport.js';
import { planScenario } from '../../src/schedule/plan.js';
import { matchesAnyPattern, parseStripHeaders, startGatewaySimulator, type RunningGateway } from '../../src/sim/gateway/index.js';

describe('path audit: direct and through the gateway, in matched pairs', () => {
  let gateway: RunningGateway;
  let lines: RecordLine[];
  const strip = 'x-ratelimit-*,retry-after-ms';

  beforeAll(async () => {
    // One backend, so "direct" is the very deployment the gateway forwards to.
    gateway = await startGatewaySimulator({ backends: 'only:tpm=60000:region=East US', stripHeaders: parseStripHeaders(strip) });
    const clock = createRealClock();
    const payload = { kind: 'chat' as const, model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false };
    const transportFor = (endpoint: string) =>
      createTransport({ target: { ...simulatorTarget({ endpoint, deployment: 'gpt-4o', profile: 'azure-standard' }), auth: { apiKey: 'test-key' } }, payload, clock, timeoutMs: 10_000, connections: 20 });
    const direct = transportFor(gateway.backends.get('only')!.url);
    const via = transportFor(gateway.url);
    lines = [];
    try {
      // A burst of 40 over two targets in turn: 20 pairs leaving at one instant, each pair's two requests side by side.
      await runPlan(planScenario([{ kind: 'burst', name: 'pairs', size: 40, bursts: 1, gapMs: 0 }]), {
        clock,
        targets: [
          { id: 'direct', transport: direct },
          { id: 'via', transport: via },
        ],
        sink: new LiveCounters({ write: (line) => lines.push(line) }),
        maxInFlight: 40,
        graceMs: 10_000,
      });
    } finally {
      await direct.close();
      await via.close();
    }
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it('lists exactly the recorded headers the configuration removes, and none added', () => {
    const audit = auditPaths(lines);
    expect(audit.pairs).toBe(20);
    // What the gateway could have removed: headers of direct answers whose status the gateway path also answered with.
    const viaStatuses = new Set(lines.flatMap((line) => (line.type === 'request' && line.target === 'via' ? [line.status] : [])));
    const directNames = new Set(lines.flatMap((line) => (line.type === 'request' && line.target === 'direct' && viaStatuses.has(line.status) ? Object.keys(line.headers) : [])));
    const expected = [...directNames].filter((name) => matchesAnyPattern(name, parseStripHeaders(strip))).sort();
    expect(expected).toContain('x-ratelimit-remaining-requests');
    expect(audit.headers.removed).toEqual(expected);
    expect(audit.headers.added).toEqual([]);
    expect(audit.headers.renamed).toEqual([]);
  });

  it('sees the deployment refuse on both paths (the gateway only forwards), with wrapped Azure bodies on both', () => {
    const audit = auditPaths(lines);
    // 60,000 TPM → 360 RPM → a 1-s cap of 6 shared by both paths (the same deployment): most of the 40 are refused.
    expect((audit.direct.statuses['429'] ?? 0) + (audit.via.statuses['429'] ?? 0)).toBeGreaterThanOrEqual(20);
    expect(audit.via.bodies.flat).toBe(0);
    expect(audit.via.bodies.wrapped).toBe(audit.via.statuses['429'] ?? 0);
  });
});
