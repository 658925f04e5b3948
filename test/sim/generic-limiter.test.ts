/** Generic limiters over HTTP: every path limited, header styles, 429 or 503, concurrency. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, post, request } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: SimulatorOptions): Promise<{ url: string; clock: FakeClock }> {
  const clock = new FakeClock();
  simulator = await startSimulator({ clock: clock.read, ...options });
  return { url: simulator.url, clock };
}

describe('generic limiters', () => {
  it('token bucket with x-ratelimit headers on any path; chat paths still answer chat JSON', async () => {
    const { url, clock } = await start({ limiter: 'token-bucket:capacity=2,rate=1/s,headers=x-ratelimit' });
    expect(simulator!.profile).toBe('generic');
    expect(simulator!.describe()).toBe('limiter token-bucket (capacity 2, refill 1/s; headers x-ratelimit, status 429)');
    const first = await request(url + '/anything/at/all', { method: 'GET' });
    expect([first.status, first.text]).toEqual([200, '{"ok":true}']);
    expect([first.headers['x-ratelimit-limit'], first.headers['x-ratelimit-remaining'], first.headers['x-ratelimit-reset']]).toEqual(['2', '1', '1']);
    const chat = await post(url + chatPath(), chatBody(), {}); // no key needed without --api-key
    expect([chat.status, chat.json.object, chat.headers['x-ratelimit-remaining']]).toEqual([200, 'chat.completion', '0']);
    const refused = await request(url + '/other', { method: 'POST', body: 'x' });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json.error.message).toBe('Too many requests: the token-bucket limit of this endpoint is reached. Please retry after 1 second.');
    clock.advance(1000);
    expect((await request(url + '/other', { method: 'GET' })).status).toBe(200);
  });

  it('status=503 and headers=none: a bare 503 without any rate-limit or retry header', async () => {
    const { url } = await start({ limiter: 'fixed-window:limit=1,window=10s,headers=none,status=503' });
    expect((await request(url + '/', { method: 'GET' })).status).toBe(200);
    const refused = await request(url + '/', { method: 'GET' });
    expect(refused.status).toBe(503);
    expect(Object.keys(refused.headers).filter((name) => /ratelimit|retry/i.test(name))).toEqual([]);
  });

  it('IETF RateLimit / RateLimit-Policy fields', async () => {
    const { url } = await start({ limiter: 'sliding-log:limit=10,window=10s,headers=ietf' });
    const answer = await request(url + '/', { method: 'GET' });
    expect(answer.headers['ratelimit-policy']).toBe('"default";q=10;w=10');
    expect(answer.headers['ratelimit']).toBe('"default";r=9;t=10');
  });

  it('azure-style headers (the default style)', async () => {
    const { url } = await start({ limiter: { kind: 'gcra', ratePerSecond: 2, burst: 2 } });
    const answers = [];
    for (let index = 0; index < 3; index++) answers.push(await request(url + '/', { method: 'GET' }));
    expect(answers.map((answer) => [answer.status, answer.headers['x-ratelimit-remaining-requests']])).toEqual([
      [200, '1'],
      [200, '0'],
      [429, '0'],
    ]);
    expect(answers[2]!.headers['retry-after-ms']).toBe('500');
    expect(answers[2]!.headers['retry-after']).toBe('1');
    expect(answers[0]!.headers['x-ratelimit-limit-requests']).toBe('2');
  });

  it('a concurrency cap counts requests in flight and frees a slot when an answer ends', async () => {
    const { url } = await start({ limiter: 'concurrency:limit=2,retry=250ms', latency: { meanMs: 400, spreadMs: 0 } });
    const answers = await Promise.all([0, 1, 2].map(() => request(url + '/', { method: 'GET' })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
    expect(answers.find((answer) => answer.status === 429)!.headers['retry-after-ms']).toBe('250');
    const later = await request(url + '/', { method: 'GET' });
    expect([later.status, later.headers['x-ratelimit-remaining-requests']]).toEqual([200, '1']);
  });

  it('still checks a key when apiKey is set', async () => {
    const { url } = await start({ limiter: 'sliding-counter:limit=5,window=1s', apiKey: 'k1' });
    expect((await request(url + '/', { method: 'GET' })).status).toBe(401);
    expect((await request(url + '/', { method: 'GET', headers: { 'api-key': 'k1' } })).status).toBe(200);
  });
});
