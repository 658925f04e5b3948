/**
 * Bad input through the program: every flag value, target,
 * expectation, scenario file and recording is checked before anything is sent; each
 * problem is named with its fix; all problems are listed at once; exit 2; never a
 * stack trace; nothing sent (a loopback server counts requests) and no recording left.
 * The table of kinds runs in-process (`main()` with a captured CliIo: the bin is
 * `main(processIo())`), the rows in THROUGH_THE_BIN and the other tests through the real
 * executable.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, hasStackTrace, runCli, temporaryFolder } from '../support/spawn-cli.js';
import { runInProcess } from '../support/run-in-process.js';
import { AZURE_PATH, answerOk, startServer, type LoopbackServer } from './support/servers.js';

let folder: string;
let server: LoopbackServer;
let url: string;

const RUN_LINE = JSON.stringify({ type: 'run', v: 1, tool: { name: 'aoai-probe', version: '0.1.0' }, command: 'burst', startedAt: '2026-01-01T00:00:00.000Z', advertised: { tpm: null, rpm: null, source: 'none' }, targets: [], payload: { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false } });

beforeAll(async () => {
  ensureBuilt();
  folder = temporaryFolder('bad-input');
  server = await startServer((_request, response) => answerOk(response));
  url = `${server.origin}${AZURE_PATH}`;
  const files: Record<string, string> = {
    'a-file': 'not a folder',
    'bad.json': '{"messages": [',
    'broken.yaml': 'phases: [ { burst: { size: 2 } \n',
    'unknown-key.yaml': 'maxToken: 10\nphases:\n  - burst: { size: ten }\n',
    'empty.yaml': '',
    'secret.yaml': 'apiKey: abc\nphases:\n  - burst: 2\n',
    'alias.yaml': 'phases: *missing\n',
    'laughs.yaml': `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, index) => `${String.fromCharCode(98 + index)}: &${String.fromCharCode(98 + index)} [${Array(10).fill(`*${String.fromCharCode(97 + index)}`).join(', ')}]`).join('\n')}\nphases:\n  - burst: 2\n`,
    'scenario.txt': 'phases: []\n',
    'not-recording.ndjson': '{"hello":1}\n',
    'v99.ndjson': `${RUN_LINE.replace('"v":1', '"v":99')}\n`,
    'damaged.ndjson': `${RUN_LINE}\nthis is not json\n{"type":"end","reason":"completed","endMs":1,"sent":0,"dropped":0}\n`,
    'empty.ndjson': '',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  mkdirSync(join(folder, 'a-folder'));
}, 240_000);

afterAll(async () => {
  // Not one of the bad commands sent a request.
  expect(server.received).toHaveLength(0);
  await server.close();
});

/** [what, arguments, what stderr must say]; `URL` stands for a loopback server that must receive nothing. */
const CASES: [string, string[], RegExp[]][] = [
  ['a size that is not a number', ['burst', '--size', 'ten'], [/--size: "ten" is not a whole number ≥ 1; e\.g\. --size 20/]],
  ['a size of zero', ['burst', '--size', '0'], [/--size: "0" is not a whole number ≥ 1/]],
  ['a burst too large to plan', ['burst', '--size', '200000'], [/--size: 200,000 is more than the 100,000 one burst may hold/]],
  ['a gap that is not a duration', ['burst', '--gap', 'soon'], [/--gap: "soon" is not a duration; write it like 500ms, 10s, 2m or 1m30s/]],
  ['steady without its required flags', ['steady'], [/--rate is required; e\.g\. --rate 5\/s/, /--duration is required; e\.g\. --duration 30s/]],
  ['a rate that is not a rate', ['steady', '--rate', 'fast', '--duration', '10s'], [/--rate: "fast" is not a rate; write it like 5\/s, 300\/m or 50\/10s/]],
  ['a zero duration', ['steady', '--rate', '5/s', '--duration', '0'], [/--duration: the duration must be above zero/]],
  ['a plan too large to hold', ['steady', '--rate', '1000000/s', '--duration', '1h'], [/this plan holds 3,600,000,000 requests, more than the 10,000,000 one run may plan; lower --rate or shorten --duration/]],
  ['a rate beyond any number', ['ramp', '--from', '1/s', '--to', `${'9'.repeat(400)}/s`, '--duration', '10s'], [/--to: ".*" is not a rate a run can keep/]],
  ['a timeout that is not a duration', ['burst', '--timeout', '5parsecs'], [/--timeout: "5parsecs" is not a duration/]],
  ['a zero timeout', ['burst', '--timeout', '0'], [/--timeout: the duration must be above zero; e\.g\. --timeout 30s/]],
  ['a negative --max-requests', ['burst', '--max-requests', '-3'], [/--max-requests: "-3" is not a whole number ≥ 1/]],
  ['a zero --max-in-flight', ['burst', '--max-in-flight', '0'], [/--max-in-flight: "0" is not a whole number ≥ 1/]],
  ['a fractional --max-tokens', ['burst', '--max-tokens', '1.5'], [/--max-tokens: "1\.5" is not a whole number/]],
  ['a prompt larger than any model takes', ['burst', '--prompt-tokens', '5000000'], [/--prompt-tokens: 5,000,000 is more tokens than any model accepts in one request/]],
  ['a token budget that is not a number', ['burst', '--max-estimated-tokens', 'lots'], [/--max-estimated-tokens: "lots" is not a whole number/]],
  ['a ratio that is not a number', ['burst', '--rpm-per-1k-tpm', 'abc'], [/--rpm-per-1k-tpm: "abc" is not a positive number; e\.g\. --rpm-per-1k-tpm 6/]],
  ['TPM written with a suffix', ['burst', '--tpm', '50k'], [/--tpm: "50k" is not a whole number/]],
  ['an unknown simulator profile', ['burst', '--sim', 'azure-fast'], [/--sim: "azure-fast" is not a simulator profile; choose one of azure-standard, azure-seed, azure-ptu, openai/]],
  ['--sim with a target', ['burst', '--sim', 'azure-seed', '--url', 'URL'], [/--sim cannot be combined with --url or --endpoint/]],
  ['an unknown output format', ['burst', '--format', 'pdf'], [/--format: "pdf" is not one of table, json, markdown, html/]],
  ['an unknown endpoint kind', ['burst', '--kind', 'images'], [/--kind: "images" is not one of chat, embeddings, responses/]],
  ['an unknown API shape', ['burst', '--api', 'v3', '--endpoint', 'http://127.0.0.1:9', '--deployment', 'd'], [/--api: "v3" is not one of classic, v1/]],
  ['--json with another stdout format', ['burst', '--json', '--format', 'html'], [/--json and --format html both want stdout/]],
  ['a URL that is not a URL', ['burst', '--url', 'notaurl'], [/--url: "notaurl" is not an absolute http\(s\) URL; write it like https:\/\/host\/path/]],
  ['a URL that is not http', ['burst', '--url', 'ftp://127.0.0.1/x'], [/--url: "ftp:\/\/127\.0\.0\.1\/x" is not an absolute http\(s\) URL/]],
  ['an endpoint without a deployment', ['burst', '--endpoint', 'http://127.0.0.1:9'], [/--endpoint needs a deployment: add --deployment NAME \(or set AZURE_OPENAI_DEPLOYMENT\)/]],
  ['a full request URL as endpoint', ['burst', '--endpoint', 'URL', '--deployment', 'd'], [/--endpoint: ".*" has a query string; give the resource URL only/]],
  ['two credentials', ['burst', '--url', 'URL', '--api-key', 'k-0123456789', '--bearer', 't-0123456789'], [/--api-key and --bearer were both given; a request carries one credential/]],
  ['a deployment without a target', ['burst', '--deployment', 'gpt-4o'], [/--deployment was given without a target; add --endpoint URL --deployment NAME/]],
  ['an incomplete expectation', ['burst', '--url', 'URL', '--expect', 'latency.p95 <'], [/--expect "latency\.p95 <"/]],
  ['an expectation on an unknown field', ['burst', '--url', 'URL', '--expect', 'nosuch.field > 1'], [/--expect "nosuch\.field > 1": unknown field "nosuch\.field"/]],
  ['a body file that does not exist', ['burst', '--body', 'missing.json'], [/--body: missing\.json: no such file; give a file holding the JSON request body/]],
  ['a body file that is not JSON', ['burst', '--body', 'bad.json'], [/--body: bad\.json: not valid JSON/]],
  ['a body that is a folder', ['burst', '--body', 'a-folder'], [/--body: a-folder: is a folder/]],
  ['a recording path under a file', ['burst', '--url', 'URL', '--record', 'a-file/run.ndjson'], [/--record: a-file\/run\.ndjson cannot be created: .*a-file is a file, not a folder; give a file path in a folder you can write to/]],
  ['an --out path that is a folder', ['burst', '--url', 'URL', '--format', 'html', '--out', 'a-folder'], [/--out: a-folder is a folder; give a file path/]],
  ['a --junit path under a file', ['burst', '--url', 'URL', '--junit', 'a-file/junit.xml'], [/--junit: a-file\/junit\.xml cannot be created: .*a-file is a file, not a folder/]],
  ['--out without --format', ['burst', '--url', 'URL', '--out', 'report.html'], [/--out report\.html takes the --format output; add --format html, markdown, json or table/]],
  ['an unknown flag', ['burst', '--sizee', '5'], [/unknown option '--sizee'/, /Did you mean --size\?/]],
  ['a scenario file that does not exist', ['run', 'missing.yaml'], [/missing\.yaml: no such file; the examples are in scenarios\//]],
  ['a scenario file with another extension', ['run', 'scenario.txt'], [/scenario\.txt: a scenario file ends in \.yaml, \.yml or \.json/]],
  ['a scenario file that is not YAML', ['run', 'broken.yaml'], [/broken\.yaml:\d+:\d+: /]],
  ['a scenario file with a typo and a bad value', ['run', 'unknown-key.yaml'], [/unknown-key\.yaml:1:1: maxToken: unknown key \(allowed: name, description, target/, /unknown-key\.yaml:3:\d+: phases\[0\]\.burst\.size: /]],
  ['an empty scenario file', ['run', 'empty.yaml'], [/empty\.yaml: the file is empty; a scenario needs at least "phases:"/]],
  ['a scenario file with an alias to nothing', ['run', 'alias.yaml'], [/alias\.yaml: Unresolved alias .*; define each &anchor before its \*alias/]],
  ['a scenario file that expands without end (billion laughs)', ['run', 'laughs.yaml'], [/laughs\.yaml: Excessive alias count/]],
  ['a key in a scenario file', ['run', 'secret.yaml'], [/apiKey: keys and tokens never go in a scenario file; set AZURE_OPENAI_API_KEY/]],
  ['a recording that does not exist', ['report', 'missing.ndjson'], [/missing\.ndjson: no such file; check the path/]],
  ['a file that is not a recording', ['report', 'not-recording.ndjson'], [/not-recording\.ndjson is not an aoai-probe recording \(its first line is not a "run" line\)/]],
  ['a recording of an unknown version', ['report', 'v99.ndjson'], [/v99\.ndjson is a version 99 recording, and this aoai-probe reads version 1; use the aoai-probe version that wrote it/]],
  ['a recording damaged in the middle', ['report', 'damaged.ndjson'], [/damaged\.ndjson:2: not valid JSON/, /has 1 damaged line before its end/]],
  ['an empty recording', ['report', 'empty.ndjson'], [/empty\.ndjson is empty, not a recording/]],
  ['a report format that does not exist', ['report', 'v99.ndjson', '--format', 'pdf'], [/argument 'pdf' is invalid/]],
  ['an unknown simulator profile for sim', ['sim', '--profile', 'azure-fast'], [/azure-fast/]],
];

/** Rows that run through the real executable: one or more per command, and commander's own refusal. */
const THROUGH_THE_BIN = new Set(['a size that is not a number', 'steady without its required flags', 'an unknown flag', 'a scenario file with a typo and a bad value', 'a scenario file that expands without end (billion laughs)', 'a file that is not a recording', 'an unknown simulator profile for sim']);

describe('each kind of bad input: exit 2, a message naming the problem and its fix, no stack trace, nothing sent', () => {
  it('runs the named rows through the real executable', () => {
    expect([...THROUGH_THE_BIN].filter((what) => !CASES.some(([row]) => row === what))).toEqual([]);
  });

  it.each(CASES)('%s', async (what, args, messages) => {
    const cwd = join(folder);
    const argv = args.map((arg) => (arg === 'URL' ? url : arg));
    const run = THROUGH_THE_BIN.has(what) ? await runCli(argv, { cwd, timeoutMs: 30_000 }) : await runInProcess(argv, { cwd });
    for (const message of messages) expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('internal error');
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    // Messages are ours: one "aoai-probe:" line per problem (commander adds its usage hint lines).
    expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('(')).every((line) => line.startsWith('aoai-probe') || line.startsWith('Usage') || line.startsWith('sim:'))).toBe(true);
    expect(existsSync(join(cwd, 'aoai-probe-runs'))).toBe(false);
  });

  it('has at least 15 kinds', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });
});

describe('all problems at once', () => {
  it('lists every flag, target and expectation problem of one command line together', async () => {
    const run = await runCli(['burst', '--size', 'ten', '--timeout', '0', '--format', 'pdf', '--kind', 'images', '--url', 'notaurl', '--expect', 'x <', '--max-tokens', 'many'], { cwd: folder });
    expect(run.code).toBe(2);
    const problems = run.stderr.trim().split('\n');
    expect(problems).toHaveLength(7);
    for (const flag of ['--size', '--timeout', '--format', '--kind', '--url', '--expect', '--max-tokens']) expect(problems.some((line) => line.startsWith(`aoai-probe: ${flag}`))).toBe(true);
  });

  it('lists a scenario file\'s problems together with the flags\'', async () => {
    const run = await runCli(['run', 'unknown-key.yaml', '--timeout', 'soon', '--format', 'pdf'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown-key\.yaml:1:1: maxToken: unknown key/);
    expect(run.stderr).toMatch(/--timeout: "soon" is not a duration/);
    expect(run.stderr).toMatch(/--format: "pdf" is not one of/);
  });

  it('lists the problems of several recordings together', async () => {
    const run = await runCli(['report', 'v99.ndjson', 'missing.ndjson', 'empty.ndjson'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/v99\.ndjson is a version 99 recording/);
    expect(run.stderr).toMatch(/missing\.ndjson: no such file/);
    expect(run.stderr).toMatch(/empty\.ndjson is empty/);
  });
});

describe('the environment', () => {
  it('a GITHUB_STEP_SUMMARY that is a folder is refused before the run, not after it', async () => {
    const run = await runCli(['burst', '--url', url, '--size', '2'], { cwd: folder, env: { GITHUB_STEP_SUMMARY: join(folder, 'a-folder') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/GITHUB_STEP_SUMMARY: .*a-folder is a folder/);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});

describe('tolerated input', () => {
  it('a truncated last line (a run cut off mid-write) is skipped with a warning, and the rest analysed', async () => {
    const request = (seq: number) => JSON.stringify({ type: 'request', seq, phase: 'burst', target: 'default', plannedMs: 0, sentMs: 1, firstByteMs: 5, doneMs: 6, status: 200, errorKind: null, headers: {}, error: null, usage: null, estimatedTokens: 10, maxTokens: null, clientRequestId: `id-${seq}` });
    const cut = request(2).slice(0, 40);
    writeFileSync(join(folder, 'truncated.ndjson'), `${RUN_LINE}\n${request(0)}\n${request(1)}\n${cut}`);
    const run = await runCli(['report', 'truncated.ndjson', '--format', 'json'], { cwd: folder });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('last line of');
    expect(run.stderr).toContain('truncated.ndjson is truncated (a run that was cut off); it was ignored');
    expect(JSON.parse(run.stdout).requests.sent).toBe(2);
  });
});
