/**
 * Keys never leak. One fake key, passed every way a user can pass
 * it (--api-key, AZURE_OPENAI_API_KEY, --bearer, AZURE_OPENAI_AD_TOKEN, OPENAI_API_KEY,
 * inside the URL as api-key= and sig=), through several commands, including runs that
 * fail (bad input, refused connections, TLS failures, unmet expectations, an internal
 * error with AOAI_PROBE_DEBUG=1 stacks), against a server that echoes the credential
 * back in headers, error bodies and HTML pages. Afterwards the key is in no file the
 * runs left (recordings, --out outputs, JUnit, markdown, HTML, the step summary) and in
 * no output (stdout, stderr).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { knownSecrets, redactingIo } from '../../src/cli/secret-guard.js';
import { secretsOfUrl } from '../../src/record/redact.js';
import { closedPort, startServer, type LoopbackServer, type ReceivedRequest } from './support/servers.js';
import { ensureBuilt, runCli, startCli, temporaryFolder, waitFor, type CliResult } from '../support/spawn-cli.js';

/** The fake key. Long and unique, so any occurrence anywhere is a leak. */
const KEY = 'sk-trustFAKEkey0123456789abcdefXYZ';
const AZURE = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';

let folder: string;
let server: LoopbackServer;
const outputs: { what: string; text: string }[] = [];

/** The credential a request carried, however it came. */
function credentialOf(request: ReceivedRequest): string {
  const apiKey = request.headers['api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') return authorization.replace(/^Bearer\s+/i, '');
  const query = new URL(request.url, 'http://x').searchParams;
  return query.get('api-key') ?? query.get('sig') ?? query.get('key') ?? '';
}

/** Echoes the credential back, in a different place for each request. */
function echo(request: ReceivedRequest, response: ServerResponse): void {
  const credential = credentialOf(request);
  switch (request.index % 4) {
    case 0:
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-request-id': credential,
        'apim-request-id': `Bearer ${credential}`,
        'x-ms-region': `region-of-${credential}`,
        'x-ratelimit-remaining-requests': '10',
      });
      response.end(JSON.stringify({ id: credential, choices: [{ message: { content: credential } }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
      return;
    case 1:
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: '401', message: `Access denied due to invalid subscription key ${credential} for ${request.url}` } }));
      return;
    case 2:
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1', 'x-ms-client-request-id': credential });
      response.end(JSON.stringify({ error: { code: '429', message: `Rate limit for api-key: ${credential}. Authorization: Bearer ${credential}. Retry after 1 second.` } }));
      return;
    default:
      response.writeHead(500, { 'content-type': 'text/html' });
      response.end(`<html><body>Internal error for key ${credential} at ${request.url}</body></html>`);
  }
}

async function run(what: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  // A `.invalid` host never resolves (RFC 6761); the harness lets it through behind its socket guard.
  const result = await runCli(args, { cwd: folder, env: { AOAI_PROBE_DEBUG: '1', GITHUB_STEP_SUMMARY: join(folder, 'step-summary.md'), ...env }, timeoutMs: 40_000, allowInvalidHosts: true });
  outputs.push({ what: `${what} stdout`, text: result.stdout }, { what: `${what} stderr`, text: result.stderr });
  return result;
}

/** Every file under a folder, with its text. */
function filesUnder(path: string): { path: string; text: string }[] {
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ path: file, text: readFileSync(file, 'utf8') }));
}

beforeAll(async () => {
  ensureBuilt();
  folder = temporaryFolder('secrets');
  server = await startServer(echo);
}, 240_000);

afterAll(async () => {
  await server?.close();
});

describe('a known key passed every way, through runs that succeed and runs that fail', () => {
  it('reaches the server (so the test means something)', async () => {
    const url = `${server.origin}${AZURE}`;
    const results = [
      await run('burst --api-key, html/junit, unmet expectation', ['burst', '--size', '4', '--url', url, '--api-key', KEY, '--format', 'html', '--out', 'out/report.html', '--junit', 'out/junit.xml', '--expect', 'requests.failed == 0', '--record', 'rec/flag.ndjson']),
      await run('steady with AZURE_OPENAI_API_KEY, markdown', ['steady', '--rate', '8/s', '--duration', '1s', '--endpoint', server.origin, '--deployment', 'gpt-4o', '--format', 'markdown', '--out', 'out/steady.md'], { AZURE_OPENAI_API_KEY: KEY }),
      await run('burst --bearer, json', ['burst', '--size', '4', '--url', url, `--bearer=${KEY}`, '--json', '--record', 'rec/bearer.ndjson']),
      await run('burst with AZURE_OPENAI_AD_TOKEN', ['burst', '--size', '4', '--url', url, '--format', 'json', '--out', 'out/ad-token.json'], { AZURE_OPENAI_AD_TOKEN: KEY }),
      await run('burst with OPENAI_API_KEY on an OpenAI-style path', ['burst', '--size', '4', '--url', `${server.origin}/v1/chat/completions`, '--json'], { OPENAI_API_KEY: KEY }),
      await run('burst with api-key= in the URL', ['burst', '--size', '4', '--url', `${url}&api-key=${KEY}`, '--json', '--record', 'rec/in-url.ndjson']),
      await run('ramp with sig= in the URL', ['ramp', '--from', '4/s', '--to', '8/s', '--duration', '1s', '--url', `${server.origin}/openai/deployments/gpt-4o/chat/completions?sig=${KEY}&api-version=2024-10-21`, '--format', 'markdown']),
    ];
    for (const result of results) expect([0, 3]).toContain(result.code);
    expect(results[0]!.code).toBe(3);
    // Every channel delivered the key to the server.
    const delivered = server.received.map(credentialOf);
    expect(delivered.filter((credential) => credential === KEY).length).toBe(server.received.length);
    expect(server.received.length).toBeGreaterThanOrEqual(4 * 5 + 8);
    expect(server.received.some((request) => request.headers['api-key'] === KEY)).toBe(true);
    expect(server.received.some((request) => request.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(server.received.some((request) => request.url.includes(`api-key=${KEY}`))).toBe(true);
    expect(server.received.some((request) => request.url.includes(`sig=${KEY}`))).toBe(true);
  });

  it('runs with a scenario file, re-reports the recordings, and fails in several ways', async () => {
    const scenario = join(folder, 'scenario.yaml');
    writeFileSync(scenario, `target:\n  url: ${server.origin}${AZURE}\nphases:\n  - burst: 4\n  - steady: { rate: 4/s, duration: 1s }\n`);
    const closed = await closedPort();
    const results = [
      await run('run with --api-key', ['run', scenario, '--api-key', KEY, '--json', '--record', 'rec/scenario.ndjson']),
      await run('report html', ['report', 'rec/flag.ndjson', 'rec/in-url.ndjson', '--format', 'html', '--out', 'out/again.html', '--junit', 'out/again.xml', '--expect', 'requests.sent > 0']),
      await run('report markdown', ['report', 'rec/bearer.ndjson', '--format', 'markdown']),
      await run('bad URL with the key in it', ['burst', '--url', `notaurl?api-key=${KEY}`]),
      await run('endpoint with a query', ['burst', '--endpoint', `https://x.invalid/?api-key=${KEY}`, '--deployment', 'd']),
      await run('key without a target', ['burst', '--api-key', KEY, '--size', 'ten']),
      await run('key and bearer both', ['burst', '--url', `${server.origin}${AZURE}`, '--api-key', KEY, '--bearer', KEY]),
      await run('unknown option after the key', ['burst', '--api-key', KEY, `--nope=${KEY}`]),
      await run('connection refused with the key in the URL', ['burst', '--size', '2', '--url', `http://127.0.0.1:${closed}${AZURE}&api-key=${KEY}`, '--api-key', KEY, '--json']),
      await run('TLS failure', ['burst', '--size', '2', '--url', `https://127.0.0.1:${server.port}${AZURE}&key=${KEY}`, '--bearer', KEY, '--json']),
      await run('dry run', ['burst', '--url', `${server.origin}${AZURE}&api-key=${KEY}`, '--dry-run']),
    ];
    expect(results.map((result) => result.code)).toEqual([0, 0, 0, 2, 2, 2, 2, 2, 0, 0, 0]);
  });

  it('serves the simulator with --api-key and probes it with the same key', async () => {
    const simulator = startCli(['sim', '--port', '0', '--api-key', KEY, '--verbose'], { cwd: folder, env: { AOAI_PROBE_DEBUG: '1' }, timeoutMs: 60_000 });
    await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.test(simulator.stdout()), 20_000, 'the simulator ready line');
    const simulatorUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(simulator.stdout())![0];
    const withKey = await run('burst at the simulator', ['burst', '--size', '6', '--endpoint', simulatorUrl, '--deployment', 'gpt-4o', '--api-key', KEY, '--json']);
    const withoutKey = await run('burst at the simulator with a wrong key', ['burst', '--size', '2', '--endpoint', simulatorUrl, '--deployment', 'gpt-4o', '--api-key', `${KEY}-wrong`, '--json']);
    simulator.child.kill('SIGINT');
    const served = await simulator.done;
    outputs.push({ what: 'sim stdout', text: served.stdout }, { what: 'sim stderr', text: served.stderr });
    expect(withKey.code).toBe(0);
    expect(withoutKey.code).toBe(0);
    expect(JSON.parse(withKey.stdout).requests.ok).toBeGreaterThan(0);
    expect(JSON.parse(withoutKey.stdout).requests.ok).toBe(0);
  });

  it('an internal error quoting the key, with AOAI_PROBE_DEBUG=1, shows neither key nor unredacted stack', async () => {
    // In-process: stdout breaks with an error whose message quotes the key, as a
    // misbehaving pipe or wrapper might; main() must report it as an internal error.
    const stderr: string[] = [];
    let code = 0;
    const io: CliIo = {
      argv: ['burst', '--size', '2', '--api-key', KEY, '--url', `${server.origin}${AZURE}`, '--json', '--record', join(folder, 'rec', 'internal.ndjson')],
      env: { AOAI_PROBE_DEBUG: '1' },
      cwd: folder,
      stdout: {
        write: () => {
          throw new Error(`write failed while sending ${KEY} to the pipe`);
        },
      },
      stderr: { write: (chunk) => stderr.push(chunk) > 0 },
      onInterrupt: () => () => undefined,
      setExitCode: (value) => {
        code = value;
      },
      exitNow: (value): never => {
        throw new Error(`exitNow(${value})`);
      },
    };
    await main(io);
    const text = stderr.join('');
    outputs.push({ what: 'internal error stderr', text });
    expect(code).toBe(1);
    expect(text).toContain('aoai-probe: internal error: write failed while sending REDACTED to the pipe (a bug: please report it at');
    // The stack was printed (debug on), redacted like everything else.
    expect(text).toMatch(/^\s+at /m);
  });

  it('leaves the key in no file and no output', () => {
    const files = filesUnder(folder);
    // The runs above wrote recordings, reports, JUnit, markdown and HTML: all were checked.
    const names = files.map((file) => file.path);
    for (const expected of ['rec/flag.ndjson', 'rec/bearer.ndjson', 'rec/in-url.ndjson', 'rec/scenario.ndjson', 'out/report.html', 'out/junit.xml', 'out/steady.md', 'out/ad-token.json', 'out/again.html', 'out/again.xml', 'step-summary.md']) {
      expect(names).toContain(join(folder, expected));
    }
    expect(names.filter((name) => name.includes('aoai-probe-runs')).length).toBeGreaterThanOrEqual(3);
    const leakingFiles = files.filter((file) => file.text.includes(KEY)).map((file) => file.path);
    expect(leakingFiles).toEqual([]);
    const leakingOutputs = outputs.filter((output) => output.text.includes(KEY)).map((output) => output.what);
    expect(leakingOutputs).toEqual([]);
    // The recordings did record the echoing answers, with the key replaced.
    const flag = readFileSync(join(folder, 'rec', 'flag.ndjson'), 'utf8');
    expect(flag).toContain('"x-request-id":"REDACTED"');
    expect(flag).toContain('"apim-request-id":"Bearer REDACTED"');
    expect(readFileSync(join(folder, 'rec', 'in-url.ndjson'), 'utf8')).toContain('api-key=REDACTED');
  });
});

describe('knownSecrets and redactingIo', () => {
  it('finds credentials in flags (both spellings), the environment and URL queries', () => {
    const secrets = knownSecrets(
      ['burst', '--api-key', 'k1', '--bearer=t1', '--url', 'https://h/p?api-version=1&sig=s%2F1&key=k2', '--endpoint', 'https://user:pw1@h'],
      { AZURE_OPENAI_API_KEY: 'k3', AZURE_OPENAI_AD_TOKEN: 't2', OPENAI_API_KEY: 'k4', AZURE_OPENAI_ENDPOINT: 'https://h/?api-key=k5', HOME: '/root' },
    );
    for (const secret of ['k1', 't1', 's%2F1', 's/1', 'k2', 'pw1', 'k3', 't2', 'k4', 'k5']) expect(secrets).toContain(secret);
    expect(secrets).not.toContain('/root');
    expect(secrets).not.toContain('1');
  });

  it('redacts every write and keeps the stream properties', () => {
    const written: string[] = [];
    const io = redactingIo(
      { argv: [], env: {}, cwd: '/', stdout: { write: (chunk) => written.push(chunk) > 0, isTTY: true, columns: 99 }, stderr: { write: () => true }, onInterrupt: () => () => undefined, setExitCode: () => undefined, exitNow: (): never => { throw new Error('exit'); } },
      ['my-secret-value'],
    );
    io.stdout.write('a my-secret-value b, see https://u:pw@h.example/x?api-key=zzz&a=1');
    io.stdout.write('plain text');
    // The program's own prose about keys stays readable.
    io.stdout.write('apiKey: keys and tokens never go in a scenario file; --api-key and --bearer were both given');
    expect(written).toEqual([
      'a REDACTED b, see https://h.example/x?api-key=REDACTED&a=1',
      'plain text',
      'apiKey: keys and tokens never go in a scenario file; --api-key and --bearer were both given',
    ]);
    expect(io.stdout.isTTY).toBe(true);
    expect(io.stdout.columns).toBe(99);
  });

  it('secretsOfUrl reads passwords and secret query values, decoded and as written', () => {
    expect(secretsOfUrl('https://u:p%40ss@h.example/x?api-version=1&api-key=a%2Bb&SIG=c')).toEqual(expect.arrayContaining(['p%40ss', 'p@ss', 'a%2Bb', 'a+b', 'c']));
    expect(secretsOfUrl('https://h.example/x?api-version=2024-10-21&keyword=cats')).toEqual([]);
    expect(secretsOfUrl('not a url ?api-key=zz')).toEqual(['zz']);
  });
});
