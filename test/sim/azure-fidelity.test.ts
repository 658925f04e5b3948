/**
 * Details where the simulator must answer as Azure does for a client to be fooled:
 * embeddings that tell texts apart, usage counted per input, and the 404 a classic path
 * gets without its api-version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { chatBody, chatPath, post } from './helpers.js';

let simulator: RunningSimulator;
beforeAll(async () => {
  simulator = await startSimulator({ profile: 'azure-standard', port: 0, tpm: 1_000_000 });
});
afterAll(async () => {
  await simulator.close();
});

const EMBEDDINGS = '/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21';

interface EmbeddingsAnswer {
  data: { index: number; embedding: number[] }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

async function embed(input: unknown): Promise<EmbeddingsAnswer> {
  const answer = await post(simulator.url + EMBEDDINGS, { input });
  expect(answer.status).toBe(200);
  return answer.json as EmbeddingsAnswer;
}

const length = (vector: number[]): number => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

describe('embeddings', () => {
  it('one unit vector per input: the same text the same vector, another text another one', async () => {
    const [first, again, other] = [await embed('hello world'), await embed('hello world'), await embed('something else entirely')];
    const vector = first.data[0]!.embedding;
    expect(vector).toHaveLength(1536);
    expect(length(vector)).toBeCloseTo(1, 5);
    expect(new Set(vector).size).toBeGreaterThan(100);
    expect(again.data[0]!.embedding).toEqual(vector);
    expect(other.data[0]!.embedding).not.toEqual(vector);
  });

  it('a list of inputs gets a vector each and usage counts every input', async () => {
    const answer = await embed(['a', 'b']);
    expect(answer.data.map((item) => item.index)).toEqual([0, 1]);
    expect(answer.data[0]!.embedding).not.toEqual(answer.data[1]!.embedding);
    expect(answer.usage.prompt_tokens).toBe(2);
    expect(answer.usage.total_tokens).toBe(2);
  });
});

describe('a classic path', () => {
  it('without api-version is 404 Resource not found, as on Azure, and with it is answered', async () => {
    const path = chatPath().replace(/\?.*$/, '');
    const missing = await post(simulator.url + path, chatBody());
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: { code: '404', message: 'Resource not found' } });
    expect((await post(simulator.url + chatPath(), chatBody())).status).toBe(200);
  });
});
