/**
 * Errors users can act on: the decision on plain outcomes (pure), then whole runs
 * in-process (main() with a captured CliIo) against a loopback server that answers
 * 401, 403 or 404 the way Azure does. The run stops after the first few, exits 2
 * with one sentence naming the flag to change, and the recording keeps what was sent.
 */
import type { ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/errors.js';
import { AUTH_STOP_AFTER, AuthStopWatch, decideAuthStop, type AuthOutcome, type AuthStopContext } from '../../src/run/auth-stop.js';
import type { EndLine } from '../../src/record/types.js';
import { fakeIo } from '../report/fake-io.js';
import { answerOk, startServer, type LoopbackServer } from '../trust/support/servers.js';
import { request } from '../analysis/records.js';

const KEY_CONTEXT: AuthStopContext = { credential: 'api-key', deployment: 'gpt-4o', azure: true };
const outcome = (status: number | null, code: string | null = null, message: string | null = null): AuthOutcome => ({ status, code, message });

describe('decideAuthStop', () => {
  it('stops once the first answers are all 401, 403 or 404, and not before', () => {
    const refused = Array.from({ length: AUTH_STOP_AFTER }, () => outcome(401, '401', 'Access denied due to invalid subscription key'));
    expect(decideAuthStop(refused.slice(0, -1), KEY_CONTEXT)).toBeNull();
    expect(decideAuthStop(refused, KEY_CONTEXT)).toMatchObject({ status: 401 });
    expect(decideAuthStop(refused, KEY_CONTEXT)!.sentence).toContain('--api-key');
  });

  it('never stops when something worked or was refused for rate first', () => {
    for (const status of [200, 429]) {
      expect(decideAuthStop([outcome(status), ...Array.from({ length: 5 }, () => outcome(404))], KEY_CONTEXT)).toBeNull();
    }
  });

  it('ignores transport failures (no status) in the count', () => {
    const outcomes = [outcome(null), outcome(401), outcome(null), outcome(401)];
    expect(decideAuthStop(outcomes, KEY_CONTEXT)).toBeNull();
    expect(decideAuthStop([...outcomes, outcome(401)], KEY_CONTEXT)).not.toBeNull();
  });

  it('names the flag for each likely cause', () => {
    const stop = (outcomes: AuthOutcome[], context: AuthStopContext = KEY_CONTEXT) => decideAuthStop(outcomes, context)!.sentence;
    const three = (status: number, code: string | null, message: string | null) => Array.from({ length: AUTH_STOP_AFTER }, () => outcome(status, code, message));
    expect(stop(three(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist.'))).toContain('--deployment');
    expect(stop(three(404, '404', 'Resource not found'))).toContain('--api-version');
    expect(stop(three(404, null, null), { ...KEY_CONTEXT, azure: false })).toContain('--url');
    expect(stop(three(403, 'AuthenticationTypeDisabled', 'Key based authentication is disabled for this resource.'))).toContain('--entra');
    expect(stop(three(403, 'PermissionDenied', 'The principal lacks the required data action'), { ...KEY_CONTEXT, credential: 'entra' })).toContain('Cognitive Services OpenAI User');
    expect(stop(three(401, null, null), { ...KEY_CONTEXT, credential: 'none' })).toContain('--api-key KEY');
    expect(stop(three(401, null, null), { ...KEY_CONTEXT, credential: 'bearer' })).toContain('--entra');
  });

  it('the watcher settles for good after a working answer', () => {
    const watch = new AuthStopWatch(KEY_CONTEXT);
    expect(watch.observe(request(0, { status: 200 }))).toBeNull();
    for (let seq = 1; seq < 10; seq++) expect(watch.observe(request(seq, { status: 404, error: { code: 'DeploymentNotFound', message: null, type: null } }))).toBeNull();
  });
});

/** Azure-shaped error answers. */
const ANSWERS: Record<string, (response: ServerResponse) => void> = {
  'wrong key': (response) => azureError(response, 401, '401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.'),
  'wrong deployment': (response) => azureError(response, 404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.'),
  'key auth disabled': (response) => azureError(response, 403, 'AuthenticationTypeDisabled', 'Key based authentication is disabled for this resource.'),
};

function azureError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { code, message } }));
}

describe('a run against a target that refuses its configuration', () => {
  let server: LoopbackServer;
  let folder: string;
  let answer: (response: ServerResponse) => void;
  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-auth-stop-'));
    server = await startServer((_request, response) => answer(response));
  });
  afterEach(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const PLANNED = 40;
  async function steady() {
    const io = fakeIo(
      ['steady', '--rate', '20/s', '--duration', `${PLANNED / 20}s`, '--endpoint', server.origin, '--deployment', 'gpt-4o', '--api-key', 'a-wrong-key-for-the-test', '--record', 'run.ndjson', '--json'],
      { cwd: folder },
    );
    await main(io);
    return io;
  }

  it.each([
    ['wrong key', '--api-key'],
    ['wrong deployment', '--deployment'],
    ['key auth disabled', '--entra'],
  ])('%s: stops after the first few with one sentence naming %s, exit 2', async (name, flag) => {
    answer = ANSWERS[name]!;
    const io = await steady();
    expect(io.exitCode()).toBe(EXIT.input);
    const sentence = io.err().split('\n').find((line) => line.startsWith('aoai-probe: '));
    expect(sentence).toContain(flag);
    expect(io.err()).not.toContain('a-wrong-key-for-the-test');
    // No summary table of failures, no JSON: the sentence is the output.
    expect(io.out()).toBe('');
    expect(server.received.length).toBeGreaterThanOrEqual(AUTH_STOP_AFTER);
    expect(server.received.length).toBeLessThan(PLANNED / 2);
    const lines = readFileSync(join(folder, 'run.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const end = lines[lines.length - 1] as EndLine;
    expect(end).toMatchObject({ type: 'end', reason: 'error', sent: server.received.length });
    expect(end.message).toBe(sentence!.slice('aoai-probe: '.length));
  });

  it('a working target with a later 404 runs to the end', async () => {
    answer = (response) => (server.received.length === 1 ? answerOk(response) : ANSWERS['wrong deployment']!(response));
    const io = await steady();
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(server.received.length).toBe(PLANNED);
  });
});
