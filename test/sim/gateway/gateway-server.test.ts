/**
 * The simulated gateway as a real HTTP server on loopback in front of real
 * simulator backends: failover shows in `x-ms-region`, stripped headers are
 * gone, every breaker open gives APIM's 503, and the token limit answers with
 * its own 429 body.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseBreaker, parseRetry, parseStripHeaders, parseTokenLimit, startGatewaySimulator, type RunningGateway } from '../../../src/sim/gateway/index.js';
import { FakeClock, chatPath, post } from '../helpers.js';

let gateway: RunningGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const body = { messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 };

describe('simulated gateway server', () => {
  it('serves from the primary, fails over to the secondary on 429, then answers 503 when both breakers are open', async () => {
    const clock = new FakeClock();
    gateway = await startGatewaySimulator({
      clock: clock.read,
      backends: 'a:tpm=30000:region=East US,b:tpm=30000:region=West US:priority=2',
      breaker: parseBreaker('count=1,interval=1m,trip=1m,accept-retry-after'),
      retry: parseRetry('count=1,interval=0,first-fast-retry'),
      stripHeaders: parseStripHeaders('x-ratelimit-*,retry-after-ms'),
    });
    const answers = [];
    // One at a time on a clock that stands still, so the picks are fixed: a admits 3 (its 1-s cap), b another 3.
    for (let index = 0; index < 8; index++) answers.push(await post(`${gateway.url}${chatPath()}`, body));
    expect(answers.map((answer) => `${answer.status} ${answer.headers['x-ms-region'] ?? '-'}`)).toEqual([
      '200 East US',
      '200 East US',
      '200 East US',
      '200 West US',
      '200 West US',
      '200 West US',
      '503 -',
      '503 -',
    ]);
    expect(answers[6]!.json).toEqual({ statusCode: 503, message: 'Service Unavailable' });
    expect(Object.keys(answers[0]!.headers).filter((name) => name.startsWith('x-ratelimit-') || name === 'retry-after-ms')).toEqual([]);
    expect(gateway.served.get('a')).toEqual(new Map([[200, 3], [429, 1]]));
    expect(gateway.served.get('b')).toEqual(new Map([[200, 3], [429, 1]]));
    clock.advance(1000); // a's Retry-After (1 s) has passed: its breaker closes and it serves again
    expect((await post(`${gateway.url}${chatPath()}`, body)).headers['x-ms-region']).toBe('East US');
  });

  it('answers its own token-limit 429 without reaching a backend', async () => {
    gateway = await startGatewaySimulator({ backends: 'a:tpm=30000', tokenLimit: parseTokenLimit('tpm=30,key=subscription') });
    const first = await post(`${gateway.url}${chatPath()}`, body);
    const second = await post(`${gateway.url}${chatPath()}`, { ...body, max_tokens: 25 });
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.json.statusCode).toBe(429);
    expect(second.json.message).toMatch(/^Rate limit is exceeded\. Try again in \d+ seconds\.$/);
    expect(second.headers['retry-after']).toMatch(/^\d+$/);
    expect(second.headers['x-ratelimit-remaining-requests']).toBeUndefined();
    expect(gateway.served.get('a')).toEqual(new Map([[200, 1]]));
  });
});
