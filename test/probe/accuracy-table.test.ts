/**
 * Generates the accuracy table of docs/probe.md from actual runs: the probe against
 * each limiter kind (the simulator's on the fake clock, the real ones in real
 * time), what it found next to the truth, and whether the accuracy goal was met.
 * The table is written between the markers in docs/probe.md and in README.md;
 * nothing is typed by hand. Slow (the real limiters run in real time), so it runs only when asked:
 *
 *     PROBE_TABLE=1 npx vitest run test/probe/accuracy-table.test.ts
 *
 * It is also a test: every row must meet the goal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EffectiveRequests, EffectiveTokens } from '../../src/analysis/summary-types.js';
import { azureCase, genericCase, type LimiterCase, type Truth } from './support/cases.js';
import { probeCase } from './support/run-case.js';
import { probeRealLimiter } from './support/run-real.js';
import { nginxPath, startNginx } from '../support/limiters/nginx.js';
import { haproxyPath, startHaproxy } from '../support/limiters/haproxy.js';
import { startExpressRateLimit, startRateLimiterFlexible } from '../support/limiters/node-limiters.js';
import type { RunningLimiter } from '../support/limiters/running-limiter.js';

const DOCS = [fileURLToPath(new URL('../../docs/probe.md', import.meta.url)), fileURLToPath(new URL('../../README.md', import.meta.url))];
const START = '<!-- accuracy-table:start -->';
const END = '<!-- accuracy-table:end -->';

interface Row {
  kind: string;
  settings: string;
  truth: string;
  found: string;
  spent: string;
  met: boolean;
}

function figure(value: number | null, digits = 2): string {
  return value === null ? '–' : String(Number(value.toFixed(digits)));
}

function truthText(truth: Truth): string {
  return `${truth.burst} · ${truth.perSecond === null ? '–' : figure(truth.perSecond)}/s · ${truth.windowSeconds === null ? '–' : `${figure(truth.windowSeconds)} s`} · ${truth.shape}`;
}

function foundText(found: EffectiveRequests): string {
  return `${found.burst ?? '–'} · ${figure(found.perSecond)}/s · ${found.windowSeconds === null ? '–' : `${figure(found.windowSeconds)} s`} · ${found.shape} (${found.confidence})`;
}

function tokenText(found: EffectiveTokens): string {
  return `tokens ${found.burst?.toLocaleString('en-US') ?? '–'} · ${found.perMinute?.toLocaleString('en-US') ?? '–'}/min · ${figure(found.windowSeconds, 1)} s (${found.confidence})`;
}

const rows: Row[] = [];

async function simulated(kind: string, limiter: LimiterCase, maxTokens?: number): Promise<void> {
  const result = await probeCase(limiter, maxTokens === undefined ? {} : { maxTokens });
  const tokens = limiter.tokens && maxTokens !== undefined ? `; tokens ${limiter.tokens.burst.toLocaleString('en-US')} · ${limiter.tokens.perMinute.toLocaleString('en-US')}/min · ${limiter.tokens.windowSeconds} s` : '';
  rows.push({
    kind,
    settings: `\`${limiter.name}\`${maxTokens !== undefined ? ` (max_tokens ${maxTokens})` : ''}`,
    truth: truthText(limiter.truth) + tokens,
    found: foundText(result.inferred.requests) + (maxTokens !== undefined ? `; ${tokenText(result.inferred.tokens)}` : ''),
    spent: `${result.sent} req, ${Math.round(result.seconds)} s (simulated clock)`,
    met: result.problems.length === 0,
  });
}

async function real(kind: string, start: () => Promise<RunningLimiter>): Promise<void> {
  const limiter = await start();
  try {
    const result = await probeRealLimiter(limiter);
    rows.push({
      kind,
      settings: limiter.name,
      truth: truthText(limiter.truth),
      found: foundText(result.summary.effective.requests),
      spent: `${result.sent} req, ${Math.round(result.seconds)} s (real time)`,
      met: result.problems.length === 0 && result.reproduction.length === 0,
    });
  } finally {
    await limiter.stop();
  }
}

describe.skipIf(process.env.PROBE_TABLE !== '1')('accuracy table for docs/probe.md (set PROBE_TABLE=1 to regenerate)', () => {
  it('probes every limiter kind and writes the table', async () => {
    await simulated('token bucket (sim)', genericCase('token-bucket', 11));
    await simulated('token bucket, refusals count (sim)', { ...genericCase('token-bucket', 14) });
    await simulated('GCRA (sim)', genericCase('gcra', 12));
    await simulated('fixed window (sim)', genericCase('fixed-window', 13));
    await simulated('sliding log (sim)', genericCase('sliding-log', 15));
    await simulated('sliding-window counter (sim)', genericCase('sliding-counter', 22));
    await simulated('concurrency cap (sim)', genericCase('concurrency', 21));
    await simulated('azure-standard (sim)', azureCase(23));
    await simulated('azure-standard, no 1-s cap (sim)', azureCase(30));
    await simulated('azure-standard tokens (sim)', azureCase(31, true), 4000);
    if (nginxPath() !== null) {
      await real('nginx limit_req', () => startNginx({ rate: 10, burst: 5 }));
      await real('nginx limit_req', () => startNginx({ rate: 90, perMinute: true, burst: 12, status: 429 }));
    }
    if (haproxyPath() !== null) {
      await real('HAProxy stick table', () => startHaproxy({ limit: 20, periodSeconds: 10 }));
      await real('HAProxy stick table', () => startHaproxy({ limit: 8, periodSeconds: 2 }));
    }
    await real('express-rate-limit', () => startExpressRateLimit({ limit: 10, windowMs: 5000, standardHeaders: 'draft-7' }));
    await real('express-rate-limit', () => startExpressRateLimit({ limit: 30, windowMs: 3000, standardHeaders: 'draft-8' }));
    await real('rate-limiter-flexible', () => startRateLimiterFlexible({ points: 8, durationSeconds: 2 }));
    await real('rate-limiter-flexible', () => startRateLimiterFlexible({ points: 5, durationSeconds: 1, blockSeconds: 4 }));

    const header = '| limiter | settings (not told to the probe) | truth: burst · rate · recovery · shape | found | spent | goal met |\n|---|---|---|---|---|---|';
    const body = rows.map((row) => `| ${row.kind} | ${row.settings} | ${row.truth} | ${row.found} | ${row.spent} | ${row.met ? 'yes' : '**no**'} |`).join('\n');
    const generated = `${START}\n_Generated by \`PROBE_TABLE=1 npx vitest run test/probe/accuracy-table.test.ts\` on ${new Date().toISOString().slice(0, 10)}._\n\n${header}\n${body}\n${END}`;
    for (const path of DOCS) {
      const doc = readFileSync(path, 'utf8');
      const from = doc.indexOf(START);
      const to = doc.indexOf(END);
      expect(from, `${path} needs the accuracy-table markers`).toBeGreaterThanOrEqual(0);
      writeFileSync(path, doc.slice(0, from) + generated + doc.slice(to + END.length));
    }
    expect(rows.filter((row) => !row.met).map((row) => `${row.kind} ${row.settings}: ${row.found}`)).toEqual([]);
  }, 1_800_000);
});
