/**
 * A WebSocket limiter that knows nothing of realtime APIs: nginx `limit_conn`
 * in front of a plain `ws` server that greets each client and echoes. The
 * session ramp finds its concurrency cap exactly; the refusals are handshake
 * 429s from nginx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startNginxWebSocketLimit, type RunningWebSocketLimiter } from '../support/limiters/nginx-websocket.js';
import { runExperiment } from './support.js';

let limiter: RunningWebSocketLimiter | undefined;
let upstream: WebSocketServer | undefined;
afterEach(async () => {
  await limiter?.stop();
  limiter = undefined;
  if (upstream) await new Promise((resolve) => upstream!.close(resolve));
  upstream = undefined;
});

describe('nginx limit_conn in front of a ws server', () => {
  it('its concurrency cap is found exactly by a session ramp', async () => {
    upstream = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    upstream.on('connection', (socket) => {
      socket.send('hello');
      socket.on('message', (data) => socket.send(data));
    });
    await new Promise((resolve) => upstream!.once('listening', resolve));
    limiter = await startNginxWebSocketLimit(3, (upstream.address() as { port: number }).port);
    const { result, sessions } = await runExperiment(limiter.url, [{ kind: 'session-ramp', name: 'ramp', step: 1, everyMs: 150, max: 6, holdAfterMs: 200 }]);
    const realtime = result.summary.realtime!;
    expect(realtime.concurrency).toEqual({ cap: 3, confidence: 'high' });
    expect(realtime.sessions.byClass['handshake-429']).toBe(3);
    expect(sessions.filter((session) => session.handshakeStatus === 101)).toHaveLength(3);
  }, 30_000);
});
