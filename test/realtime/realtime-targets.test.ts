/**
 * Every realtime target form builds the URL its service expects: Azure's classic
 * and v1 paths and Azure Voice Live from --endpoint, OpenAI's from --endpoint or
 * as a URL, any ws:// or wss:// URL as given; credentials go only where they
 * belong. Each URL built for a loopback endpoint is then opened against the
 * simulator, which answers `session.created` on every one of those paths.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { resolveRealtimeTarget, type RealtimeTargetOptions } from '../../src/run/realtime/target.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';

const NO_ENV = {};
const build = (options: RealtimeTargetOptions, env: Record<string, string> = NO_ENV) => resolveRealtimeTarget(options, env)!;

describe('realtime target URLs', () => {
  it('--endpoint builds Azure classic, Azure v1, Voice Live and OpenAI paths', () => {
    expect(build({ endpoint: 'https://res.openai.azure.com', deployment: 'gpt-realtime' }).url).toBe('wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime');
    expect(build({ endpoint: 'https://res.openai.azure.com/', deployment: 'gpt-realtime', apiVersion: '2024-10-01-preview' }).url).toBe('wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-realtime');
    expect(build({ endpoint: 'https://res.openai.azure.com', deployment: 'gpt-realtime', api: 'v1' }).url).toBe('wss://res.openai.azure.com/openai/v1/realtime?model=gpt-realtime');
    expect(build({ endpoint: 'https://res.services.ai.azure.com', deployment: 'gpt-realtime', api: 'voice-live' }).url).toBe('wss://res.services.ai.azure.com/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime');
    expect(build({ endpoint: 'https://res.services.ai.azure.com', deployment: 'gpt-realtime', api: 'voice-live', apiVersion: '2026-04-10' }).url).toBe('wss://res.services.ai.azure.com/voice-live/realtime?api-version=2026-04-10&model=gpt-realtime');
    expect(build({ endpoint: 'https://api.openai.com', deployment: 'gpt-realtime' }).url).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime');
    expect(build({ endpoint: 'http://127.0.0.1:8080', deployment: 'gpt-realtime', api: 'openai' }).url).toBe('ws://127.0.0.1:8080/v1/realtime?model=gpt-realtime');
  });

  it('takes a ws:// or wss:// URL as given and reads the deployment or model from it', () => {
    const openai = build({ url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime' });
    expect([openai.url, openai.deployment]).toEqual(['wss://api.openai.com/v1/realtime?model=gpt-realtime', 'gpt-realtime']);
    const voiceLive = build({ url: 'wss://res.services.ai.azure.com/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime' });
    expect(voiceLive.deployment).toBe('gpt-realtime');
    const azure = build({ url: 'wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt' });
    expect(azure.deployment).toBe('rt');
    expect(build({ url: 'ws://127.0.0.1:9/anything' })).toMatchObject({ url: 'ws://127.0.0.1:9/anything', deployment: null, kind: 'realtime' });
  });

  it('sends Azure keys to Azure-looking hosts and endpoints only, OpenAI keys to api.openai.com only', () => {
    const env = { AZURE_OPENAI_API_KEY: 'azure-key', OPENAI_API_KEY: 'openai-key' };
    expect(build({ endpoint: 'https://res.services.ai.azure.com', deployment: 'm', api: 'voice-live' }, env).auth).toEqual({ apiKey: 'azure-key' });
    expect(build({ endpoint: 'https://api.openai.com', deployment: 'm' }, env).auth).toEqual({ bearer: 'openai-key' });
    expect(build({ url: 'wss://api.openai.com/v1/realtime?model=m' }, env).auth).toEqual({ bearer: 'openai-key' });
    expect(build({ url: 'wss://example.com/v1/realtime?model=m' }, env).auth).toEqual({});
  });

  it('names a bad --api and an --api-version that does not apply', () => {
    const problems = (options: RealtimeTargetOptions): string[] => {
      try {
        resolveRealtimeTarget(options, NO_ENV);
      } catch (error) {
        return (error as InputError).problems;
      }
      return [];
    };
    expect(problems({ endpoint: 'https://res.openai.azure.com', deployment: 'm', api: 'voicelive' })).toEqual(['--api: "voicelive" is not an API style; use classic, v1, voice-live, openai']);
    expect(problems({ endpoint: 'https://api.openai.com', deployment: 'm', apiVersion: '2025-10-01' })).toEqual(['--api-version does not apply to --api openai; drop one of them']);
  });
});

describe('the built URLs against the simulator', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({});
  });
  afterAll(async () => {
    await simulator?.close();
  });

  it.each(['classic', 'v1', 'voice-live', 'openai'])('--api %s: the simulator answers session.created', async (api) => {
    const target = build({ endpoint: simulator.url, deployment: 'gpt-realtime', api, apiKey: 'test-key' });
    const first = await new Promise<{ type: string }>((resolve, reject) => {
      const socket = new WebSocket(target.url, { headers: { 'api-key': 'test-key' } });
      socket.once('message', (data) => {
        resolve(JSON.parse(String(data)) as { type: string });
        socket.close();
      });
      socket.once('unexpected-response', (_request, response) => reject(new Error(`handshake ${response.statusCode} for ${target.url}`)));
      socket.once('error', reject);
    });
    expect(first.type).toBe('session.created');
  });
});
