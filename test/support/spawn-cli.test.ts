/**
 * The spawn harness keeps every spawned CLI on loopback: a developer's real endpoint,
 * key and proxy in the shell never reach the child, and a target that is not loopback
 * is refused before anything is spawned.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import type { RunLine } from '../../src/record/types.js';
import { answerOk, startServer, type LoopbackServer } from '../trust/support/servers.js';
import { GUARD_MARKER, checkTargets, childEnvironment, ensureBuilt, isLoopbackHost, runCli, startCli, temporaryFolder } from './spawn-cli.js';

const FAKE_ENDPOINT = 'https://example.invalid';
const FAKE_KEY = 'spawn-cli-test-key-0123456789abcdef';

describe('childEnvironment', () => {
  const parent: NodeJS.ProcessEnv = {
    PATH: '/usr/bin',
    HOME: '/home/someone',
    AZURE_OPENAI_ENDPOINT: FAKE_ENDPOINT,
    AZURE_OPENAI_API_KEY: FAKE_KEY,
    AZURE_CLIENT_SECRET: 'entra-secret',
    OPENAI_API_KEY: 'sk-fake',
    OPENAI_BASE_URL: 'https://api.example.com/v1',
    HTTP_PROXY: 'http://proxy.example.com:3128',
    https_proxy: 'http://proxy.example.com:3128',
    No_Proxy: 'localhost',
    ALL_PROXY: 'socks5://proxy.example.com',
    GITHUB_STEP_SUMMARY: '/tmp/summary.md',
    AOAI_PROBE_DEBUG: '1',
    NODE_OPTIONS: '--inspect',
  };

  it('keeps ordinary variables and drops every target, credential, proxy and summary file', () => {
    const env = childEnvironment(parent);
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/someone', NO_COLOR: '1' });
  });

  it("gives back what a test sets explicitly, over the parent's", () => {
    const env = childEnvironment(parent, { GITHUB_STEP_SUMMARY: '/tmp/mine.md', AZURE_OPENAI_API_KEY: 'a-test-key', NO_COLOR: '' });
    expect(env.GITHUB_STEP_SUMMARY).toBe('/tmp/mine.md');
    expect(env.AZURE_OPENAI_API_KEY).toBe('a-test-key');
    expect(env.NO_COLOR).toBe('');
    expect(env.OPENAI_API_KEY).toBeUndefined();
  });
});

describe('checkTargets', () => {
  const folder = temporaryFolder('spawn-cli-targets');

  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.255.0.9', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['127.0.0.1.nip.io', 'localhost.example.com', '0.0.0.0', '10.0.0.1', '::', 'example.invalid'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('lets loopback targets through', () => {
    expect(() => checkTargets(['burst', '--url', 'http://127.0.0.1:1/x', '--endpoint=http://[::1]:2', '--size', '3'], { AZURE_OPENAI_ENDPOINT: 'http://localhost:3' }, folder)).not.toThrow();
  });

  it.each([
    [['burst', '--url', 'https://api.example.com/v1/chat/completions']],
    [['burst', '--url=https://api.example.com/v1/chat/completions']],
    [['steady', '--endpoint', 'https://name.openai.azure.com', '--deployment', 'gpt-4o']],
    [['burst', '--endpoint=http://10.0.0.1']],
  ])('refuses a flag target that is not loopback: %j', (args) => {
    expect(() => checkTargets(args, {}, folder)).toThrow(/is not loopback/);
  });

  it('refuses a target in the environment a test sets', () => {
    expect(() => checkTargets(['burst'], { AZURE_OPENAI_ENDPOINT: 'https://name.openai.azure.com' }, folder)).toThrow(/AZURE_OPENAI_ENDPOINT points at name\.openai\.azure\.com/);
    expect(() => checkTargets(['burst'], { OPENAI_BASE_URL: 'https://api.openai.com/v1' }, folder)).toThrow(/OPENAI_BASE_URL/);
  });

  it('refuses a scenario file whose target is not loopback, at any depth', () => {
    writeFileSync(join(folder, 'remote.yaml'), 'target:\n  url: https://api.example.com/v1/chat/completions\nphases:\n  - burst: 3\n');
    writeFileSync(join(folder, 'nested.json'), JSON.stringify({ targets: [{ id: 'a', endpoint: 'http://127.0.0.1:9' }, { id: 'b', endpoint: 'https://b.openai.azure.com' }] }));
    writeFileSync(join(folder, 'local.yml'), 'target:\n  url: http://127.0.0.1:9/v1/chat/completions\n');
    expect(() => checkTargets(['run', 'remote.yaml'], {}, folder)).toThrow(/the scenario remote\.yaml points at api\.example\.com/);
    expect(() => checkTargets(['run', join(folder, 'nested.json')], {}, folder)).toThrow(/b\.openai\.azure\.com/);
    expect(() => checkTargets(['run', 'local.yml'], {}, folder)).not.toThrow();
  });

  it('lets names under .invalid through only when a test asks for it', () => {
    expect(() => checkTargets(['burst', '--url', 'https://consent.invalid/x'], {}, folder)).toThrow(/allowInvalidHosts/);
    expect(() => checkTargets(['burst', '--url', 'https://consent.invalid/x'], {}, folder, true)).not.toThrow();
    expect(() => checkTargets(['burst', '--url', 'https://api.example.com/x'], {}, folder, true)).toThrow(/is not loopback/);
  });
});

describe('a spawned CLI with a real-looking endpoint, key and proxy in the parent environment', () => {
  const planted = {
    AZURE_OPENAI_ENDPOINT: FAKE_ENDPOINT,
    AZURE_OPENAI_API_KEY: FAKE_KEY,
    AZURE_OPENAI_DEPLOYMENT: 'gpt-4o',
    OPENAI_API_KEY: FAKE_KEY,
    HTTPS_PROXY: 'http://proxy.example.invalid:3128',
    http_proxy: 'http://proxy.example.invalid:3128',
  };
  const saved = new Map<string, string | undefined>();
  let folder: string;
  let server: LoopbackServer;

  beforeAll(async () => {
    ensureBuilt();
    folder = temporaryFolder('spawn-cli');
    server = await startServer((_request, response) => answerOk(response));
    for (const [name, value] of Object.entries(planted)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  }, 240_000);

  afterAll(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server?.close();
  });

  it('burst still runs on the embedded simulator, and the key is nowhere in what it wrote', async () => {
    const recording = join(folder, 'embedded.ndjson');
    const run = await runCli(['burst', '--size', '3', '--json', '--record', recording], { cwd: folder });
    expect(run.stderr).not.toContain(GUARD_MARKER);
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n')[0]).toMatch(/^No target given: started the embedded Azure OpenAI simulator/);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.target.kind).toBe('simulator');
    expect(summary.requests.sent).toBe(3);
    const text = readFileSync(recording, 'utf8');
    expect((JSON.parse(text.split('\n')[0]!) as RunLine).targets[0]!.kind).toBe('simulator');
    for (const output of [text, run.stdout, run.stderr]) {
      expect(output).not.toContain(FAKE_KEY);
      expect(output).not.toContain('example.invalid');
    }
  });

  it('the key never arrives at a loopback target either', async () => {
    const run = await runCli(['burst', '--size', '2', '--url', `${server.origin}/v1/chat/completions`, '--json', '--quiet', '--record', join(folder, 'loopback.ndjson')], { cwd: folder });
    expect(run.stderr).not.toContain(GUARD_MARKER);
    expect(run.code).toBe(0);
    expect(server.received).toHaveLength(2);
    for (const request of server.received) {
      expect(JSON.stringify(request.headers)).not.toContain(FAKE_KEY);
      expect(request.headers['api-key']).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
    }
  });
});

describe('a target that is not loopback', () => {
  it('throws before anything is spawned', () => {
    const folder = temporaryFolder('spawn-cli-refused');
    // startCli checks before it spawns: it throws instead of returning a child.
    expect(() => startCli(['burst', '--size', '1', '--url', 'https://api.example.com/v1/chat/completions'], { cwd: folder })).toThrow(
      'spawn-cli: --url https://api.example.com/v1/chat/completions points at api.example.com, which is not loopback',
    );
    expect(() => runCli(['burst', '--size', '1'], { cwd: folder, env: { AZURE_OPENAI_ENDPOINT: 'https://name.openai.azure.com', AZURE_OPENAI_API_KEY: FAKE_KEY } })).toThrow(/AZURE_OPENAI_ENDPOINT/);
  });
});
