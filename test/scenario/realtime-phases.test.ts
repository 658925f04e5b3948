/**
 * The realtime phase kinds of a scenario file (`sessions`, `session-ramp`, `turns`):
 * read into the phases `aoai-probe realtime` runs, with their defaults and short
 * form, and refused when mixed with HTTP phases or pointed at an http(s) URL.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseScenario } from '../../src/scenario/parse.js';

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 'rt.yaml');
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('realtime phases in a scenario', () => {
  it('reads sessions, session-ramp and turns with their defaults', () => {
    const scenario = parseScenario(
      `
target: { url: "wss://res.services.ai.azure.com/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime" }
phases:
  - sessions: 8
  - name: paced
    sessions: { count: 30, rate: 10/s, hold: 2s, turns: 1 }
  - session-ramp: { step: 2, every: 1s, max: 40, holdAfter: 500ms }
  - turns: { turns: 40 }
  - turns: { sessions: 2, turns: 5, gap: 250ms, maxOutputTokens: 64 }
`,
      'rt.yaml',
    );
    expect(scenario.phases).toEqual([]);
    expect(scenario.realtimePhases).toEqual([
      { kind: 'sessions', name: 'sessions-1', count: 8, ratePerSecond: null, holdMs: 0, turns: 0 },
      { kind: 'sessions', name: 'paced', count: 30, ratePerSecond: 10, holdMs: 2000, turns: 1 },
      { kind: 'session-ramp', name: 'session-ramp-3', step: 2, everyMs: 1000, max: 40, holdAfterMs: 500 },
      { kind: 'turns', name: 'turns-4', sessions: 1, turns: 40, turnGapMs: 0, maxOutputTokens: 16, purpose: 'turns' },
      { kind: 'turns', name: 'turns-5', sessions: 2, turns: 5, turnGapMs: 250, maxOutputTokens: 64, purpose: 'turns' },
    ]);
  });

  it('takes an endpoint with a realtime api shape', () => {
    const scenario = parseScenario('target: { endpoint: https://res.services.ai.azure.com, deployment: gpt-realtime, api: voice-live }\nphases:\n  - sessions: 1\n', 'rt.yaml');
    expect(scenario.target).toEqual({ endpoint: 'https://res.services.ai.azure.com', deployment: 'gpt-realtime', api: 'voice-live' });
  });

  it('names every problem: mixed kinds, wrong URL schemes, missing fields, unknown keys', () => {
    expect(problemsOf('phases:\n  - burst: 5\n  - sessions: 3\n')).toEqual([
      'rt.yaml:2:3: phases: mixes realtime phases (sessions, session-ramp, turns) with HTTP ones (burst, steady, ramp, pause); put each in its own scenario file',
    ]);
    expect(problemsOf('target: { url: "https://example.com/v1/chat/completions" }\nphases:\n  - sessions: 3\n')).toEqual([
      'rt.yaml:1:16: target.url: realtime phases open WebSocket sessions; give a ws:// or wss:// URL, or endpoint with deployment',
    ]);
    expect(problemsOf('target: { url: "wss://example.com/realtime" }\nphases:\n  - burst: 3\n')).toEqual([
      'rt.yaml:1:16: target.url: is a ws:// or wss:// URL, which only realtime phases (sessions, session-ramp, turns) use; give an http(s) URL',
    ]);
    const problems = problemsOf('phases:\n  - session-ramp: { step: 2 }\n  - turns: { turn: 4 }\n');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/phases\[0\]\.session-ramp\.every: is required/),
        expect.stringMatching(/phases\[0\]\.session-ramp\.max: is required/),
        expect.stringMatching(/phases\[1\]\.turns\.turn: unknown key; did you mean turns\?/),
      ]),
    );
  });
});
