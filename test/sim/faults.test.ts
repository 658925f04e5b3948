/**
 * Injected faults and quirks, each on its own, drawn with an injected random
 * source so the outcome is exact.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, post } from './helpers.js';

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

describe('faults', () => {
  it('500 with the Azure server_error body quoting the request id, nothing charged', async () => {
    const { url } = await start({ faultRate: 1, faults: ['500'] });
    const answer = await post(url + chatPath(), chatBody());
    expect(answer.status).toBe(500);
    expect(answer.json.error.type).toBe('server_error');
    expect(answer.json.error.message).toContain(`(Please include the request ID ${answer.headers['apim-request-id']} in your message.)`);
    expect(answer.headers['x-ratelimit-remaining-requests']).toBe('50');
  });

  it('503 "temporarily unable"', async () => {
    const { url } = await start({ faultRate: 1, faults: ['503'] });
    const answer = await post(url + chatPath(), chatBody());
    expect(answer.status).toBe(503);
    expect(answer.json.error.message).toContain('temporarily unable to process your request');
  });

  it('capacity: a 429 "high demand" with retry after 20 seconds, nothing charged', async () => {
    const { url } = await start({ faultRate: 1, faults: ['capacity'] });
    const answer = await post(url + chatPath(), chatBody());
    expect(answer.status).toBe(429);
    expect(answer.json.error.message).toMatch(/^The system is currently experiencing high demand and cannot process your request\..*Please retry after 20 seconds\./);
    expect(answer.headers['retry-after']).toBe('20');
    expect(answer.headers['x-ratelimit-remaining-requests']).toBe('50');
    expect(answer.headers['x-ratelimit-remaining-tokens']).toBe('50000');
  });

  it('reset: the connection is dropped without an answer', async () => {
    const { url } = await start({ faultRate: 1, faults: ['reset'] });
    await expect(post(url + chatPath(), chatBody())).rejects.toThrow();
  });

  it('draws faults at the set rate, one kind per request, from the injected random source', async () => {
    // Each request draws twice when the first draw is under the rate: "is there a fault?", then "which?".
    const draws = [0.9, 0.1, 0.0, 0.6, 0.2, 0.5, 0.95];
    let index = 0;
    const { url } = await start({ faultRate: 0.5, faults: ['500', 'capacity'], random: () => draws[index++ % draws.length]! });
    const statuses: number[] = [];
    for (let request = 0; request < 4; request++) statuses.push((await post(url + chatPath(), chatBody())).status);
    // 0.9: none → 200; 0.1 then 0.0: "500"; 0.6: none → 200; 0.2 then 0.5: "capacity" → 429
    expect(statuses).toEqual([200, 500, 200, 429]);
  });

  it('no-retry-after: a 429 without retry-after or retry-after-ms (the message keeps its wait)', async () => {
    const { url } = await start({ faultRate: 1, faults: ['no-retry-after'], subsecondCap: true });
    const answers = [];
    for (let request = 0; request < 6; request++) answers.push(await post(url + chatPath(), chatBody()));
    expect(answers.slice(0, 5).every((answer) => answer.status === 200)).toBe(true);
    const refused = answers[5]!;
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeUndefined();
    expect(refused.headers['retry-after-ms']).toBeUndefined();
    expect(refused.headers['x-ratelimit-reset-requests']).toBe('1');
    expect(refused.json.error.message).toContain('Please retry after 1 second.');
  });

  it('minus-one-headers: the x-ratelimit-* values read -1 and resets 0, while the limits still apply', async () => {
    const { url } = await start({ faultRate: 1, faults: ['minus-one-headers'] });
    const answers = [];
    for (let request = 0; request < 6; request++) answers.push(await post(url + chatPath(), chatBody()));
    expect(answers[0]!.headers['x-ratelimit-remaining-requests']).toBe('-1');
    expect(answers[0]!.headers['x-ratelimit-limit-tokens']).toBe('-1');
    expect(answers[5]!.status).toBe(429);
    expect(answers[5]!.headers['x-ratelimit-reset-requests']).toBe('0');
    expect(answers[5]!.headers['retry-after']).toBe('1');
  });

  it('slow-body: the headers and half the body at once, the rest after slowBodyMs', async () => {
    const { url } = await start({ faultRate: 1, faults: ['slow-body'], slowBodyMs: 1000 });
    const target = new URL(url);
    const body = JSON.stringify(chatBody());
    const timeline = await new Promise<{ headersAt: number; firstBodyAt: number; endAt: number; text: string }>((resolve, reject) => {
      const started = performance.now();
      const socket = net.connect(Number(target.port), '127.0.0.1', () => {
        socket.write(
          `POST ${chatPath()} HTTP/1.1\r\nHost: x\r\napi-key: k\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      });
      let text = '';
      let headersAt = 0;
      let firstBodyAt = 0;
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8');
        const now = performance.now() - started;
        if (headersAt === 0 && text.includes('\r\n\r\n')) headersAt = now;
        if (firstBodyAt === 0 && text.split('\r\n\r\n')[1]) firstBodyAt = now;
      });
      socket.on('end', () => resolve({ headersAt, firstBodyAt, endAt: performance.now() - started, text }));
      socket.on('error', reject);
    });
    // The first half is read well before the end; the end comes at least slowBodyMs after sending.
    expect(timeline.headersAt).toBeGreaterThan(0);
    expect(timeline.endAt - timeline.firstBodyAt).toBeGreaterThanOrEqual(500);
    expect(timeline.endAt).toBeGreaterThanOrEqual(995);
    expect(JSON.parse(timeline.text.split('\r\n\r\n')[1]!).object).toBe('chat.completion');
  });

  it('latency: admitted answers wait mean ± spread (uniform), drawn from the injected random source', async () => {
    const slow = await start({ latency: { meanMs: 500, spreadMs: 500 }, random: () => 1 }); // 500 + 500
    let started = performance.now();
    expect((await post(slow.url + chatPath(), chatBody())).status).toBe(200);
    const longest = performance.now() - started;
    expect(longest).toBeGreaterThanOrEqual(995); // a timer never fires early
    expect(longest).toBeLessThan(5000);
    await simulator!.close();
    const fast = await start({ latency: { meanMs: 500, spreadMs: 500 }, random: () => 0 }); // 500 − 500
    started = performance.now();
    expect((await post(fast.url + chatPath(), chatBody())).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('refusals are not delayed by latency (a 429 is fast)', async () => {
    const { url } = await start({ latency: { meanMs: 1500, spreadMs: 0 }, tpm: 1000 }); // 1 request per 10 s
    expect((await post(url + chatPath(), chatBody({ max_tokens: 1 }))).status).toBe(200);
    const started = performance.now();
    const refused = await post(url + chatPath(), chatBody({ max_tokens: 1 }));
    expect(refused.status).toBe(429);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
