/**
 * Budgets and consent: against anything that is not loopback the
 * plan (requests, estimated tokens) is shown first, and plans above --max-requests
 * (default 500) or --max-estimated-tokens (default 1,000,000) need --yes; --dry-run only
 * shows the plan.
 *
 * Nothing here may reach a real host. Targets use the reserved `.invalid` top-level
 * domain (RFC 6761: it never resolves), and the spawned CLI runs under the loopback
 * guard (test/support/spawn-cli.ts), which stops the process before any non-loopback connection,
 * even before a name lookup. A refusal must come before any connection: no guard
 * marker, no recording file, and quickly.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConsent, isLoopbackUrl, type SessionPlan } from '../../src/cli/session.js';
import { readRunSettings } from '../../src/cli/run-settings.js';
import { InputError } from '../../src/errors.js';
import { GUARD_EXIT, GUARD_MARKER, ensureBuilt, hasStackTrace, runCli, temporaryFolder } from '../support/spawn-cli.js';
import { AZURE_PATH, answerOk, startServer, type LoopbackServer } from './support/servers.js';

const REMOTE_URL = `https://aoai-probe-consent.invalid${AZURE_PATH}`;
const REMOTE_ENDPOINT = 'https://aoai-probe-consent.invalid';
let folder: string;
const servers: LoopbackServer[] = [];

beforeAll(() => {
  ensureBuilt();
  folder = temporaryFolder('consent');
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Every file the CLI left in its working folder (a recording would be one). */
function filesIn(path: string): string[] {
  return existsSync(path) ? readdirSync(path, { recursive: true, encoding: 'utf8' }) : [];
}

async function refused(args: string[], env: Record<string, string> = {}) {
  const cwd = temporaryFolder('consent-run');
  const run = await runCli(args, { cwd, env, allowInvalidHosts: true });
  expect(run.stderr).not.toContain(GUARD_MARKER);
  expect(hasStackTrace(run.stderr)).toBe(false);
  expect(run.code).toBe(2);
  // Refused before anything was opened or sent: no recording, and at process-start speed.
  expect(filesIn(cwd)).toEqual([]);
  expect(run.elapsedMs).toBeLessThan(10_000);
  return run;
}

describe('a plan above a limit against a real target is refused before anything is sent', () => {
  it('above --max-requests: shows the plan first, then names the limit and the fixes', async () => {
    const run = await refused(['burst', '--size', '600', '--url', REMOTE_URL]);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      'Plan: burst, up to 600 requests to https://aoai-probe-consent.invalid/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21; the limiter will count about 402,000 tokens (≈670 per request, mostly max_tokens; the bill is far smaller).',
    );
    expect(lines[1]).toBe(
      'aoai-probe: this plan sends up to 600 requests to a real target, above --max-requests 500; add --yes to run it, raise --max-requests, or use --dry-run to only see the plan',
    );
    expect(lines).toHaveLength(2);
  });

  it('above the token budget: 300 requests of 4,020 estimated tokens', async () => {
    const run = await refused(['burst', '--size', '300', '--max-tokens', '4000', '--endpoint', REMOTE_ENDPOINT, '--deployment', 'gpt-4o'], { AZURE_OPENAI_API_KEY: 'consent-test-key-0123456789' });
    expect(run.stderr).toContain('the limiter will count about 1,206,000 tokens (≈4,020 per request');
    expect(run.stderr).toContain(
      'aoai-probe: this plan makes the limiter count about 1,206,000 tokens, above --max-estimated-tokens 1,000,000; add --yes to run it, raise --max-estimated-tokens, lower --max-tokens, or use --dry-run to only see the plan',
    );
    expect(run.stderr).not.toContain('--max-requests 500');
  });

  it('names both limits at once when both are exceeded, and a lowered --max-requests applies', async () => {
    const run = await refused(['steady', '--rate', '10/s', '--duration', '30s', '--prompt-tokens', '5000', '--max-requests', '100', '--url', REMOTE_URL]);
    expect(run.stderr).toContain('above --max-requests 100');
    expect(run.stderr).toContain('above --max-estimated-tokens 1,000,000');
  });

  it('a scenario file with a real target and a large plan', async () => {
    const scenario = join(temporaryFolder('consent-scenario'), 'big.yaml');
    writeFileSync(scenario, `target:\n  url: ${REMOTE_URL}\nphases:\n  - burst: 300\n  - steady: { rate: 10/s, duration: 30s }\n`);
    const run = await refused(['run', scenario]);
    expect(run.stderr).toContain('Plan: run, up to 600 requests to https://aoai-probe-consent.invalid/');
    expect(run.stderr).toContain('above --max-requests 500');
  });

  it('a host name that merely starts with 127. is a real target', async () => {
    const run = await refused(['burst', '--size', '600', '--url', `http://127.0.0.1.aoai-probe-consent.invalid${AZURE_PATH}`]);
    expect(run.stderr).toContain('above --max-requests 500');
  });

  it('an endpoint from AZURE_OPENAI_ENDPOINT counts as a real target too', async () => {
    const run = await refused(['burst', '--size', '501'], { AZURE_OPENAI_ENDPOINT: REMOTE_ENDPOINT, AZURE_OPENAI_DEPLOYMENT: 'gpt-4o', AZURE_OPENAI_API_KEY: 'consent-test-key-0123456789' });
    expect(run.stderr).toContain('Plan: burst, up to 501 requests to https://aoai-probe-consent.invalid/openai/deployments/gpt-4o/');
  });
});

describe('--dry-run only shows the plan', () => {
  it('sends nothing, writes nothing and exits 0, whatever the size', async () => {
    const cwd = temporaryFolder('consent-dry');
    const run = await runCli(['burst', '--size', '5000', '--max-tokens', '4000', '--url', REMOTE_URL, '--dry-run'], { cwd, allowInvalidHosts: true });
    expect(run.stderr).not.toContain(GUARD_MARKER);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'Plan: burst, up to 5,000 requests to https://aoai-probe-consent.invalid/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21; the limiter will count about 20,100,000 tokens (≈4,020 per request, mostly max_tokens; the bill is far smaller).\n',
    );
    expect(run.stdout).toBe('');
    expect(filesIn(cwd)).toEqual([]);
  });

  it('does not start the embedded simulator either', async () => {
    const cwd = temporaryFolder('consent-dry-sim');
    const run = await runCli(['steady', '--rate', '5/s', '--duration', '10s', '--dry-run'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('Plan: steady, up to 50 requests to the embedded simulator; the limiter will count about 33,500 tokens (≈670 per request, mostly max_tokens; the bill is far smaller).\n');
    expect(filesIn(cwd)).toEqual([]);
  });
});

describe('consent given, or not needed', () => {
  it('--yes lets a large plan go: the guard then stops the first connection to the real host', async () => {
    // This proves both that --yes passes consent and that the guard is live for the tests above.
    const cwd = temporaryFolder('consent-yes');
    const run = await runCli(['burst', '--size', '600', '--url', REMOTE_URL, '--yes'], { cwd, allowInvalidHosts: true });
    expect(run.stderr).toMatch(/^Plan: burst, up to 600 requests to https:\/\/aoai-probe-consent\.invalid\//);
    expect(run.stderr).toContain(`${GUARD_MARKER} aoai-probe-consent.invalid`);
    expect(run.code).toBe(GUARD_EXIT);
  });

  it('a plan within the limits shows the plan against a real target and goes on', async () => {
    const cwd = temporaryFolder('consent-small');
    const run = await runCli(['burst', '--size', '3', '--url', REMOTE_URL], { cwd, allowInvalidHosts: true });
    expect(run.stderr).toMatch(/^Plan: burst, up to 3 requests to https:\/\/aoai-probe-consent\.invalid\//);
    expect(run.code).toBe(GUARD_EXIT);
  });

  it('loopback targets need no consent and show no plan, whatever the size', async () => {
    const server = await startServer((_request, response) => answerOk(response));
    servers.push(server);
    const run = await runCli(['burst', '--size', '501', '--url', `http://localhost:${server.port}${AZURE_PATH}`, '--json', '--quiet', '--record', join(folder, 'loopback.ndjson')], { cwd: folder, timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('Plan:');
    expect(server.received).toHaveLength(501);
  });
});

describe('isLoopbackUrl', () => {
  it.each([
    ['http://127.0.0.1:8080/x', true],
    ['http://127.255.1.2/x', true],
    ['http://localhost:1234/x', true],
    ['http://LOCALHOST/x', true],
    ['http://[::1]:8080/x', true],
    ['http://[::ffff:127.0.0.1]/x', true],
    ['http://127.0.0.1.nip.io/x', false],
    ['http://127.example.com/x', false],
    ['http://localhost.example.com/x', false],
    ['http://0.0.0.0/x', false],
    ['http://10.0.0.1/x', false],
    ['http://[::]/x', false],
    ['https://example.openai.azure.com/openai', false],
    ['not a url', false],
  ])('%s → %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});

describe('checkConsent', () => {
  const plan = (flags: Record<string, unknown>, plannedRequests: number): SessionPlan => ({
    command: 'burst',
    settings: readRunSettings({ url: REMOTE_URL, expect: [], ...flags }, folder, {}),
    scenario: {},
    plannedRequests,
  });

  it('passes at the limits and refuses one above', () => {
    expect(() => checkConsent(plan({}, 500))).not.toThrow();
    expect(() => checkConsent(plan({}, 501))).toThrow(InputError);
    // 1,000,000 / 670 = 1492.5: 1,492 requests of 670 tokens fit, 1,493 do not.
    expect(() => checkConsent(plan({ maxRequests: '5000' }, 1492))).not.toThrow();
    expect(() => checkConsent(plan({ maxRequests: '5000' }, 1493))).toThrow(/--max-estimated-tokens 1,000,000/);
    expect(() => checkConsent(plan({ maxRequests: '5000', maxEstimatedTokens: '2000000' }, 1493))).not.toThrow();
  });

  it('--yes and --dry-run skip the refusal', () => {
    expect(() => checkConsent(plan({ yes: true }, 100_000))).not.toThrow();
    expect(() => checkConsent(plan({ dryRun: true }, 100_000))).not.toThrow();
  });
});
