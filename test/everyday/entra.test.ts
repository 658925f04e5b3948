/**
 * Keyless Entra ID end to end: the real executable (under the loopback guard, with a
 * clean environment) runs with `--entra`; DefaultAzureCredential is narrowed to the
 * Azure CLI (AZURE_TOKEN_CREDENTIALS, as the SDK documents) and finds a stub `az` on
 * PATH that prints what `az account get-access-token` prints, a new token each time,
 * each living a few seconds. A loopback server records the Authorization header of
 * every request, so the test sees that tokens were sent and refreshed mid-run, and
 * that none reached the recording or the output.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { ensureBuilt, hasStackTrace, runCli, temporaryFolder } from '../support/spawn-cli.js';
import { writeStubAzureCli } from '../support/stub-azure-cli.js';
import { AZURE_PATH, answerOk, startServer, type LoopbackServer } from '../trust/support/servers.js';

/** Seconds each stub token lives: the run lasts longer, so at least one refresh is due. */
const TOKEN_LIFETIME_SECONDS = 4;

const writeStubAz = (folder: string, mode: 'tokens' | 'not-logged-in'): void => writeStubAzureCli(folder, mode, TOKEN_LIFETIME_SECONDS);

describe('--entra with the Azure CLI credential', () => {
  let server: LoopbackServer;
  let folder: string;
  beforeAll(() => ensureBuilt(), 240_000);
  beforeEach(async () => {
    folder = temporaryFolder('entra');
    server = await startServer((_request, response) => answerOk(response));
  });
  afterEach(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const environment = (): Record<string, string> => ({ PATH: `${folder}:${process.env.PATH ?? ''}`, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential' });

  it('sends the credential\'s tokens, refreshes them during the run, and writes none of them', async () => {
    writeStubAz(folder, 'tokens');
    const result = await runCli(
      ['steady', '--rate', '4/s', '--duration', `${TOKEN_LIFETIME_SECONDS * 2}s`, '--url', `${server.origin}${AZURE_PATH}`, '--entra', '--record', 'run.ndjson', '--json', '--quiet'],
      { cwd: folder, env: environment(), timeoutMs: 150_000 },
    );
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(EXIT.ok);

    const authorizations = server.received.map((request) => request.headers.authorization);
    expect(authorizations.length).toBeGreaterThan(4);
    expect(authorizations.every((value) => typeof value === 'string' && /^Bearer entra-stub-token-\d+$/.test(value))).toBe(true);
    const numbers = authorizations.map((value) => Number(/(\d+)$/.exec(value!)![1]));
    // Refreshed mid-run: later requests carry a newer token, and never an older one again.
    expect(new Set(numbers).size).toBeGreaterThanOrEqual(2);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(server.received.every((request) => request.headers['api-key'] === undefined)).toBe(true);

    const recording = readFileSync(join(folder, 'run.ndjson'), 'utf8');
    for (const text of [recording, result.stdout, result.stderr]) expect(text).not.toContain('entra-stub-token');
    expect(JSON.parse(result.stdout).requests.ok).toBe(server.received.length);
  }, 180_000);

  it('without a login: one sentence naming the fixes, exit 2, nothing sent', async () => {
    writeStubAz(folder, 'not-logged-in');
    const result = await runCli(['burst', '--size', '3', '--url', `${server.origin}${AZURE_PATH}`, '--entra', '--record', 'run.ndjson'], { cwd: folder, env: environment(), timeoutMs: 60_000 });
    expect(result.code).toBe(EXIT.input);
    expect(result.stderr).toContain('--entra: no Azure credential gave a token');
    expect(result.stderr).toContain('az login');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(server.received).toHaveLength(0);
  }, 180_000);
});
