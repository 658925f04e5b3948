import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, post } from './helpers.js';

describe('azure-seed profile (the seed story)', () => {
  let simulator: RunningSimulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('a burst of 20 at one instant: 5 admitted with 49/49,352 … 45/46,760, then 15 refused by the 1-s cap while the headers show 45 left', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({ profile: 'azure-seed', clock: clock.read });
    expect(simulator.describe()).toBe('azure-seed, 50,000 TPM (300 RPM: 50 per 10 s, 5 per 1 s), a flat 648 tokens per request');
    const sequence: Array<[number, string, string]> = [];
    for (let index = 0; index < 20; index++) {
      // Bodies differ in size and max_tokens: the seed profile charges a flat 648 anyway.
      const answer = await post(simulator.url + chatPath('gpt-4o'), chatBody(index % 2 === 0 ? { max_tokens: 3000 } : {}, 'x'.repeat(index * 50)));
      sequence.push([answer.status, answer.headers['x-ratelimit-remaining-requests']!, answer.headers['x-ratelimit-remaining-tokens']!]);
      expect(answer.headers['x-ratelimit-limit-requests']).toBe('50');
      expect(answer.headers['x-ratelimit-limit-tokens']).toBe('50000');
      if (answer.status === 429) {
        expect(answer.headers['retry-after']).toBe('1');
        expect(answer.headers['retry-after-ms']).toBe('1000');
        expect(answer.json.error.code).toBe('RateLimitReached');
        expect(answer.json.error.message).toContain('exceeded the call rate limit');
        expect(answer.json.error.message).toContain('Please retry after 1 second.');
      }
    }
    const admitted: Array<[number, string, string]> = [
      [200, '49', '49352'],
      [200, '48', '48704'],
      [200, '47', '48056'],
      [200, '46', '47408'],
      [200, '45', '46760'],
    ];
    const refused: Array<[number, string, string]> = Array.from({ length: 15 }, () => [429, '45', '46760']);
    expect(sequence).toEqual([...admitted, ...refused]);

    // One second later the 1-s cap admits five more; the 10-s bucket keeps counting down.
    clock.advance(1000);
    const next = await post(simulator.url + chatPath('gpt-4o'), chatBody());
    expect([next.status, next.headers['x-ratelimit-remaining-requests'], next.headers['x-ratelimit-remaining-tokens']]).toEqual([200, '44', '46112']);
  });
});
