/**
 * Declared deployments: the model decides the RPM per 1,000 TPM and the charge
 * without max_tokens; limits per deployment; the YAML file; bad declarations
 * are configuration errors naming the fix; bare names keep the old guesses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { simulatorOptionsFromFlags } from '../../src/cli/commands/sim-action.js';
import { InputError } from '../../src/errors.js';
import { SimulatorConfigError, modelFacts, parseDeploymentSpec, startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, post } from './helpers.js';

const workDir = mkdtempSync(join(tmpdir(), 'aoai-sim-deployments-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

describe('model facts', () => {
  it('knows the documented RPM per 1,000 TPM and the encodings', () => {
    expect(modelFacts('gpt-4o-mini')).toMatchObject({ rpmPer1kTpm: 6, encoding: 'o200k_base', kind: 'chat' });
    expect(modelFacts('gpt-4.1')).toMatchObject({ rpmPer1kTpm: 1, encoding: 'o200k_base' });
    expect(modelFacts('o3-mini')).toMatchObject({ rpmPer1kTpm: 0.1 });
    expect(modelFacts('o1').rpmPer1kTpm).toBeCloseTo(1 / 6);
    expect(modelFacts('gpt-35-turbo')).toMatchObject({ rpmPer1kTpm: 6, encoding: 'cl100k_base', defaultCharge: { flat: 16 } });
    expect(modelFacts('text-embedding-3-small')).toMatchObject({ kind: 'embeddings', encoding: 'cl100k_base' });
    expect(modelFacts('gpt-35-turbo-instruct').kind).toBe('completions');
  });
});

describe('declared deployments', () => {
  it('take RPM from the model, TPM from the declaration, and the model\'s charge without max_tokens', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({
      clock: clock.read,
      subsecondCap: false,
      deployments: [
        { name: 'prod-chat', model: 'gpt-4.1', tpm: 100_000 },
        { name: 'legacy', model: 'gpt-35-turbo', tpm: 20_000 },
      ],
    });
    expect(simulator.describe()).toContain('deployments: prod-chat (gpt-4.1, chat, 100,000 TPM, 100 RPM), legacy (gpt-35-turbo, chat, 20,000 TPM, 120 RPM)');
    // gpt-4.1: 1 RPM per 1,000 TPM → 100 RPM → 17 per 10 s (rounded up); 100,000 tokens.
    const chat = await post(simulator.url + chatPath('prod-chat'), chatBody());
    expect(chat.headers['x-ratelimit-limit-requests']).toBe('17');
    expect(chat.headers['x-ratelimit-limit-tokens']).toBe('100000');
    expect(chat.json.model).toBe('gpt-4.1');
    // A name that says nothing about gpt-35 still gets its flat 16: the model is declared.
    const legacy = await post(simulator.url + chatPath('legacy'), chatBody({}, 'x'.repeat(400)));
    expect(Number(legacy.headers['x-ratelimit-limit-tokens']) - Number(legacy.headers['x-ratelimit-remaining-tokens'])).toBe(16);
    expect(legacy.headers['x-ratelimit-limit-requests']).toBe('20');
    expect((await post(simulator.url + chatPath('other'), chatBody())).status).toBe(404);
  });

  it('reads a YAML file (a list or a mapping) and an explicit rpm', async () => {
    const file = join(workDir, 'deployments.yaml');
    writeFileSync(file, 'deployments:\n  - name: chat\n    model: gpt-4o-mini\n    tpm: 10k\n    rpm: 600\n  - { name: embed, model: text-embedding-3-small }\n');
    simulator = await startSimulator({ deploymentsFile: file, tpm: 30_000 });
    expect(simulator.describe()).toContain('chat (gpt-4o-mini, chat, 10,000 TPM, 600 RPM), embed (text-embedding-3-small, embeddings, 30,000 TPM, 180 RPM)');
    const mapping = join(workDir, 'mapping.yaml');
    writeFileSync(mapping, 'deployments:\n  chat: { model: gpt-4o, kind: chat }\n');
    await simulator.close();
    simulator = await startSimulator({ deploymentsFile: mapping });
    expect(simulator.describe()).toContain('chat (gpt-4o, chat, 50,000 TPM, 300 RPM)');
  });

  it('names every problem of a declaration, a flag or a file', async () => {
    const problems: string[] = [];
    parseDeploymentSpec('chat', '--deployment', problems);
    parseDeploymentSpec('chat:kind=speech,tpm=lots,colour=red', '--deployment', problems);
    expect(problems.join('\n')).toMatch(/--deployment: "chat" needs a name and a model/);
    expect(problems.join('\n')).toMatch(/"colour=red" in "chat:kind=speech,tpm=lots,colour=red" is not one of model=…, kind=…, tpm=…, rpm=…/);
    expect(problems.join('\n')).toMatch(/needs a model/);
    expect(problems.join('\n')).toMatch(/kind "speech" is not one of chat, embeddings, completions/);
    expect(problems.join('\n')).toMatch(/tpm must be a positive number/);
    expect(() => simulatorOptionsFromFlags({ port: '0', host: '127.0.0.1', profile: 'azure-standard', deployment: ['x:tpm=5'], seed: 'abc' })).toThrow(InputError);
    const bad = join(workDir, 'bad.yaml');
    writeFileSync(bad, 'deployments: 3\n');
    await expect(startSimulator({ deploymentsFile: bad })).rejects.toThrow(/needs a "deployments:" list/);
    await expect(startSimulator({ deploymentsFile: join(workDir, 'missing.yaml') })).rejects.toThrow(SimulatorConfigError);
    await expect(startSimulator({ deployments: ['a', { name: 'a', model: 'gpt-4o' }] })).rejects.toThrow(/"a" is declared twice/);
  });

  it('flags become options: repeatable --deployment beside --deployments, --seed, --replay, --record-to', () => {
    const options = simulatorOptionsFromFlags({
      port: '0',
      host: '127.0.0.1',
      profile: 'azure-standard',
      deployments: 'gpt-4o',
      deployment: ['chat:model=gpt-4o-mini,tpm=100000', 'embed:model=text-embedding-3-small,kind=embeddings'],
      seed: '42',
      replay: 'incident.ndjson',
      recordTo: 'served.ndjson',
    });
    expect(options.deployments).toEqual(['gpt-4o', { name: 'chat', model: 'gpt-4o-mini', tpm: 100_000 }, { name: 'embed', model: 'text-embedding-3-small', kind: 'embeddings' }]);
    expect([options.seed, options.replay, options.recordTo]).toEqual([42, 'incident.ndjson', 'served.ndjson']);
  });
});
