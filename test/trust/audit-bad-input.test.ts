/**
 * The newcomer audit's bad-input table (docs/audits is not in a clone; the cases are copied
 * here), run through the program: every input that is truly bad gives exit 2, one message
 * per problem naming it and its fix (every stderr line starts with "aoai-probe: "), nothing
 * on stdout, no stack trace, and nothing sent to the loopback server that stands in for the
 * target. `URL` is that server's request URL, `HOST` its host:port, `PORT` its port (a port
 * in use, for `sim`), `FILE:name` a fixture file written below.
 *
 * Most rows run in-process (`main()` with a captured CliIo: the bin is `main(processIo())`);
 * the rows in {@link THROUGH_THE_BIN} — one or more per command, and the inputs large or
 * deep enough to reach a process's limits — run through the real executable instead.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, ensureBuilt, hasStackTrace, temporaryFolder, type CliResult } from '../support/spawn-cli.js';
import { runInProcess } from '../support/run-in-process.js';
import { answerOk, startServer, type LoopbackServer } from './support/servers.js';

let folder: string;

/** Variables that could point a spawned CLI at a real deployment: emptied (an empty one counts as unset). */
const NO_REAL_TARGET = { AZURE_OPENAI_ENDPOINT: '', AZURE_OPENAI_API_KEY: '', AZURE_OPENAI_AD_TOKEN: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', AZURE_OPENAI_DEPLOYMENT: '', HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' };

const RUN_LINE = JSON.stringify({ type: 'run', v: 1, tool: { name: 'aoai-probe', version: '0.1.0' }, command: 'burst', startedAt: '2026-01-01T00:00:00.000Z', advertised: { tpm: null, rpm: null, source: 'none' }, targets: [{ id: 'default', kind: 'generic', url: 'http://127.0.0.1:9/x', deployment: null }], payload: { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false } });
const PHASE_LINE = JSON.stringify({ type: 'phase', name: 'burst', kind: 'burst', startMs: 0, planned: 3 });
const requestLine = (seq: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'request', seq, phase: 'burst', target: 'default', plannedMs: 0, sentMs: 1, firstByteMs: 2, doneMs: 3, status: 200, errorKind: null, headers: {}, error: null, usage: null, estimatedTokens: 10, maxTokens: null, clientRequestId: null, ...extra });
const END_LINE = JSON.stringify({ type: 'end', reason: 'completed', endMs: 10, sent: 3, dropped: 0 });
const RECORDING = [RUN_LINE, PHASE_LINE, requestLine(0), requestLine(1), requestLine(2), END_LINE].join('\n') + '\n';

/** Fixture files, by name. */
function fixtures(): Record<string, string | Buffer> {
  return {
    'good.json': JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
    'huge.json': `{"messages":[{"role":"user","content":"${'a'.repeat(17 * 1024 * 1024)}"}]}`,
    'deep.yaml': `phases: ${'['.repeat(5000)}`,
    'deep.json': `{"phases": ${'['.repeat(5000)}`,
    'many-phases.yaml': `phases:\n${'  - pause: 1ms\n'.repeat(800_000)}`,
    'pause-only.yaml': 'phases:\n  - pause: 100ms\n',
    'utf16.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('phases:\n  - burst: 2\n', 'utf16le')]),
    'rec.ndjson': RECORDING,
    'rec.ndjson.gz': gzipSync(RECORDING),
    'gzip-renamed.ndjson': gzipSync(RECORDING),
    'bad-types.ndjson': [RUN_LINE, PHASE_LINE, requestLine(0, { status: 'two hundred' }), requestLine(-5), END_LINE].join('\n') + '\n',
    'array.json': JSON.stringify([{ messages: [{ role: 'user', content: 'hi' }] }]),
    'bom.yaml': '\uFEFFphases:\n  - burst: 2\n',
    'duplicate-seq.ndjson': [RUN_LINE, PHASE_LINE, requestLine(0), requestLine(1), requestLine(1), requestLine(2), END_LINE].join('\n') + '\n',
  };
}

/** [audit case, arguments]. */
const CASES: [string, string[]][] = [
  ["bursts0", ["burst", "--url", "URL", "--bursts", "0"]],
  ["bursts-neg", ["burst", "--url", "URL", "--bursts", "-1"]],
  ["gap0", ["burst", "--url", "URL", "--size", "2", "--bursts", "2", "--gap", "0"]],
  ["gap0s", ["burst", "--url", "URL", "--size", "2", "--bursts", "2", "--gap", "0s"]],
  ["gap-neg", ["burst", "--url", "URL", "--size", "2", "--bursts", "2", "--gap", "-1s"]],
  ["size0", ["burst", "--url", "URL", "--size", "0"]],
  ["size1e9", ["burst", "--url", "URL", "--size", "1e9"]],
  ["size1e9-yes", ["burst", "--url", "URL", "--size", "1000000000", "--max-in-flight", "5"]],
  ["sizeNaN", ["burst", "--url", "URL", "--size", "NaN"]],
  ["sizehex", ["burst", "--url", "URL", "--size", "0x3"]],
  ["size1.5", ["burst", "--url", "URL", "--size", "1.5"]],
  ["size-neg", ["burst", "--url", "URL", "--size", "-3"]],
  ["size-empty", ["burst", "--url", "URL", "--size", ""]],
  ["size-unicode", ["burst", "--url", "URL", "--size", "３"]],
  ["size-inf", ["burst", "--url", "URL", "--size", "Infinity"]],
  ["rate0", ["steady", "--url", "URL", "--rate", "0/s", "--duration", "2s"]],
  ["rate-noUnit", ["steady", "--url", "URL", "--rate", "5", "--duration", "2s"]],
  ["rate-neg", ["steady", "--url", "URL", "--rate", "-5/s", "--duration", "2s"]],
  ["rate-div0", ["steady", "--url", "URL", "--rate", "5/0s", "--duration", "2s"]],
  ["rate-inf", ["steady", "--url", "URL", "--rate", "Infinity/s", "--duration", "2s"]],
  ["rate-NaN", ["steady", "--url", "URL", "--rate", "NaN/s", "--duration", "2s"]],
  ["rate-hex", ["steady", "--url", "URL", "--rate", "0x5/s", "--duration", "2s"]],
  ["rate-huge", ["steady", "--url", "URL", "--rate", "1e9/s", "--duration", "1s"]],
  ["rate-tiny", ["steady", "--url", "URL", "--rate", "0.0001/s", "--duration", "2s"]],
  ["rate-unicode", ["steady", "--url", "URL", "--rate", "５/s", "--duration", "2s"]],
  ["dur0", ["steady", "--url", "URL", "--rate", "5/s", "--duration", "0"]],
  ["dur0s", ["steady", "--url", "URL", "--rate", "5/s", "--duration", "0s"]],
  ["dur-neg", ["steady", "--url", "URL", "--rate", "5/s", "--duration", "-2s"]],
  ["dur-huge", ["steady", "--url", "URL", "--rate", "1/s", "--duration", "1000000h"]],
  ["dur-bad", ["steady", "--url", "URL", "--rate", "5/s", "--duration", "10x"]],
  ["dur-plain", ["steady", "--url", "URL", "--rate", "5/s", "--duration", "10"]],
  ["steady-missing", ["steady", "--url", "URL"]],
  ["ramp-missing-to", ["ramp", "--url", "URL", "--from", "1/s", "--duration", "5s"]],
  ["ramp-same0", ["ramp", "--url", "URL", "--from", "0/s", "--to", "0/s", "--duration", "2s"]],
  ["timeout0", ["burst", "--url", "URL", "--size", "2", "--timeout", "0"]],
  ["timeout0s", ["burst", "--url", "URL", "--size", "2", "--timeout", "0s"]],
  ["timeout-neg", ["burst", "--url", "URL", "--size", "2", "--timeout", "-1s"]],
  ["mif0", ["burst", "--url", "URL", "--size", "2", "--max-in-flight", "0"]],
  ["mif-neg", ["burst", "--url", "URL", "--size", "2", "--max-in-flight", "-1"]],
  ["maxtok-neg", ["burst", "--url", "URL", "--size", "2", "--max-tokens", "-1"]],
  ["maxtok0", ["burst", "--url", "URL", "--size", "2", "--max-tokens", "0"]],
  ["maxtok-huge", ["burst", "--url", "URL", "--size", "2", "--max-tokens", "1e12"]],
  ["ptok-huge", ["burst", "--url", "URL", "--size", "1", "--prompt-tokens", "100000000"]],
  ["ptok0", ["burst", "--url", "URL", "--size", "1", "--prompt-tokens", "0"]],
  ["tpm0", ["burst", "--url", "URL", "--size", "2", "--tpm", "0"]],
  ["tpm-neg", ["burst", "--url", "URL", "--size", "2", "--tpm", "-5"]],
  ["rpm-NaN", ["burst", "--url", "URL", "--size", "2", "--rpm", "NaN"]],
  ["rpm1k0", ["burst", "--url", "URL", "--size", "2", "--tpm", "1000", "--rpm-per-1k-tpm", "0"]],
  ["format-xml", ["burst", "--url", "URL", "--size", "2", "--format", "xml"]],
  ["kind-foo", ["burst", "--url", "URL", "--size", "2", "--kind", "foo"]],
  ["api-v3", ["burst", "--endpoint", "http://HOST", "--deployment", "d", "--api", "v3", "--size", "2"]],
  ["transport-foo", ["burst", "--url", "URL", "--size", "2", "--transport", "foo"]],
  ["sim-nope", ["burst", "--sim", "nope"]],
  ["unknown-flag", ["burst", "--url", "URL", "--sizee", "2"]],
  ["unknown-cmd", ["bursts"]],
  ["url-ftp", ["burst", "--url", "ftp://HOST/x", "--size", "2"]],
  ["url-bad", ["burst", "--url", "not-a-url", "--size", "2"]],
  ["url-empty", ["burst", "--url", "", "--size", "2"]],
  ["url-userpass", ["burst", "--url", "http://user:pass@HOST/v1/chat/completions", "--size", "2"]],
  ["url-and-endpoint", ["burst", "--url", "URL", "--endpoint", "http://HOST", "--deployment", "d", "--size", "2"]],
  ["endpoint-nodep", ["burst", "--endpoint", "http://HOST", "--size", "2"]],
  ["deployment-only", ["burst", "--deployment", "d", "--size", "2"]],
  ["url-and-sim", ["burst", "--url", "URL", "--sim", "azure-seed", "--size", "2"]],
  ["record-proc", ["burst", "--url", "URL", "--size", "2", "--record", "/proc/nope/x.ndjson"]],
  ["record-devfull", ["burst", "--url", "URL", "--size", "2", "--record", "/dev/full"]],
  ["record-empty", ["burst", "--url", "URL", "--size", "2", "--record", ""]],
  ["expect-bad", ["burst", "--url", "URL", "--size", "2", "--expect", "requests.sent >>> 1"]],
  ["expect-unknown", ["burst", "--url", "URL", "--size", "2", "--expect", "requests.sentt > 1"]],
  ["expect-empty", ["burst", "--url", "URL", "--size", "2", "--expect", ""]],
  ["expect-units", ["burst", "--url", "URL", "--size", "2", "--expect", "latency.p95 < 2parsecs"]],
  ["json-and-format", ["burst", "--url", "URL", "--size", "2", "--json", "--format", "markdown"]],
  ["scn-devnull", ["run", "/dev/null", "--url", "URL"]],
  ["scn-none", ["run"]],
  ["rep-none", ["report"]],
  ["rep-devnull", ["report", "/dev/null"]],
  ["probe-budget0", ["probe", "--url", "URL", "--budget-requests", "0"]],
  ["probe-budget1", ["probe", "--url", "URL", "--budget-requests", "1"]],
  ["probe-btime0", ["probe", "--url", "URL", "--budget-time", "0s"]],
  ["probe-btime-tiny", ["probe", "--url", "URL", "--budget-time", "1ms"]],
  ["probe-btok0", ["probe", "--url", "URL", "--budget-tokens", "0"]],
  ["probe-btok-small", ["probe", "--url", "URL", "--budget-tokens", "10"]],
  ["ramp-from0", ["ramp", "--url", "URL", "--from", "0/s", "--to", "4/s", "--duration", "2s"]],
  ["burst-v1-apiver", ["burst", "--endpoint", "http://HOST", "--deployment", "d", "--api", "v1", "--api-version", "2024-10-21", "--size", "2"]],
  ["endpoint-path", ["burst", "--endpoint", "http://HOST/openai/deployments/x", "--deployment", "d", "--size", "2"]],
  ["deployment-empty", ["burst", "--endpoint", "http://HOST", "--deployment", "", "--size", "2"]],
  ["endpoint-empty", ["burst", "--endpoint", "", "--deployment", "d", "--size", "2"]],
  ["apikey-empty", ["burst", "--url", "URL", "--api-key", "", "--size", "2"]],
  ["deployment-space", ["burst", "--endpoint", "http://HOST", "--deployment", " ", "--size", "2"]],
  ["rate-on-burst", ["burst", "--url", "URL", "--size", "2", "--rate", "5/s"]],
  ["api-key-and-bearer", ["burst", "--url", "URL", "--api-key", "abcdefgh12345", "--bearer", "zyxwvu98765", "--size", "2"]],
  ["sim-port70000", ["sim", "--port", "70000"]],
  ["sim-port-neg", ["sim", "--port", "-1"]],
  ["sim-port-abc", ["sim", "--port", "abc"]],
  ["sim-port-inuse", ["sim", "--port", "PORT"]],
  ["sim-host-bad", ["sim", "--host", "nope.invalid", "--port", "0"]],
  ["sim-profile-bad", ["sim", "--profile", "nope"]],
  ["sim-tpm0", ["sim", "--tpm", "0"]],
  ["sim-tpm-neg", ["sim", "--tpm", "-5"]],
  ["sim-rpm0", ["sim", "--rpm", "0"]],
  ["sim-limiter-bad", ["sim", "--limiter", "garbage"]],
  ["sim-limiter-params", ["sim", "--limiter", "token-bucket:capacity=-1,rate=0/s"]],
  ["sim-limiter-unknownp", ["sim", "--limiter", "token-bucket:capacityy=5"]],
  ["sim-latency-neg", ["sim", "--latency", "-5ms"]],
  ["sim-latency-bad", ["sim", "--latency", "300ms±"]],
  ["sim-faultrate2", ["sim", "--fault-rate", "2"]],
  ["sim-faultrate-pct", ["sim", "--fault-rate", "150%"]],
  ["sim-faults-bad", ["sim", "--faults", "foo,500"]],
  ["sim-deployments-empty", ["sim", "--deployments", ""]],
  ["sim-window0", ["sim", "--request-window", "0s"]],
  ["sim-tps0", ["sim", "--tokens-per-second", "0"]],
  ["sim-apikey-empty", ["sim", "--api-key", ""]],
  ["sim-unknown", ["sim", "--foo"]],
  ["no-cmd", []],
  ["bearer-empty", ["burst", "--url", "URL", "--bearer", "", "--size", "2"]],
  ["model-empty", ["burst", "--url", "URL", "--model", "", "--size", "2"]],
  ["gap-without-bursts", ["burst", "--url", "URL", "--size", "2", "--gap", "5s"]],
  ["body-100mb", ["burst", "--url", "URL", "--size", "1", "--body", "FILE:huge.json"]],
  ["body-and-maxtok", ["burst", "--url", "URL", "--size", "2", "--body", "FILE:good.json", "--max-tokens", "50"]],
  ["scn-deep-yaml", ["run", "FILE:deep.yaml", "--url", "URL"]],
  ["scn-deep-json", ["run", "FILE:deep.json", "--url", "URL"]],
  ["scn-10mb", ["run", "FILE:many-phases.yaml", "--url", "URL"]],
  ["scn-pause-only", ["run", "FILE:pause-only.yaml", "--url", "URL"]],
  ["scn-utf16", ["run", "FILE:utf16.yaml", "--url", "URL"]],
  ["rep-same-twice", ["report", "FILE:rec.ndjson", "FILE:rec.ndjson", "--format", "json"]],
  ["rep-gz-ext", ["report", "FILE:rec.ndjson.gz"]],
  ["rep-gz-renamed", ["report", "FILE:gzip-renamed.ndjson"]],
  ["rep-badtypes", ["report", "FILE:bad-types.ndjson"]],
  ["rep-dupseq", ["report", "FILE:duplicate-seq.ndjson", "--format", "json"]],
];

/** What a message must say for the cases whose old message was weak or missing. */
const MESSAGES: Record<string, RegExp> = {
  'gap0': /--gap/,
  'rate-tiny': /sends no request/,
  'no-cmd': /no command/,
  'url-empty': /--url is empty/,
  'url-userpass': /user name or password/,
  'record-proc': /--record/,
  'record-devfull': /--record: \/dev\/full is not a regular file/,
  'record-empty': /--record is empty/,
  'endpoint-empty': /--endpoint is empty/,
  'apikey-empty': /--api-key is empty/,
  'bearer-empty': /--bearer is empty/,
  'model-empty': /--model is empty/,
  'gap-without-bursts': /--gap .*--bursts/,
  'body-100mb': /--body.*larger than/,
  'body-and-maxtok': /--max-tokens.*--body/,
  'scn-deep-yaml': /nested/,
  'scn-deep-json': /nested/,
  'scn-10mb': /MiB.*merge its phases/,
  'scn-pause-only': /sends no request/,
  'scn-utf16': /UTF-16/,
  'rep-same-twice': /twice/,
  'rep-gz-ext': /gzip/,
  'rep-gz-renamed': /gzip/,
  'rep-badtypes': /:3: "status" is "two hundred"/,
  'rep-dupseq': /request #1/,
  'probe-btok-small': /--budget-tokens/,
};

/**
 * Inputs that look odd but are valid (the README lists them under "Odd-looking inputs that
 * are valid"): [audit case, arguments, requests the server must receive, what each received
 * request's path must be (or null: any)]. Each must run, exit 0 and send exactly that.
 */
const VALID_CASES: [string, string[], number, string | null][] = [
  ["size-space", ["burst", "--url", "URL", "--size", " 2 "], 2, "/v1/chat/completions"],
  ["dup-flag", ["burst", "--url", "URL", "--size", "2", "--size", "3"], 3, "/v1/chat/completions"],
  ["timeout-1ms", ["burst", "--url", "URL", "--size", "2", "--timeout", "1ms"], -1, null],
  ["url-space", ["burst", "--url", "ORIGIN/a b", "--size", "2"], 2, "/a%20b"],
  ["url-fragment", ["burst", "--url", "URL#frag", "--size", "2"], 2, "/v1/chat/completions"],
  ["url-unicode", ["burst", "--url", "ORIGIN/v1/chät", "--size", "2"], 2, "/v1/ch%C3%A4t"],
  ["endpoint-trailing", ["burst", "--endpoint", "ORIGIN/", "--deployment", "d", "--size", "2"], 2, "/openai/deployments/d/chat/completions?api-version=2024-10-21"],
  ["deployment-weird", ["burst", "--endpoint", "ORIGIN", "--deployment", "a/b?c#d", "--size", "2"], 2, "/openai/deployments/a%2Fb%3Fc%23d/chat/completions?api-version=2024-10-21"],
  ["body-array", ["burst", "--url", "URL", "--size", "2", "--body", "FILE:array.json"], 2, "/v1/chat/completions"],
  ["body-and-stream", ["burst", "--url", "URL", "--size", "2", "--body", "FILE:good.json", "--stream"], 2, "/v1/chat/completions"],
  ["burst-stream-embed", ["burst", "--url", "URL", "--size", "2", "--kind", "embeddings", "--stream"], 2, "/v1/chat/completions"],
  ["burst-emb-maxtok", ["burst", "--url", "URL", "--size", "2", "--kind", "embeddings", "--max-tokens", "100"], 2, "/v1/chat/completions"],
  ["model-unknown", ["burst", "--url", "URL", "--size", "2", "--model", "llama-3", "--prompt-tokens", "10"], 2, "/v1/chat/completions"],
  ["ramp-down", ["ramp", "--url", "URL", "--from", "4/s", "--to", "1/s", "--duration", "2s"], -1, "/v1/chat/completions"],
  ["scn-bom", ["run", "FILE:bom.yaml", "--url", "URL"], 2, "/v1/chat/completions"],
];

/**
 * Rows that run through the real executable: at least one refusal of every command, a
 * missing command, an unknown one, and the huge and nested files (a spawned process's
 * stack and heap are what a user's are; the test worker's are not).
 */
const THROUGH_THE_BIN = new Set(['size0', 'rate0', 'ramp-missing-to', 'unknown-flag', 'unknown-cmd', 'no-cmd', 'url-userpass', 'record-devfull', 'scn-none', 'rep-badtypes', 'probe-budget0', 'sim-port-inuse', 'sim-limiter-params', 'body-100mb', 'scn-deep-yaml', 'scn-deep-json', 'scn-10mb']);
/** Valid rows that run through the real executable. */
const VALID_THROUGH_THE_BIN = new Set(['size-space', 'url-unicode', 'endpoint-trailing', 'scn-bom', 'ramp-down']);

type Runner = (args: string[]) => Promise<CliResult>;
const inProcess: Runner = (args) => runInProcess(args, { cwd: folder, env: NO_REAL_TARGET });
const throughTheBin: Runner = (args) => runCli(args, { cwd: folder, env: NO_REAL_TARGET, timeoutMs: 60_000 });

beforeAll(() => {
  ensureBuilt();
  folder = temporaryFolder('audit-bad-input');
  for (const [name, content] of Object.entries(fixtures())) writeFileSync(join(folder, name), content);
}, 240_000);

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function substitute(args: readonly string[], server: LoopbackServer): string[] {
  const host = new URL(server.origin).host;
  return args.map((arg) =>
    arg.startsWith('FILE:')
      ? join(folder, arg.slice('FILE:'.length))
      : arg.replace(/^URL/, `${server.origin}/v1/chat/completions`).replace(/^ORIGIN/, server.origin).replace('HOST', host).replace(/^PORT$/, String(server.port)),
  );
}

/** One bad row: exit 2, one message per problem, nothing on stdout, nothing sent. */
async function checkRefused(run: Runner, name: string, args: string[]): Promise<void> {
  // A server per case: the cases run side by side, and each must send nothing.
  const server = await startServer((_request, response) => answerOk(response));
  try {
    const result = await run(substitute(args, server));
    // commander's own hints ("(Did you mean --size?)", "(run with --help for usage)") come in brackets.
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('('));
    expect({ code: result.code, stdout: result.stdout }, result.stderr).toEqual({ code: 2, stdout: '' });
    expect(lines.length, result.stderr).toBeGreaterThan(0);
    expect(lines.filter((line) => !line.startsWith('aoai-probe: ')), result.stderr).toEqual([]);
    expect(lines.length, result.stderr).toBeLessThanOrEqual(3);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).not.toContain('internal error');
    if (MESSAGES[name] !== undefined) expect(result.stderr).toMatch(MESSAGES[name]!);
    expect(server.received).toHaveLength(0);
  } finally {
    await server.close();
  }
}

describe('the audit\'s bad inputs, through the program', () => {
  it.each(CASES.filter(([name]) => !THROUGH_THE_BIN.has(name)))('%s: exit 2, one message per problem, nothing sent', (name, args) => checkRefused(inProcess, name, args), 90_000);
});

describe('the audit\'s bad inputs, through the real CLI', () => {
  it('names rows that are in the table', () => {
    const names = new Set(CASES.map(([name]) => name));
    expect([...THROUGH_THE_BIN].filter((name) => !names.has(name))).toEqual([]);
    expect([...VALID_THROUGH_THE_BIN].filter((name) => !VALID_CASES.some(([valid]) => valid === name))).toEqual([]);
  });
  it.concurrent.each(CASES.filter(([name]) => THROUGH_THE_BIN.has(name)))('%s: exit 2, one message per problem, nothing sent', (name, args) => checkRefused(throughTheBin, name, args), 90_000);
});

/** One valid row: exit 0, exactly the requests the README says, at the path it says. */
async function checkValid(run: Runner, name: string, args: string[], count: number, path: string | null, where: string): Promise<void> {
  const server = await startServer((_request, response) => answerOk(response));
  try {
    const result = await run([...substitute(args, server), '--record', join(folder, `valid-${name}-${where}.ndjson`)]);
    expect(result.code, result.stderr).toBe(0);
    expect(hasStackTrace(result.stderr)).toBe(false);
    if (count >= 0) expect(server.received, result.stderr).toHaveLength(count);
    else expect(server.received.length, result.stderr).toBeGreaterThan(0);
    if (path !== null) for (const request of server.received) expect(request.url).toBe(path);
  } finally {
    await server.close();
  }
}

describe('the audit\'s odd-looking but valid inputs, through the program', () => {
  it.each(VALID_CASES.filter(([name]) => !VALID_THROUGH_THE_BIN.has(name)))('%s: runs, exits 0 and sends what the README says', (name, args, count, path) => checkValid(inProcess, name, args, count, path, 'main'), 90_000);
});

describe('the audit\'s odd-looking but valid inputs, through the real CLI', () => {
  it.concurrent.each(VALID_CASES.filter(([name]) => VALID_THROUGH_THE_BIN.has(name)))('%s: runs, exits 0 and sends what the README says', (name, args, count, path) =>
    checkValid(throughTheBin, name, args, count, path, 'bin'), 90_000);
});
