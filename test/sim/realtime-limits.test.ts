/**
 * Every realtime limit of the simulator on a fake clock: the open rate (sliding
 * log), the session cap, responses and tokens per window (continuously refilling
 * buckets with an output reservation), the `rate_limits.updated` arithmetic, each
 * refusal style as the session sends it, and the session's expiry.
 */
import { describe, expect, it } from 'vitest';
import {
  CONCURRENCY_REASON,
  FAILED_RESPONSE_MESSAGE,
  GATEWAY_REASON,
  RESOURCE_EXHAUSTED_REASON,
  RealtimeLimits,
  RealtimeSession,
  RefillBucket,
  resolveRealtimeSettings,
  type RealtimeOptions,
  type SessionContext,
} from '../../src/sim/index.js';
import { FakeClock } from './helpers.js';

function limitsOf(options: RealtimeOptions, profile = 'azure-standard'): RealtimeLimits {
  const { settings, problems } = resolveRealtimeSettings(profile, options);
  expect(problems).toEqual([]);
  return new RealtimeLimits(settings);
}

describe('refill bucket', () => {
  it('reports reset_seconds as (limit − remaining) × window / limit, the arithmetic of OpenAI’s rate_limits.updated', () => {
    const requests = new RefillBucket(5000, 60_000);
    requests.take(0, 1);
    expect(requests.figures(0, 'requests')).toEqual({ name: 'requests', limit: 5000, remaining: 4999, reset_seconds: 0.012 });
    const tokens = new RefillBucket(20_000, 60_000);
    tokens.take(0, 4518);
    expect(tokens.figures(0, 'tokens')).toEqual({ name: 'tokens', limit: 20_000, remaining: 15_482, reset_seconds: 13.554 });
  });

  it('refills continuously at limit per window and never above the limit; refunds too', () => {
    const bucket = new RefillBucket(60, 60_000);
    expect(bucket.take(0, 60)).toBe(true);
    expect(bucket.take(0, 1)).toBe(false);
    expect(bucket.waitMs(0, 1)).toBe(1000);
    expect(bucket.take(999, 1)).toBe(false);
    expect(bucket.take(1000, 1)).toBe(true);
    bucket.refund(1000, 100);
    expect(bucket.level(1000)).toBe(60);
    expect(bucket.waitMs(1000, 61)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('realtime limits', () => {
  it('admits N new sessions per window (sliding), then refuses with the wait until the oldest leaves the window', () => {
    const limits = limitsOf({ openRate: '3/10s' });
    const seen = [0, 1000, 2000, 3000].map((time) => limits.openSession(time));
    expect(seen.map((decision) => decision.admitted)).toEqual([true, true, true, false]);
    expect(seen[3]).toEqual({ admitted: false, limit: 'open', style: 'handshake', retryAfterMs: 7000 });
    for (let index = 0; index < 3; index++) limits.closeSession(3000);
    expect(limits.openSession(9999).admitted).toBe(false);
    expect(limits.openSession(10_000).admitted).toBe(true);
  });

  it('holds at most the session cap at once; a closed session frees its slot; a refused one counts against nothing', () => {
    const limits = limitsOf({ sessionCap: 2, openRate: '3/1m', refusal: 'sessions=close-4429' });
    expect(limits.openSession(0).admitted).toBe(true);
    expect(limits.openSession(0).admitted).toBe(true);
    expect(limits.openSession(0)).toEqual({ admitted: false, limit: 'sessions', style: 'close-4429', retryAfterMs: 1000 });
    expect(limits.openSessions).toBe(2);
    limits.closeSession(5);
    expect(limits.openSession(5).admitted).toBe(true);
    // Three admitted opens used the 3/min budget; the refused one did not.
    limits.closeSession(6);
    expect(limits.openSession(6)).toMatchObject({ admitted: false, limit: 'open' });
  });

  it('admits N responses per window from a full bucket, then one per window / N', () => {
    const limits = limitsOf({ turnRate: '4/1m' });
    const seen = [0, 0, 0, 0, 0, 14_999, 15_000].map((time) => limits.startResponse(time, 10).admitted);
    expect(seen).toEqual([true, true, true, true, false, false, true]);
    expect(limits.startResponse(15_000, 10)).toEqual({ admitted: false, limit: 'turns', style: 'response-failed', retryAfterMs: 15_000 });
  });

  it('reserves the output at response.create and refunds what was not used', () => {
    const limits = limitsOf({ tokensPerMinute: 10_000 });
    expect(limits.startResponse(0, 4106).admitted).toBe(true);
    expect(limits.rateLimits(0)).toEqual([{ name: 'tokens', limit: 10_000, remaining: 5894, reset_seconds: 24.636 }]);
    expect(limits.startResponse(0, 4106).admitted).toBe(true);
    expect(limits.startResponse(0, 4106)).toEqual({ admitted: false, limit: 'tokens', style: 'response-failed', retryAfterMs: 13_908 }); // (4106 − 1788) tokens at 10,000 per 60 s
    limits.finishResponse(0, 4106, 15);
    expect(limits.rateLimits(0)[0]!.remaining).toBe(1788 + 4091);
    expect(limits.startResponse(0, 4106).admitted).toBe(true);
  });

  it('a response needs both a request and its reservation; a refused one takes neither', () => {
    const limits = limitsOf({ turnRate: '10/1m', tokensPerMinute: 1000 });
    expect(limits.startResponse(0, 2000)).toMatchObject({ admitted: false, limit: 'tokens', retryAfterMs: Number.POSITIVE_INFINITY });
    expect(limits.rateLimits(0)).toEqual([
      { name: 'requests', limit: 10, remaining: 10, reset_seconds: 0 },
      { name: 'tokens', limit: 1000, remaining: 1000, reset_seconds: 0 },
    ]);
  });

  it('the profiles set the documented defaults', () => {
    expect(resolveRealtimeSettings('speech').settings).toMatchObject({
      openRate: { limit: 30, windowMs: 60_000 },
      sessionCap: 20,
      tokensPerMinute: 120_000,
      refusal: { open: 'handshake', sessions: 'close-4429', turns: 'close-1013', tokens: 'close-1013' },
    });
    expect(resolveRealtimeSettings('azure-realtime').settings).toMatchObject({ turnRate: { limit: 30, windowMs: 60_000 }, tokensPerMinute: 100_000 });
  });

  it('reports every bad setting at once', () => {
    const { problems } = resolveRealtimeSettings('speech', { openRate: 'fast', sessionCap: 0, refusal: 'sessions=loud,nothing=close-4429', sessionMax: 'soon' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/open rate "fast".*30\/m/);
  });
});

/** A session on a fake clock: what it sent, how it closed, its expiry timer. */
function sessionOn(limits: RealtimeLimits, clock: FakeClock, admission = limits.openSession(clock.nowMs)) {
  const sent: any[] = [];
  const closes: Array<[number, string]> = [];
  const timers: Array<{ atMs: number; action: () => void; cancelled: boolean }> = [];
  const context: SessionContext = {
    limits,
    clock: clock.read,
    epochMs: () => 1_700_000_000_000 + clock.nowMs,
    schedule(delayMs, action) {
      const timer = { atMs: clock.nowMs + delayMs, action, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
  };
  const session = new RealtimeSession('sess_000001', 'gpt-realtime', { send: (event) => sent.push(event), close: (code, reason) => closes.push([code, reason]) }, context, admission);
  const fire = (): void => {
    for (const timer of timers) if (!timer.cancelled && timer.atMs <= clock.nowMs) timer.action();
  };
  return { session, sent, closes, timers, fire, types: () => sent.map((event) => event.type) };
}

describe('realtime session', () => {
  it('sends session.created with expires_at, answers in text deltas and ends with usage and rate limits', () => {
    const clock = new FakeClock();
    const limits = limitsOf({ turnRate: '100/1m', tokensPerMinute: 10_000 });
    const { session, sent, types } = sessionOn(limits, clock);
    session.start();
    expect(sent[0]).toMatchObject({ type: 'session.created', session: { id: 'sess_000001', model: 'gpt-realtime', expires_at: 1_700_000_000 + 3600 } });
    session.receive(JSON.stringify({ type: 'session.update', session: { instructions: 'Say hi.' } }));
    expect(sent[1]).toMatchObject({ type: 'session.updated', session: { instructions: 'Say hi.' } });
    sent.length = 0;
    session.receive(JSON.stringify({ type: 'response.create', response: { max_output_tokens: 3 } }));
    expect(types()).toEqual([
      'response.created',
      'rate_limits.updated',
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.output_item.done',
      'response.done',
      'rate_limits.updated',
    ]);
    // 'Say hi.' is 2 tokens of input; reserved 2 + 3, used 2 + 3.
    expect(sent[1].rate_limits).toEqual([
      { name: 'requests', limit: 100, remaining: 99, reset_seconds: 0.6 },
      { name: 'tokens', limit: 10_000, remaining: 9995, reset_seconds: 0.03 },
    ]);
    expect(sent[6].text).toBe('Hello from the');
    expect(sent[8].response).toMatchObject({ status: 'completed', usage: { input_tokens: 2, output_tokens: 3, total_tokens: 5 } });
  });

  it('the default reservation is 4096 output tokens, and the unused part comes back at response.done', () => {
    const clock = new FakeClock();
    const limits = limitsOf({ tokensPerMinute: 20_000, answerWords: 5 });
    const { session, sent } = sessionOn(limits, clock);
    session.start();
    session.receive(JSON.stringify({ type: 'response.create' }));
    const updates = sent.filter((event) => event.type === 'rate_limits.updated').map((event) => event.rate_limits[0].remaining);
    // instructions "You are a helpful assistant." = 7 tokens; reserved 7 + 4096, used 7 + 5.
    expect(updates).toEqual([20_000 - 4103, 20_000 - 12]);
  });

  it('refuses a response in each style', () => {
    const styles = {
      'in-band': { types: ['error', 'rate_limits.updated'], close: undefined },
      handshake: { types: ['error', 'rate_limits.updated'], close: undefined },
      'response-failed': { types: ['response.created', 'response.done', 'rate_limits.updated'], close: undefined },
      'close-1013': { types: [], close: [1013, RESOURCE_EXHAUSTED_REASON] },
      'close-4429': { types: [], close: [4429, CONCURRENCY_REASON] },
      gateway: { types: ['error'], close: [1011, GATEWAY_REASON] },
    } as const;
    for (const [style, expected] of Object.entries(styles)) {
      const clock = new FakeClock();
      const limits = limitsOf({ turnRate: '1/1m', refusal: `turns=${style}` });
      const { session, sent, closes, types } = sessionOn(limits, clock);
      session.start();
      session.receive(JSON.stringify({ type: 'response.create', response: { max_output_tokens: 1 } }));
      sent.length = 0;
      clock.advance(1000);
      session.receive(JSON.stringify({ type: 'response.create', event_id: 'mine', response: { max_output_tokens: 1 } }));
      expect(types(), style).toEqual(expected.types);
      expect(closes[0], style).toEqual(expected.close);
      if (style === 'in-band') expect(sent[0].error).toMatchObject({ code: 'rate_limit_exceeded', event_id: 'mine', message: 'Rate limit reached for requests. Please try again in 59.000s.' });
      if (style === 'response-failed') {
        expect(sent[1].response).toMatchObject({ status: 'failed', status_details: { error: { code: 'inference_rate_limit_exceeded', message: FAILED_RESPONSE_MESSAGE } }, usage: { total_tokens: 0 } });
      }
      if (style === 'gateway') expect(sent[0].error).toMatchObject({ type: 'guardrail_error' });
    }
  });

  it('refuses a session after the upgrade in each style, and a refused session frees no slot', () => {
    for (const [style, close, firstType] of [
      ['in-band', [1000, 'rate limit exceeded'], 'error'],
      ['close-1013', [1013, RESOURCE_EXHAUSTED_REASON], undefined],
      ['close-4429', [4429, CONCURRENCY_REASON], undefined],
      ['gateway', [1011, GATEWAY_REASON], 'error'],
    ] as const) {
      const clock = new FakeClock();
      const limits = limitsOf({ sessionCap: 1, refusal: `sessions=${style}` });
      expect(limits.openSession(0).admitted).toBe(true);
      const { session, sent, closes } = sessionOn(limits, clock);
      session.start();
      expect(closes, style).toEqual([close]);
      expect(sent[0]?.type, style).toBe(firstType);
      expect(limits.openSessions).toBe(1);
    }
  });

  it('a session refused in the response-failed style opens, and each of its responses fails', () => {
    const clock = new FakeClock();
    const limits = limitsOf({ sessionCap: 1, refusal: 'sessions=response-failed' });
    limits.openSession(0);
    const { session, sent, types, closes } = sessionOn(limits, clock);
    session.start();
    session.receive(JSON.stringify({ type: 'response.create' }));
    expect(types()).toEqual(['session.created', 'response.created', 'response.done']);
    expect(sent[2].response.status_details.error.code).toBe('inference_rate_limit_exceeded');
    expect(closes).toEqual([]);
    session.ended();
    expect(limits.openSessions).toBe(1);
  });

  it('expires at the session maximum: session_expired, then close 1001 with the message; the slot is freed', () => {
    const clock = new FakeClock();
    const limits = limitsOf({ sessionCap: 1, sessionMax: '2m' });
    const { session, sent, closes, timers, fire } = sessionOn(limits, clock);
    session.start();
    expect(timers[0]!.atMs).toBe(120_000);
    clock.advance(119_999);
    fire();
    expect(closes).toEqual([]);
    clock.advance(1);
    fire();
    expect(sent.at(-1)).toMatchObject({ type: 'error', error: { code: 'session_expired', message: 'Your session hit the maximum duration of 2 minutes.' } });
    expect(closes).toEqual([[1001, 'Your session hit the maximum duration of 2 minutes.']]);
    expect(limits.openSessions).toBe(0);
  });

  it('speech: answers take a while, so concurrent responses hold their reservations at once and the pool runs dry: close 1013 ResourceExhausted', () => {
    const clock = new FakeClock();
    const limits = limitsOf({ tokensPerMinute: 10_000 }, 'speech');
    expect(limits.settings.answerMs).toBe(300);
    const sessions = [0, 1, 2].map(() => sessionOn(limits, clock));
    for (const { session } of sessions) session.start();
    // Each reserves 7 (instructions) + 4096: two fit in 10,000, the third does not.
    for (const { session } of sessions) session.receive(JSON.stringify({ type: 'response.create' }));
    expect(sessions[0]!.closes).toEqual([]);
    expect(sessions[1]!.closes).toEqual([]);
    expect(sessions[2]!.closes).toEqual([[1013, RESOURCE_EXHAUSTED_REASON]]);
    expect(sessions[0]!.types().includes('response.done')).toBe(false);
    clock.advance(300);
    sessions[0]!.fire();
    expect(sessions[0]!.sent.at(-2)).toMatchObject({ type: 'response.done', response: { status: 'completed' } });
    // Answered: the unused reservation is back, and a new response fits again.
    expect(limits.startResponse(300, 4103).admitted).toBe(true);
  });
});

