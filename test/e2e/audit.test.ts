/**
 * `aoai-probe audit` through the executable: matched pairs to a simulator directly and
 * through the simulated gateway that strips the rate-limit headers; the audit lists as
 * removed exactly the headers the gateway's configuration strips.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathAudit } from '../../src/analysis/path-audit.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { parseStripHeaders, startGatewaySimulator, type RunningGateway } from '../../src/sim/gateway/index.js';
import { runCli } from '../support/spawn-cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'aoai-probe-audit-'));
const path = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';

describe('audit --direct --via', () => {
  let direct: RunningSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    direct = await startSimulator({ tpm: 1_000_000 });
    gateway = await startGatewaySimulator({ backends: 'only:tpm=1000000:region=East US', routing: 'priority', stripHeaders: parseStripHeaders('x-ratelimit-*') });
  });
  afterAll(async () => {
    await direct?.close();
    await gateway?.close();
  });

  it('lists exactly the headers the gateway strips, in --json and in the table', async () => {
    const args = ['audit', '--direct', `${direct.url}${path}`, '--via', `${gateway.url}${path}`, '--rate', '4/s', '--duration', '1s', '--max-tokens', '10'];
    const env = { AZURE_OPENAI_API_KEY: 'loopback-test-key' };
    const json = await runCli([...args, '--json', '--record', join(workDir, 'audit.ndjson')], { cwd: workDir, env, timeoutMs: 60_000 });
    expect(json.code, json.stderr).toBe(0);
    const audit = JSON.parse(json.stdout) as PathAudit;
    expect(audit.pairs).toBe(4);
    expect(audit.statusDifferences).toBe(0);
    // What the direct answers carried of the stripped pattern is what the gateway removed.
    const directNames = new Set(
      readFileSync(join(workDir, 'audit.ndjson'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"target":"direct"') && line.includes('"type":"request"'))
        .flatMap((line) => Object.keys((JSON.parse(line) as { headers: Record<string, string> }).headers)),
    );
    const stripped = [...directNames].filter((name) => name.startsWith('x-ratelimit-')).sort();
    expect(stripped.length).toBeGreaterThan(0);
    expect(audit.headers.removed).toEqual(stripped);
    const table = await runCli(args, { cwd: workDir, env, timeoutMs: 60_000 });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toContain(`headers removed by the gateway: ${stripped.join(', ')}\n`);
  }, 90_000);
});
