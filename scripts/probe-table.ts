/**
 * `npm run probe-table`: generates the accuracy table of docs/probe.md (and README.md)
 * from actual runs: the probe against each limiter kind (the simulator's on the fake
 * clock, the real ones in real time), what it found next to the truth, and whether the
 * accuracy goal was met. The table is written between the accuracy-table markers;
 * nothing is typed by hand. Slow (the real limiters run in real time, up to half an
 * hour), which is why it is a script and not part of `npm test`; the tests in
 * test/probe check the same goal on the cases they run.
 *
 * Exits 1, after writing the table, when a row misses the goal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EffectiveRequests, EffectiveTokens } from '../src/analysis/summary-types.js';
import { azureCase, compoundCase, genericCase, type LimiterCase, type Truth } from '../test/probe/support/cases.js';
import { probeCase } from '../test/probe/support/run-case.js';
import { probeRealLimiter } from '../test/probe/support/run-real.js';
import { nginxPath, startNginx } from '../test/support/limiters/nginx.js';
import { haproxyPath, startHaproxy } from '../test/support/limiters/haproxy.js';
import { startExpressRateLimit, startFastifyRateLimit, startRateLimiterFlexible } from '../test/support/limiters/node-limiters.js';
import { startModEvasive, startModQos } from '../test/support/limiters/apache.js';
import { startVarnishThrottle } from '../test/support/limiters/varnish.js';
import type { RunningLimiter } from '../test/support/limiters/running-limiter.js';

const DOCS = [fileURLToPath(new URL('../docs/probe.md', import.meta.url)), fileURLToPath(new URL('../README.md', import.meta.url))];
const START = '<!-- accuracy-table:start -->';
const END = '<!-- accuracy-table:end -->';

/** One row of the table. */
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
  const overdriven = found.overdriveOfferedPerSecond != null && found.overdriveAdmittedPerSecond != null ? `; offered ${figure(found.overdriveOfferedPerSecond)}/s, admitted ${figure(found.overdriveAdmittedPerSecond)}/s` : '';
  return `${found.burst ?? '–'} · ${figure(found.perSecond)}/s · ${found.windowSeconds === null ? '–' : `${figure(found.windowSeconds)} s`} · ${found.shape} (${found.confidence})${overdriven}`;
}

function tokenText(found: EffectiveTokens): string {
  return `tokens ${found.burst?.toLocaleString('en-US') ?? '–'} · ${found.perMinute?.toLocaleString('en-US') ?? '–'}/min · ${figure(found.windowSeconds, 1)} s (${found.confidence})`;
}

const rows: Row[] = [];

function progress(row: Row): void {
  rows.push(row);
  process.stderr.write(`${row.met ? 'ok  ' : 'MISS'} ${row.kind} ${row.settings}: ${row.found} (${row.spent})\n`);
}

async function simulated(kind: string, limiter: LimiterCase, maxTokens?: number): Promise<void> {
  const result = await probeCase(limiter, maxTokens === undefined ? {} : { maxTokens });
  const tokens = limiter.tokens && maxTokens !== undefined ? `; tokens ${limiter.tokens.burst.toLocaleString('en-US')} · ${limiter.tokens.perMinute.toLocaleString('en-US')}/min · ${limiter.tokens.windowSeconds} s` : '';
  progress({
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
    progress({
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

/** Replaces what lies between the markers of each document with the table. */
function writeTable(): void {
  const header = '| limiter | settings (not told to the probe) | truth: burst · rate · recovery · shape | found | spent | goal met |\n|---|---|---|---|---|---|';
  const body = rows.map((row) => `| ${row.kind} | ${row.settings} | ${row.truth} | ${row.found} | ${row.spent} | ${row.met ? 'yes' : '**no**'} |`).join('\n');
  const generated = `${START}\n_Generated by \`npm run probe-table\` on ${new Date().toISOString().slice(0, 10)}._\n\n${header}\n${body}\n${END}`;
  for (const path of DOCS) {
    const doc = readFileSync(path, 'utf8');
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    if (from < 0 || to < from) throw new Error(`${path} needs the markers ${START} and ${END}`);
    writeFileSync(path, doc.slice(0, from) + generated + doc.slice(to + END.length));
    process.stderr.write(`wrote the table into ${path}\n`);
  }
}

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
await simulated('azure-standard tokens, small max_tokens (sim)', azureCase(31, true), 1000);
await simulated('window every refusal restarts (sim)', compoundCase('restarting-window', 2));
await simulated('window every refusal restarts, block ≠ window (sim)', compoundCase('restarting-window', 5));
await simulated('whole-token bucket (sim)', compoundCase('whole-token-bucket', 2));
await simulated('two sliding logs in AND (sim)', compoundCase('all-of', 1));
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
await real('@fastify/rate-limit', () => startFastifyRateLimit({ max: 10, timeWindowMs: 4000 }));
await real('@fastify/rate-limit', () => startFastifyRateLimit({ max: 6, timeWindowMs: 3000, continueExceeding: true }));
await real('Apache mod_evasive', () => startModEvasive({ pageCount: 8, blockSeconds: 4, status: 429 }));
await real('Apache mod_evasive', () => startModEvasive({ pageCount: 6, blockSeconds: 2, status: 503 }));
await real('Apache mod_qos', () => startModQos({ limit: 9, seconds: 3, status: 503 }));
await real('Apache mod_qos', () => startModQos({ limit: 11, seconds: 4, status: 429 }));
await real('Varnish vsthrottle', () => startVarnishThrottle({ limit: 10, periodSeconds: 2 }));
await real('Varnish vsthrottle', () => startVarnishThrottle({ limit: 6, periodSeconds: 3 }));

writeTable();
const missed = rows.filter((row) => !row.met);
if (missed.length > 0) {
  process.stderr.write(`${missed.length} rows miss the accuracy goal:\n${missed.map((row) => `  ${row.kind} ${row.settings}: ${row.found}`).join('\n')}\n`);
  process.exitCode = 1;
}
