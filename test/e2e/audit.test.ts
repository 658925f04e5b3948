/**
 * `aoai-probe audit` through the executable: matched pairs to a simulated deployment
 * directly and through the simulated gateway in front of it, whose configuration
 * strips the limit headers, renames the remaining-tokens header and adds a token
 * counter of its own. The audit lists exactly those removed, renamed and added
 * headers, and `report` on the recording prints the same audit as the live run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathAudit } from '../../src/analysis/path-audit.js';
import { renderAudit } from '../../src/report/path-audit.js';
import { matchesAnyPattern, parseRenameHeaders, parseStripHeaders, parseTokenLimit, startGatewaySimulator, type RunningGateway } from '../../src/sim/gateway/index.js';
import { ROOT, runCli, temporaryFolder } from '../support/spawn-cli.js';

const workDir = temporaryFolder('audit');
const path = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';
const strip = 'x-ratelimit-limit-*';
const renames = 'x-ratelimit-remaining-tokens=x-gateway-remaining-tokens';
const tokenLimit = 'tpm=500000,key=subscription,consumed-header=x-gateway-consumed-tokens';
/** The published schema of the audit's JSON (it is its own document, not a summary). */
const validateAudit = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(ROOT, 'docs', 'path-audit.schema.json'), 'utf8')) as object);

describe('audit --direct --via', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGatewaySimulator({
      backends: 'only:tpm=1000000:region=East US',
      routing: 'priority',
      stripHeaders: parseStripHeaders(strip),
      renameHeaders: parseRenameHeaders(renames),
      tokenLimit: parseTokenLimit(tokenLimit),
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('lists exactly the headers the configuration removes, renames and adds; report prints the same audit', async () => {
    // "direct" is the very deployment the gateway forwards to, as in a real audit.
    const direct = `${gateway.backends.get('only')!.url}${path}`;
    const recording = join(workDir, 'audit.ndjson');
    const args = ['audit', '--direct', direct, '--via', `${gateway.url}${path}`, '--rate', '4/s', '--duration', '1s', '--max-tokens', '10', '--record', recording];
    const env = { AZURE_OPENAI_API_KEY: 'loopback-test-key' };
    const json = await runCli([...args, '--json'], { cwd: workDir, env, timeoutMs: 60_000 });
    expect(json.code, json.stderr).toBe(0);
    const audit = JSON.parse(json.stdout) as PathAudit;
    expect(validateAudit(audit), JSON.stringify(validateAudit.errors)).toBe(true);
    expect(audit.pairs).toBe(4);
    expect(audit.statusDifferences).toBe(0);
    // What the direct answers carried of the stripped pattern is what the gateway removed.
    const directNames = new Set(
      readFileSync(recording, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"target":"direct"') && line.includes('"type":"request"'))
        .flatMap((line) => Object.keys((JSON.parse(line) as { headers: Record<string, string> }).headers)),
    );
    const stripped = [...directNames].filter((name) => matchesAnyPattern(name, parseStripHeaders(strip))).sort();
    expect(stripped.length).toBeGreaterThan(0);
    expect(audit.headers.removed).toEqual(stripped);
    expect(audit.headers.renamed).toEqual(parseRenameHeaders(renames));
    expect(audit.headers.added).toEqual([parseTokenLimit(tokenLimit).consumedHeader]);

    const replayed = await runCli(['report', recording, '--format', 'json'], { cwd: workDir, env });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual(audit);

    // The table: a second live run, and report on its recording prints the very same audit text.
    const second = join(workDir, 'audit-table.ndjson');
    const table = await runCli([...args.slice(0, -1), second], { cwd: workDir, env, timeoutMs: 60_000 });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toContain(`headers removed by the gateway: ${stripped.join(', ')}\n`);
    expect(table.stderr).toContain('headers renamed by the gateway: x-ratelimit-remaining-tokens → x-gateway-remaining-tokens\n');
    expect(table.stderr).toContain('headers added by the gateway:   x-gateway-consumed-tokens\n');
    const secondAudit = await runCli(['report', second, '--format', 'json'], { cwd: workDir, env });
    const text = renderAudit(JSON.parse(secondAudit.stdout) as PathAudit);
    expect(table.stderr).toContain(text);
    const replayedTable = await runCli(['report', second], { cwd: workDir, env });
    expect(replayedTable.code, replayedTable.stderr).toBe(0);
    expect(replayedTable.stdout).toBe(text);
  }, 120_000);
});
