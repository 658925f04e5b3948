/**
 * `npx aoai-probe probe` through the real executable: with no target it probes the
 * embedded simulator (and says so first) and finds the default profile's request
 * caps — burst 5, 5/s, 1-s window; with `--max-tokens 4000` it also finds the
 * 50,000 tokens per 60 s, pacing its token requests under the request cap. The
 * JSON summary carries effective.requests and effective.tokens with a confidence,
 * and `aoai-probe report` on the recording reproduces it. Bad budget flags exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';
import { renderProbeBlock, probeBudget } from '../../src/cli/commands/probe-action.js';

const workDir = temporaryFolder('cli-probe');

function readLines(path: string): RecordLine[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordLine);
}

describe('npx aoai-probe probe (no target: the embedded simulator)', () => {
  const recording = join(workDir, 'default.ndjson');
  let summary: Summary;
  let stderr: string;

  beforeAll(async () => {
    const run = await runCli(['probe', '--json', '--record', recording], { cwd: workDir, timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    summary = JSON.parse(run.stdout) as Summary;
    stderr = run.stderr;
  }, 160_000);

  it('says first that it started the embedded simulator', () => {
    expect(stderr.split('\n')[0]).toMatch(/^No target given: started the embedded Azure OpenAI simulator \(azure-standard, 50,000 TPM/);
  });

  it('finds the default profile request caps: burst 5, 5/s, a 1-s sliding window', () => {
    const requests = summary.effective.requests;
    expect(requests.burst).toBe(5);
    expect(requests.perSecond!).toBeGreaterThan(4.5);
    expect(requests.perSecond!).toBeLessThan(5.5);
    expect(requests.windowSeconds!).toBeGreaterThan(0.75);
    expect(requests.windowSeconds!).toBeLessThan(1.25);
    expect(requests.shape).toBe('sliding-window');
    expect(requests.confidence).not.toBe('none');
    expect(summary.effective.tokens.confidence).toBe('none');
  });

  it('prints the probe block: advertised, requests, the headers 10-s budget, verdict, spent', () => {
    expect(stderr).toMatch(/advertised\s+50,000 TPM → 300 RPM → 50 per 10 s, 5 per 1 s/);
    expect(stderr).toMatch(/requests\s+burst 5 · sustained [45]\.\d\/s · recovers in (0\.9|1\.0|1\.1) s · sliding 1(\.0)?-s window/);
    expect(stderr).toMatch(/headers count a 10-s budget of 50: a burst never reaches it/);
    expect(stderr).toMatch(/verdict\s+/);
    expect(stderr).toMatch(/spent\s+\d+ requests · estimated tokens [\d,]+ admitted of [\d,]+ sent · [\d,]+ billed · \d+ s/);
  });

  it('keeps within the budget and records every experiment as a probe phase', () => {
    const lines = readLines(recording);
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests.length).toBeLessThanOrEqual(400);
    expect(summary.requests.sent).toBe(requests.length);
    const phases = lines.filter((line) => line.type === 'phase');
    expect(phases.length).toBeGreaterThan(3);
    expect(phases.every((line) => line.type === 'phase' && line.kind === 'probe' && typeof line.params['purpose'] === 'string')).toBe(true);
  });

  it('report on the recording reproduces the summary', async () => {
    const run = await runCli(['report', recording, '--format', 'json'], { cwd: workDir });
    expect(run.code, run.stderr).toBe(0);
    const again = JSON.parse(run.stdout) as Summary;
    expect(again.effective).toEqual(summary.effective);
    expect(again.verdict).toBe(summary.verdict);
  });
});

describe('npx aoai-probe probe --max-tokens 4000', () => {
  const recording = join(workDir, 'tokens.ndjson');
  let summary: Summary;
  let lines: RecordLine[];

  beforeAll(async () => {
    const run = await runCli(['probe', '--max-tokens', '4000', '--json', '--quiet', '--record', recording], { cwd: workDir, timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(0);
    summary = JSON.parse(run.stdout) as Summary;
    lines = readLines(recording);
  }, 250_000);

  it('finds 50,000 tokens per 60 s and still the request caps', () => {
    const tokens = summary.effective.tokens;
    expect(Math.abs(tokens.burst! / 50_000 - 1)).toBeLessThan(0.1);
    expect(Math.abs(tokens.perMinute! / 50_000 - 1)).toBeLessThan(0.1);
    expect(Math.abs(tokens.windowSeconds! / 60 - 1)).toBeLessThan(0.25);
    expect(tokens.confidence).not.toBe('none');
    expect(summary.effective.requests.burst).toBe(5);
    // The verdict's sentence gives the summary's own figure, not a second one.
    expect(summary.verdict).toContain(`about ${tokens.burst!.toLocaleString('en-US')} estimated tokens from idle`);
  });

  it('paces its token requests under the request cap: refused for tokens, never for calls', () => {
    const tokenPhases = new Set(lines.filter((line) => line.type === 'phase' && line.params['purpose'] === 'tokens').map((line) => (line.type === 'phase' ? line.name : '')));
    const tokenRequests = lines.filter((line): line is RequestLine => line.type === 'request' && tokenPhases.has(line.phase));
    expect(tokenRequests.length).toBeGreaterThan(10);
    expect(tokenRequests.length).toBeLessThanOrEqual(300);
    const refused = tokenRequests.filter((line) => line.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const line of refused) expect(line.error?.message ?? '').toMatch(/token rate limit/);
    // The bill stays small: one-word answers, whatever max_tokens says.
    expect(summary.tokens.billed).toBeLessThan(5_000);
  });
});

describe('probe flags', () => {
  it('rejects a budget too small to measure anything, naming the fix (exit 2)', async () => {
    const run = await runCli(['probe', '--budget-requests', '2', '--budget-time', '1s'], { cwd: workDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--budget-requests: "2" is not a whole number ≥ 5/);
    expect(run.stderr).toMatch(/--budget-time: 1s is too short/);
  });

  it('gives the token stage its own share of the default budget', () => {
    expect(probeBudget(null, null, null, false)).toEqual({ requests: 400, billedTokens: 100_000, seconds: 120 });
    expect(probeBudget(null, null, null, true)).toEqual({ requests: 700, billedTokens: 100_000, seconds: 200 });
    expect(probeBudget(50, 2000, 30_000, true)).toEqual({ requests: 50, billedTokens: 2000, seconds: 30 });
  });

  it('renders "shape unknown" and "nothing given" honestly', () => {
    const block = renderProbeBlock({
      advertised: { tpm: null, rpm: null, requestsPer10s: null, requestsPer1s: null, source: 'none' },
      effective: {
        requests: { burst: 7, perSecond: 2.5, windowSeconds: 2.8, shape: 'unknown', confidence: 'low' },
        tokens: { burst: null, perMinute: null, windowSeconds: null, confidence: 'none' },
      },
      headers: { requestsWindowSeconds: null, limitRequests: null, limitTokens: null, firstRemainingRequests: null, firstRemainingTokens: null, families: ['none'] },
      verdict: 'Some sentence.',
      requests: { sent: 120, ok: 80, throttled: 40, failed: 0, dropped: 0 },
      tokens: { estimatedCharged: 2000, billed: 900, estimatedSent: 3000 },
      durationSeconds: 31.4,
    } as unknown as Summary);
    expect(block).toMatch(/advertised\s+nothing given \(use --tpm or --rpm to compare\)/);
    expect(block).toMatch(/requests\s+burst 7 · sustained 2\.5\/s · recovers in 2\.8 s · shape unknown \(low confidence\)/);
    expect(block).not.toMatch(/^tokens/m);
    expect(block).toMatch(/spent\s+120 requests · estimated tokens 2,000 admitted of 3,000 sent · 900 billed · 31 s/);
  });
});
