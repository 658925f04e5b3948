// Self-tests of RESULTS.md generation: `node --test bench/test/`.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { renderResults } from '../lib/results.js';

const run = {
  startedAt: '2026-01-01T00:00:00.000Z',
  wallSeconds: 300,
  quick: false,
  only: null,
  machine: {
    cpuModel: 'Test CPU', cores: 2, memoryGb: 4, kernel: '6.0', os: 'Test OS', node: 'v20.0.0', undici: '7.30.2',
    autocannon: '9.0.0', nginx: 'nginx/1.22.1', tcpdump: 'tcpdump 4.99', pinned: true, loadAverageAtStart: [0.1, 0.2, 0.3],
  },
  aoai: { commands: { burst: true, steady: true, report: true, sim: true }, unavailable: null, buildWarnings: null },
};

function burstClient(spreads) {
  const sorted = [...spreads].sort((a, b) => a - b);
  return {
    trials: spreads.map((spreadMs) => ({ spreadMs, nginxSpreadMs: Math.round(spreadMs), requests: 100, connections: 100 })),
    spread: { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), n: spreads.length },
    ownSendSpreadMs: [],
  };
}

const benchDir = mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));

test('the goals table says met or not met, and by how much, from the measured values', () => {
  const results = {
    burst: { sizes: { 100: { 'aoai-probe': burstClient([2.0, 2.2, 2.4]), undici: burstClient([5, 6, 7]) }, 500: { 'aoai-probe': burstClient([14, 15, 16]), undici: burstClient([20, 30, 40]), 'raw sockets': burstClient([7, 8, 9]) } } },
    throughput: { inFlight: 50, durationS: 10, clients: { 'aoai-probe': { rate: 20_000, steps: [], confirmed: null, saturation: { rate: 40_000, sentRate: 30_000, dropped: 5 } }, undici: { rate: 25_000 }, autocannon: { rate: 40_000 } } },
  };
  const markdown = renderResults({ run, results, benchDir });
  const row = (label) => markdown.split('\n').find((line) => line.startsWith(`| ${label}`));
  assert.match(row('burst 100'), /≤ 6\.0 ms \(plain undici: 6\.0; 1\.5× floor: not measured\) \| 2\.20 ms .*\*\*met\*\*/);
  // The tighter of the two bounds: 1.5 × the floor's 8 ms, not undici's 30 ms.
  assert.match(row('burst 500'), /≤ 12\.0 ms .*\*\*not met\*\*: 3\.00 ms over \(125 % of goal\)/);
  assert.match(row('max rate'), /30,000\/s sent and recorded; without drops: 20,000\/s \| \*\*not met\*\*: 10,000 \/s under \(75 % of goal\)/);
  assert.match(row('report'), /not measured/);
  assert.match(markdown, /Not measured in this run/);
});

test('a failed measurement is shown as failed, not as a number', () => {
  const results = { burst: { sizes: { 100: { 'aoai-probe': { error: 'boom' } }, 500: {} } } };
  const markdown = renderResults({ run, results, benchDir });
  assert.match(markdown, /\| aoai-probe \| failed: boom/);
    assert.match(markdown.split('\n').find((line) => line.startsWith('| burst 100')), /\| failed \| not measured \|/);
});

test('a partial run is labelled as such', () => {
  const markdown = renderResults({ run: { ...run, quick: true }, results: {}, benchDir });
  assert.match(markdown, /Partial run/);
});

test('the steady goal row gives the default and the lean transport their own verdicts', () => {
  const steadyRun = (gapP99Ms, achievedRate) => ({ requests: 5000, achievedRate, gapP50Ms: 1, gapP99Ms, gapMaxMs: 3, shortGapShare: 0, gridDeviationP99Ms: 0.2 });
  const results = {
    steady: {
      rate: 1000,
      durationS: 5,
      clients: {
        'aoai-probe': { runs: [steadyRun(1.1, 1000.1), steadyRun(1.15, 1000.0)] },
        'aoai-probe --transport lean': { runs: [steadyRun(1.5, 1000.0), steadyRun(1.4, 1000.0)] },
      },
    },
  };
  const markdown = renderResults({ run, results, benchDir });
  const row = markdown.split('\n').find((line) => line.startsWith('| 1000/s'));
  assert.match(row, /gap p99 1\.10 \/ 1\.15 ms; rate 1,000\.1 \/ 1,000\.0\/s; max gap 3\.0 ms; `--transport lean`: gap p99 1\.50 \/ 1\.40 ms/);
  assert.match(row, /default: gap: \*\*met\*\*; rate: \*\*met\*\*; `--transport lean`: gap: \*\*not met\*\*: 0\.25 ms over/);
});

test('the steady gap goal is the tighter of 1.2 ms and half of plain undici p99; memory goals follow undici streamed', () => {
  const steadyRun = (gapP99Ms) => ({ requests: 5000, achievedRate: 1000, gapP50Ms: 1, gapP99Ms, gapMaxMs: 3, shortGapShare: 0, gridDeviationP99Ms: 0.2 });
  const curve = (at25, maxSampled) => ({ at25, at50: at25, end: at25, maxSampled });
  const results = {
    steady: { rate: 1000, durationS: 5, clients: { 'aoai-probe': { runs: [steadyRun(1.1), steadyRun(1.1)] }, undici: { runs: [steadyRun(2.0), steadyRun(2.0)] } } },
    memory: {
      requests: 1_000_000,
      clients: {
        'aoai-probe': { maxRssMb: 130, recorded: 1_000_000, curve: curve(100, 115) },
        'undici, results streamed to a file': { maxRssMb: 100, curve: curve(90, 95) },
      },
    },
  };
  const markdown = renderResults({ run, results, benchDir });
  const row = (label) => markdown.split('\n').find((line) => line.startsWith(`| ${label}`));
  assert.match(row('1000/s'), /gap p99 ≤ 1\.00 ms \(absolute: 1\.20; 0\.5× plain undici: 1\.00\)/);
  assert.match(row('1000/s'), /gap: \*\*not met\*\*: 0\.10 ms over/);
  assert.match(row('memory, '), /peak: \*\*not met\*\*: 10 MB over \(108 % of goal\); flat: \*\*not met\*\*: 5 MB over/);
});
