/** Azure-like (and OpenAI-like) answers to bad requests: 401, 404, 400, 405, 413. */
import { afterEach, describe, expect, it } from 'vitest';
import { replyTo, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { chatBody, chatPath, post, request } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<string> {
  simulator = await startSimulator(options);
  return simulator.url;
}

describe('Azure-like errors', () => {
  it('401 without api-key or bearer; any key accepted when no apiKey is set', async () => {
    const url = await start();
    const missing = await post(url + chatPath(), chatBody(), {});
    expect(missing.status).toBe(401);
    expect(missing.json.error.code).toBe('401');
    expect(missing.json.error.message).toContain('Access denied due to invalid subscription key');
    expect((await post(url + chatPath(), chatBody(), { 'api-key': 'anything' })).status).toBe(200);
    expect((await post(url + chatPath(), chatBody(), { authorization: 'Bearer entra-token' })).status).toBe(200);
  });

  it('serves key-less requests only with requireKey: false (an in-process target without credentials)', async () => {
    const url = await start({ requireKey: false });
    expect((await post(url + chatPath(), chatBody(), {})).status).toBe(200);
    await simulator!.close();
    const strict = await start({ requireKey: false, apiKey: 'k' });
    expect((await post(strict + chatPath(), chatBody(), {})).status).toBe(401);
    expect((await post(strict + chatPath(), chatBody(), { 'api-key': 'other' })).status).toBe(401);
  });

  it('a failure inside the simulator costs one request (500), not the server', async () => {
    let calls = 0;
    const lines: string[] = [];
    const url = await start({
      clock: () => {
        if (++calls === 1) throw new Error('clock broke');
        return 0;
      },
      log: (line) => lines.push(line),
    });
    const failed = await post(url + chatPath(), chatBody());
    expect([failed.status, failed.json.error.code]).toEqual([500, 'InternalServerError']);
    expect(lines[0]).toBe('simulator internal error: clock broke');
    expect((await post(url + chatPath(), chatBody())).status).toBe(200);
  });

  it('401 with a different key when apiKey is set, without echoing any key', async () => {
    const url = await start({ apiKey: 'right-key' });
    const wrong = await post(url + chatPath(), chatBody(), { 'api-key': 'wrong-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('wrong-key');
    expect(wrong.text).not.toContain('right-key');
    expect((await post(url + chatPath(), chatBody(), { authorization: 'Bearer wrong-key' })).status).toBe(401);
    expect((await post(url + chatPath(), chatBody(), { 'api-key': 'right-key' })).status).toBe(200);
    expect((await post(url + chatPath(), chatBody(), { authorization: 'Bearer right-key' })).status).toBe(200);
  });

  it('404 DeploymentNotFound only for names outside --deployments', async () => {
    const url = await start({ deployments: ['gpt-4o'] });
    const unknown = await post(url + chatPath('gpt-5'), chatBody());
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('DeploymentNotFound');
    const v1 = await post(url + '/openai/v1/chat/completions', { ...chatBody(), model: 'other' });
    expect([v1.status, v1.json.error.code]).toEqual([404, 'DeploymentNotFound']);
    expect((await post(url + chatPath('gpt-4o'), chatBody())).status).toBe(200);
    await simulator!.close();
    const open = await start();
    expect((await post(open + chatPath('any-name-at-all'), chatBody())).status).toBe(200);
  });

  it('404 "Resource not found" for paths with no API', async () => {
    const url = await start();
    const answer = await post(url + '/openai/deployments/x/images/edits?api-version=2024-10-21', {});
    expect([answer.status, answer.json.error.code, answer.json.error.message]).toEqual([404, '404', 'Resource not found']);
    expect((await request(url + '/', { method: 'GET' })).status).toBe(404);
  });

  it('400 for malformed JSON, a missing or empty messages list, a missing model on v1, a bad max_tokens, a missing input', async () => {
    const url = await start();
    const malformed = await post(url + chatPath(), '{"messages": [');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toContain('could not parse the JSON body');
    // A 400 on a known deployment still carries the rate-limit headers, uncharged.
    expect(malformed.headers['x-ratelimit-remaining-requests']).toBe('50');
    const noMessages = await post(url + chatPath(), { max_tokens: 5 });
    expect([noMessages.status, noMessages.json.error.param, noMessages.json.error.code]).toEqual([400, 'messages', 'missing_required_parameter']);
    expect((await post(url + chatPath(), { messages: [] })).status).toBe(400);
    const noModel = await post(url + '/openai/v1/chat/completions', chatBody());
    expect([noModel.status, noModel.json.error.param]).toEqual([400, 'model']);
    const badMax = await post(url + chatPath(), chatBody({ max_tokens: 0 }));
    expect([badMax.status, badMax.json.error.param]).toEqual([400, 'max_tokens']);
    const noInput = await post(url + '/openai/deployments/e/embeddings?api-version=2024-10-21', {});
    expect([noInput.status, noInput.json.error.param]).toEqual([400, 'input']);
    expect((await post(url + chatPath(), '[1,2]')).status).toBe(400);
  });

  it('405 for methods other than POST on an API path, with Allow: POST', async () => {
    const url = await start();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await request(url + chatPath(), { method, headers: { 'api-key': 'k' } });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST');
      expect(answer.json.error.code).toBe('405');
    }
  });

  it('refuses streaming on the Responses API with a clear 400 and serves it without streaming', async () => {
    const url = await start();
    const streamed = await post(url + '/openai/v1/responses', { model: 'gpt-4o', input: 'hi', stream: true });
    expect([streamed.status, streamed.json.error.param]).toEqual([400, 'stream']);
    const input = 'Reply with one word.';
    const plain = await post(url + '/openai/responses?api-version=2025-04-01-preview', { model: 'gpt-4o', input, max_output_tokens: 16 });
    expect(plain.status).toBe(200);
    const text = replyTo(input, 0, 16).text;
    expect(plain.json).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text }] }] });
  });
});

describe('OpenAI-like errors (openai profile)', () => {
  it('401 needs a bearer key, 404 unknown model, 400 invalid_request_error, 404 invalid URL', async () => {
    const url = await start({ profile: 'openai', deployments: ['gpt-4o-mini'] });
    const missing = await post(url + '/v1/chat/completions', { ...chatBody(), model: 'gpt-4o-mini' }, {});
    expect(missing.status).toBe(401);
    expect(missing.json.error.type).toBe('invalid_request_error');
    expect(missing.json.error.message).toContain("You didn't provide an API key");
    const unknown = await post(url + '/v1/chat/completions', { ...chatBody(), model: 'gpt-9' }, { authorization: 'Bearer sk-test' });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'model_not_found']);
    const bad = await post(url + '/v1/chat/completions', '{', { authorization: 'Bearer sk-test' });
    expect([bad.status, bad.json.error.type]).toEqual([400, 'invalid_request_error']);
    const nowhere = await post(url + '/v1/nothing', {}, { authorization: 'Bearer sk-test' });
    expect([nowhere.status, nowhere.json.error.message]).toEqual([404, 'Invalid URL (POST /v1/nothing)']);
  });

  it('401 invalid_api_key for a wrong key, never echoing it', async () => {
    const url = await start({ profile: 'openai', apiKey: 'sk-right' });
    const wrong = await post(url + '/v1/chat/completions', { ...chatBody(), model: 'gpt-4o' }, { authorization: 'Bearer sk-wrong' });
    expect([wrong.status, wrong.json.error.code]).toEqual([401, 'invalid_api_key']);
    expect(wrong.text).not.toContain('sk-wrong');
  });
});
