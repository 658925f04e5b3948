/**
 * The official `openai` package's realtime WebSocket client against the
 * simulator on loopback: `OpenAIRealtimeWS` (OpenAI path, Bearer key) and
 * `OpenAIRealtimeWS.azure` (the `AzureOpenAIRealtimeWS` way: Azure path,
 * api-key header). A session is created, a text response streams, and a
 * rate-limited response arrives the way the SDK reports it: a failed
 * `response.done` (no SDK error at all), or an `error` event the SDK turns into
 * an OpenAIRealtimeError.
 *
 * Why `createConnection`: the SDK always asks for `wss:`; the simulator speaks
 * plain `ws:` on loopback, so the test hands `ws` a plain TCP connection.
 */
import net from 'node:net';
import { AzureOpenAI, OpenAI } from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/** ws options that reach the plain-TCP simulator although the SDK's URL says wss. */
function plainTcp(port: number) {
  return { createConnection: () => net.connect({ host: '127.0.0.1', port }) } as never;
}

/** Collects every server event of a session until `until` says stop. */
function eventsUntil(client: OpenAIRealtimeWS, until: (event: any) => boolean): Promise<any[]> {
  const events: any[] = [];
  return new Promise((resolve, reject) => {
    client.on('event', (event) => {
      events.push(event);
      if (until(event)) resolve(events);
    });
    client.socket.on('close', () => resolve(events));
    client.socket.on('error', reject);
  });
}

async function start(options: SimulatorOptions): Promise<RunningSimulator> {
  simulator = await startSimulator(options);
  return simulator;
}

describe('openai realtime client (openai/realtime/ws)', () => {
  it('OpenAIRealtimeWS: session created, a text response streamed, usage in response.done', async () => {
    const sim = await start({ profile: 'openai', realtime: { turnRate: '60/m', tokensPerMinute: 20_000 } });
    const client = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: plainTcp(sim.port) }, new OpenAI({ apiKey: 'test-key', baseURL: `${sim.url}/v1` }));
    const created = await eventsUntil(client, (event) => event.type === 'session.created');
    expect(created.at(-1).session).toMatchObject({ model: 'gpt-realtime', expires_at: expect.any(Number) });
    const deltas: string[] = [];
    client.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const done = eventsUntil(client, (event) => event.type === 'response.done');
    client.send({ type: 'response.create', response: { max_output_tokens: 4 } as never });
    const events = await done;
    expect(deltas.join('')).toBe('Hello from the aoai-probe');
    const responseDone = events.find((event) => event.type === 'response.done');
    expect(responseDone.response.status).toBe('completed');
    expect(responseDone.response.usage.output_tokens).toBe(4);
    const limits = events.find((event) => event.type === 'rate_limits.updated');
    expect(limits.rate_limits.map((entry: any) => entry.name)).toEqual(['requests', 'tokens']);
    client.close();
  });

  it('Azure client: a response refused by the rate limit is a failed response.done with inference_rate_limit_exceeded, and the socket stays open', async () => {
    const sim = await start({ profile: 'azure-realtime', realtime: { turnRate: '1/m' } });
    const azure = new AzureOpenAI({ endpoint: sim.url, apiKey: 'test-key', apiVersion: '2025-04-01-preview', deployment: 'gpt-realtime' });
    const client = await OpenAIRealtimeWS.azure(azure, { options: plainTcp(sim.port) });
    expect(client.url.pathname).toBe('/openai/realtime');
    const sdkErrors: unknown[] = [];
    client.on('error', (error) => sdkErrors.push(error));
    await eventsUntil(client, (event) => event.type === 'session.created');
    const first = eventsUntil(client, (event) => event.type === 'response.done');
    client.send({ type: 'response.create', response: { max_output_tokens: 2 } as never });
    expect((await first).find((event) => event.type === 'response.done').response.status).toBe('completed');
    const second = eventsUntil(client, (event) => event.type === 'response.done');
    client.send({ type: 'response.create', response: { max_output_tokens: 2 } as never });
    const refused = (await second).find((event) => event.type === 'response.done').response;
    expect(refused.status).toBe('failed');
    expect(refused.status_details.error.code).toBe('inference_rate_limit_exceeded');
    expect(refused.usage.total_tokens).toBe(0);
    // The SDK reports nothing as an error here: the refusal is only in response.done.
    expect(sdkErrors).toEqual([]);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.close();
  });

  it('an in-band rate-limit error reaches the SDK as an OpenAIRealtimeError with the code', async () => {
    const sim = await start({ profile: 'openai', realtime: { turnRate: '1/m', refusal: 'in-band' } });
    const client = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: plainTcp(sim.port) }, new OpenAI({ apiKey: 'test-key', baseURL: `${sim.url}/v1` }));
    const sdkError = new Promise<any>((resolve) => client.on('error', resolve));
    await eventsUntil(client, (event) => event.type === 'session.created');
    client.send({ type: 'response.create', response: { max_output_tokens: 1 } as never });
    client.send({ type: 'response.create', response: { max_output_tokens: 1 } as never });
    const error = await sdkError;
    expect(error.error.code).toBe('rate_limit_exceeded');
    expect(error.message).toMatch(/Rate limit reached for requests/);
    client.close();
  });

  it('a handshake 429 reaches the SDK only as an error message with the status', async () => {
    const sim = await start({ profile: 'speech', realtime: { openRate: '1/m' } });
    const azure = new AzureOpenAI({ endpoint: sim.url, apiKey: 'test-key', apiVersion: '2025-04-01-preview', deployment: 'gpt-realtime' });
    const first = await OpenAIRealtimeWS.azure(azure, { options: plainTcp(sim.port) });
    await eventsUntil(first, (event) => event.type === 'session.created');
    const second = await OpenAIRealtimeWS.azure(azure, { options: plainTcp(sim.port) });
    const error = await new Promise<any>((resolve) => second.on('error', resolve));
    expect(error.message).toBe('Unexpected server response: 429');
    first.close();
  });
});
