import { describe, expect, it } from 'vitest';
import { analyseLines } from '../../src/analysis/summarise.js';
import type { RecordLine, SessionLine, TurnLine } from '../../src/record/types.js';
import { endLine, phaseLine, runLine } from './records.js';

/** A session that opened at `openMs` and was used, unless overridden. */
function session(sid: number, askedMs: number, overrides: Partial<SessionLine> = {}): SessionLine {
  return {
    type: 'session',
    sid,
    phase: 'sessions-1',
    target: 'default',
    askedMs,
    openMs: askedMs + 20,
    firstEventMs: askedMs + 30,
    closeMs: askedMs + 900,
    handshakeStatus: 101,
    headers: {},
    closeCode: 1000,
    closeReason: null,
    closedBy: 'client',
    framesIn: 2,
    framesOut: 1,
    serverSessionId: `sess_${sid}`,
    rateLimits: [],
    errors: [],
    ...overrides,
  };
}

function turn(sid: number, sentMs: number, refused: boolean): TurnLine {
  return {
    type: 'turn',
    sid,
    turn: 1,
    phase: 'sessions-1',
    target: 'default',
    sentMs,
    doneMs: sentMs + 50,
    status: refused ? 'failed' : 'completed',
    error: refused ? { code: 'rate_limit_exceeded', message: 'Rate limit reached', type: 'rate_limit' } : null,
    usage: refused ? null : { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    maxOutputTokens: 16,
  };
}

describe('the timeline of a realtime recording', () => {
  it('draws sessions and response turns where they were asked for and answered, refusals included', async () => {
    const lines: RecordLine[] = [
      runLine({ command: 'realtime', targets: [{ id: 'default', kind: 'realtime', url: 'ws://127.0.0.1:1/openai/realtime', deployment: 'gpt-realtime' }] }),
      phaseLine('sessions-1', 'sessions', 0),
      session(1, 0),
      session(2, 10),
      // Refused at the handshake: answered at its status line.
      session(3, 20, { handshakeStatus: 429, openMs: 60, firstEventMs: null, closeMs: 60, closeCode: null, closedBy: 'server', serverSessionId: null }),
      turn(1, 400, false),
      turn(2, 410, true),
      endLine(0, 1000),
    ];
    const { timeline } = await analyseLines(lines);
    const slices = timeline.slices;
    const total = (field: 'sent' | 'admitted' | 'refused' | 'failed'): number => slices.reduce((sum, slice) => sum + slice[field], 0);
    expect(total('sent')).toBe(5);
    expect(total('admitted')).toBe(3);
    expect(total('refused')).toBe(2);
    const sliceAt = (ms: number) => slices[Math.floor(ms / timeline.sliceMs)]!;
    expect(sliceAt(60).refused).toBe(1);
    expect(sliceAt(460).refused).toBe(1);
    expect(timeline.firstRefusalMs).toBe(60);
    expect(timeline.refusalsByClass).toEqual({ 'handshake-429': 1, 'response-failed': 1 });
  });
});
