/**
 * Real time, loopback: the session sender, the firing loop and the analysis
 * against the simulator's realtime limits. The concurrency cap is found exactly,
 * the new-connections-per-minute limit within ±10 %, and every refusal style is
 * put in its class, the 1013 ResourceExhausted close included. Limits are scaled
 * down (windows of seconds) to keep the tests short; bounds are loose where real
 * time decides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { classifySession, classifyTurn } from '../../src/analysis/realtime/classes.js';
import { RESOURCE_EXHAUSTED_REASON, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { runExperiment, simulatorRealtimeUrl } from './support.js';

let simulator: RunningSimulator | undefined;
const servers: WebSocketServer[] = [];
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function simulatorUrl(options: SimulatorOptions): Promise<string> {
  simulator = await startSimulator(options);
  return simulatorRealtimeUrl(simulator.url);
}

/** A plain ws server on loopback that does `onConnection` with each socket. */
async function plainServer(onConnection: (socket: import('ws').WebSocket) => void): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  server.on('connection', onConnection);
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address() as { port: number };
  return `ws://127.0.0.1:${address.port}/`;
}

describe('concurrency cap', () => {
  for (const style of ['handshake', 'close-4429'] as const) {
    it(`is found exactly with a session ramp (refusal ${style})`, async () => {
      const url = await simulatorUrl({ realtime: { sessionCap: 5, refusal: `sessions=${style}` } });
      const { result, sessions } = await runExperiment(url, [{ kind: 'session-ramp', name: 'ramp', step: 1, everyMs: 120, max: 8, holdAfterMs: 200 }]);
      const realtime = result.summary.realtime!;
      expect(realtime.concurrency).toEqual({ cap: 5, confidence: 'high' });
      expect(realtime.sessions.opened).toBe(5);
      expect(realtime.sessions.refused).toBe(3);
      expect(realtime.sessions.byClass[style === 'handshake' ? 'handshake-429' : 'custom-4xxx']).toBe(3);
      expect(sessions.filter((session) => session.closedBy === 'client')).toHaveLength(5);
      expect(result.summary.verdict).toMatch(/Concurrency cap: 5 sessions at once/);
      if (style === 'close-4429') expect(result.summary.verdict).toMatch(/you hold more sessions than allowed/);
    }, 30_000);
  }
});

describe('new connections per minute', () => {
  it('is found within ±10 % (a sliding 20 per 5 s = 240 per minute, opened at 8 per second)', async () => {
    const url = await simulatorUrl({ realtime: { openRate: '20/5s' } });
    const { result } = await runExperiment(url, [{ kind: 'sessions', name: 'opens', count: 100, ratePerSecond: 8, holdMs: 0, turns: 0 }]);
    const open = result.summary.realtime!.openRate;
    expect(open.perMinute).not.toBeNull();
    expect(Math.abs(open.perMinute! - 240)).toBeLessThanOrEqual(24);
    expect(result.summary.realtime!.sessions.byClass['handshake-429']).toBeGreaterThan(0);
  }, 60_000);
});

describe('each refusal style of a session limit gets its class', () => {
  const expected = {
    handshake: 'handshake-429',
    'handshake-bare': 'handshake-429',
    'in-band': 'in-band',
    'close-1013': 'try-again-later',
    'close-4429': 'custom-4xxx',
    gateway: 'internal',
  } as const;
  for (const [style, sessionClass] of Object.entries(expected)) {
    it(`${style} → ${sessionClass}`, async () => {
      const url = await simulatorUrl({ realtime: { sessionCap: 1, refusal: `sessions=${style}` } });
      const { sessions, result } = await runExperiment(url, [{ kind: 'session-ramp', name: 'ramp', step: 1, everyMs: 100, max: 2, holdAfterMs: 100 }]);
      const refused = sessions.find((session) => session.sid === 1)!;
      expect(classifySession(refused)).toBe(sessionClass);
      expect(classifySession(sessions.find((session) => session.sid === 0)!)).toBeNull();
      expect(result.summary.realtime!.sessions.byClass[sessionClass]).toBe(1);
      if (style === 'handshake') expect(refused.headers['retry-after']).toBe('1');
      if (style === 'handshake-bare') expect(refused.headers['retry-after']).toBeUndefined();
      if (style === 'close-1013') {
        // The seed's close, exactly as Azure Speech sends it.
        expect(refused.closeCode).toBe(1013);
        expect(refused.closeReason).toBe(RESOURCE_EXHAUSTED_REASON);
        expect(result.summary.verdict).toMatch(/had no capacity at that moment; more quota would not help/);
      }
    }, 30_000);
  }

  it('response-failed: the session opens, its responses fail inside response.done', async () => {
    const url = await simulatorUrl({ realtime: { sessionCap: 1, refusal: 'sessions=response-failed' } });
    // The first session's second turn waits 300 ms: it still holds the only slot when the second session opens.
    const { sessions, turns } = await runExperiment(url, [{ kind: 'turns', name: 'turns', sessions: 2, turns: 2, turnGapMs: 300, maxOutputTokens: 4, purpose: 'turns' }]);
    const classes = sessions.map((session) => classifySession(session));
    expect(classes.filter((name) => name === 'response-failed').length).toBeGreaterThanOrEqual(1);
    expect(turns.some((turn) => turn.status === 'failed' && turn.error?.code === 'inference_rate_limit_exceeded')).toBe(true);
  }, 30_000);
});

describe('each refusal style of a response limit gets its class', () => {
  const expected = { 'response-failed': 'response-failed', 'in-band': 'in-band', 'close-1013': 'try-again-later', 'close-4429': 'custom-4xxx', gateway: 'internal' } as const;
  for (const [style, turnOrSessionClass] of Object.entries(expected)) {
    it(`${style} → ${turnOrSessionClass}`, async () => {
      const url = await simulatorUrl({ realtime: { turnRate: '1/1m', refusal: `turns=${style}` } });
      const { sessions, turns, result } = await runExperiment(url, [{ kind: 'turns', name: 'turns', sessions: 1, turns: 2, turnGapMs: 0, maxOutputTokens: 4, purpose: 'turns' }]);
      expect(turns[0]!.status).toBe('completed');
      const second = turns[1]!;
      // A limit that closes the socket classes the session; one that keeps it open classes the turn.
      const closes = style.startsWith('close-') || style === 'gateway';
      expect(closes ? classifySession(sessions[0]!) : classifyTurn(second)).toBe(turnOrSessionClass);
      if (style === 'gateway') expect(sessions[0]!.errors[0]).toMatchObject({ type: 'guardrail_error' });
      expect(result.summary.realtime!.sessions.byClass[turnOrSessionClass]).toBeGreaterThanOrEqual(1);
    }, 30_000);
  }
});

describe('other ends of a session', () => {
  it('session expiry: session_expired, close 1001 with the message → session-expired', async () => {
    const url = await simulatorUrl({ realtime: { sessionMax: 300 } });
    const { sessions } = await runExperiment(url, [{ kind: 'sessions', name: 'hold', count: 1, ratePerSecond: null, holdMs: 2000, turns: 0 }]);
    expect(sessions[0]).toMatchObject({ closeCode: 1001, closedBy: 'server', closeReason: expect.stringMatching(/^Your session hit the maximum duration of/) });
    expect(sessions[0]!.errors.map((error) => error.code)).toEqual(['session_expired']);
    expect(classifySession(sessions[0]!)).toBe('session-expired');
  }, 30_000);

  it('a server that never sends an event → silent-hang', async () => {
    const url = await plainServer(() => undefined);
    const { sessions } = await runExperiment(url, [{ kind: 'sessions', name: 'silent', count: 1, ratePerSecond: null, holdMs: 0, turns: 0 }], { eventTimeoutMs: 300 });
    expect(sessions[0]!.silent).toBe(true);
    expect(classifySession(sessions[0]!)).toBe('silent-hang');
  }, 30_000);

  it('close 1008 → policy', async () => {
    const url = await plainServer((socket) => socket.close(1008, 'policy violation'));
    const { sessions } = await runExperiment(url, [{ kind: 'sessions', name: 'policy', count: 1, ratePerSecond: null, holdMs: 0, turns: 0 }]);
    expect(sessions[0]).toMatchObject({ closeCode: 1008, closedBy: 'server' });
    expect(classifySession(sessions[0]!)).toBe('policy');
  }, 30_000);
});

describe('the bucket rate_limits.updated implies', () => {
  it('limit, refill per second and the output reservation', async () => {
    const url = await simulatorUrl({ realtime: { tokensPerMinute: 20_000, turnRate: '1000/1m' } });
    const { result } = await runExperiment(url, [{ kind: 'turns', name: 'turns', sessions: 1, turns: 4, turnGapMs: 0, maxOutputTokens: 64, purpose: 'turns' }]);
    const bucket = result.summary.realtime!.bucket;
    expect(bucket.limit).toBe(20_000);
    expect(bucket.refillPerSecond).not.toBeNull();
    // reset_seconds comes rounded to the millisecond and remaining to whole tokens (about 1 % here), and the
    // turns' real spacing on a loaded machine moves the estimate a little more (1.15 % seen once): 2 %.
    expect(Math.abs(bucket.refillPerSecond! - 20_000 / 60)).toBeLessThan((20_000 / 60) * 0.02);
    // Remaining comes in whole tokens and the refill between two updates is estimated from our receive times.
    expect(Math.abs(bucket.reservedTokens! - 64)).toBeLessThanOrEqual(2);
  }, 30_000);
});
