import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadScenario, parseScenario } from '../../src/scenario/parse.js';
import { temporaryFolder } from '../support/spawn-cli.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('a valid scenario', () => {
  it('reads every field into typed values', () => {
    const scenario = parseScenario(
      `
name: full
description: every field
target:
  endpoint: https://example.openai.azure.com
  deployment: gpt-4o
  apiVersion: "2024-10-21"
  api: classic
advertised: { tpm: 50000, rpm: 300, rpmPer1kTpm: 6 }
payload: { kind: chat, model: gpt-4o, maxTokens: 10, promptTokens: 20, stream: false }
maxInFlight: 64
expect:
  - "throttled.ratio < 0.01"
phases:
  - burst: 20
  - name: repeated
    burst: { size: 5, bursts: 3, gap: 1m30s }
  - pause: 500ms
  - name: paced
    steady: { rate: 300/m, duration: 10s }
    payload: { maxTokens: 4000, promptTokens: 5, stream: true }
  - ramp: { from: 0/s, to: 50/10s, duration: 20s }
`,
      'full.yaml',
    );
    expect(scenario).toEqual({
      name: 'full',
      description: 'every field',
      file: 'full.yaml',
      target: { endpoint: 'https://example.openai.azure.com', deployment: 'gpt-4o', apiVersion: '2024-10-21', api: 'classic' },
      advertised: { tpm: 50000, rpm: 300, rpmPer1kTpm: 6 },
      payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 10, promptTokens: 20, stream: false },
      maxInFlight: 64,
      expect: ['throttled.ratio < 0.01'],
      phases: [
        { kind: 'burst', name: 'burst-1', size: 20, bursts: 1, gapMs: 0 },
        { kind: 'burst', name: 'repeated', size: 5, bursts: 3, gapMs: 90_000 },
        { kind: 'pause', name: 'pause-3', durationMs: 500 },
        { kind: 'steady', name: 'paced', ratePerSecond: 5, durationMs: 10_000, payload: { maxTokens: 4000, promptTokens: 5, stream: true } },
        { kind: 'ramp', name: 'ramp-5', fromPerSecond: 0, toPerSecond: 5, durationMs: 20_000 },
      ],
      realtimePhases: [],
    });
  });

  it('fills defaults for everything but phases', () => {
    expect(parseScenario('phases: [{ pause: 1s }]', 'dir/minimal.yml')).toEqual({
      name: 'minimal',
      description: null,
      file: 'dir/minimal.yml',
      target: null,
      advertised: { tpm: null, rpm: null, rpmPer1kTpm: null },
      payload: {},
      maxInFlight: null,
      expect: [],
      phases: [{ kind: 'pause', name: 'pause-1', durationMs: 1000 }],
      realtimePhases: [],
    });
  });

  it('reads JSON with the same rules', () => {
    const scenario = parseScenario('{\n\t"name": "j",\n\t"phases": [ { "steady": { "rate": "5/s", "duration": "2s" } } ]\n}', 'j.json');
    expect(scenario.phases).toEqual([{ kind: 'steady', name: 'steady-1', ratePerSecond: 5, durationMs: 2000 }]);
  });

  it('accepts a url target and a simulator target', () => {
    expect(parseScenario('target: { url: "http://127.0.0.1:8080/v1/chat/completions?x=1" }\nphases: [{ burst: 1 }]', 's.yaml').target).toEqual({
      url: 'http://127.0.0.1:8080/v1/chat/completions?x=1',
    });
    expect(parseScenario('target: { simulator: azure-ptu }\nphases: [{ burst: 1 }]', 's.yaml').target).toEqual({ simulator: 'azure-ptu' });
  });
});

describe('loadScenario', () => {
  const folder = temporaryFolder('scenario');

  it('reads a file and keeps its path', async () => {
    const file = join(folder, 'ok.yaml');
    writeFileSync(file, 'phases:\n  - burst: 2\n');
    const scenario = await loadScenario(file);
    expect(scenario.file).toBe(file);
    expect(scenario.name).toBe('ok');
  });

  it('names a missing file, a folder and a wrong extension', async () => {
    mkdirSync(join(folder, 'sub.yaml'), { recursive: true });
    writeFileSync(join(folder, 'notes.txt'), 'phases: []');
    await expect(loadScenario(join(folder, 'nope.yaml'))).rejects.toThrow(`${join(folder, 'nope.yaml')}: no such file; the examples are in scenarios/`);
    await expect(loadScenario(join(folder, 'sub.yaml'))).rejects.toThrow('is a folder');
    await expect(loadScenario(join(folder, 'notes.txt'))).rejects.toThrow('notes.txt: a scenario file ends in .yaml, .yml or .json');
  });

  it('reports problems as InputError with file positions', async () => {
    const file = join(folder, 'bad.yaml');
    writeFileSync(file, 'phases:\n  - steady: { rate: fast, duration: 10s }\n');
    await expect(loadScenario(file)).rejects.toBeInstanceOf(InputError);
    await expect(loadScenario(file)).rejects.toThrow(`${file}:2:21: phases[0].steady.rate: "fast" is not a rate; e.g. rate: 5/s`);
  });
});

/**
 * Bad files and exactly what the user reads. Each case: the file, then every problem
 * (all reported at once, in file order, each with line:column, path and fix).
 */
const BAD_SCENARIOS: [string, string, string[]][] = [
  ['an empty file', '', ['bad.yaml: the file is empty; a scenario needs at least "phases:" (see scenarios/README.md)']],
  [
    'a list instead of a mapping',
    '- burst: 20\n',
    ['bad.yaml:1:1: the file holds a list; a scenario is a mapping with at least "phases:", e.g.\n  phases:\n    - steady: { rate: 5/s, duration: 10s }'],
  ],
  [
    'no phases',
    'name: nothing\n',
    ['bad.yaml:1:1: phases: is required; a scenario needs at least one phase, e.g.\n  phases:\n    - steady: { rate: 5/s, duration: 10s }'],
  ],
  ['an empty phase list', 'phases: []\n', ['bad.yaml:1:9: phases: is empty; a scenario needs at least one phase, e.g. - steady: { rate: 5/s, duration: 10s }']],
  ['a YAML syntax error', 'phases:\n  - burst: 20\n  burst: 3\n', ['bad.yaml:3:1: All mapping items must start at the same column']],
  ['a duplicate key', 'phases: [{ burst: 2 }]\nphases: [{ burst: 3 }]\n', ['bad.yaml:2:1: Map keys must be unique']],
  [
    'a rate that is not a rate, a duration without a unit',
    'phases:\n  - pause: 1s\n  - pause: 1s\n  - steady: { rate: fast, duration: 10 }\n',
    [
      'bad.yaml:4:21: phases[2].steady.rate: "fast" is not a rate; e.g. rate: 5/s',
      'bad.yaml:4:37: phases[2].steady.duration: "10" is not a duration; e.g. duration: 10s',
    ],
  ],
  [
    'typos in keys, with suggestions',
    'phases:\n  - burst: { sizes: 20 }\n    payload: { max_tokens: 10 }\nmaxInflight: 5\n',
    [
      'bad.yaml:2:12: phases[0].burst.size: is required; e.g. size: 20',
      'bad.yaml:2:14: phases[0].burst.sizes: unknown key; did you mean size? (allowed: size, bursts, gap)',
      'bad.yaml:3:16: phases[0].payload.max_tokens: unknown key; did you mean maxTokens? (allowed: maxTokens, promptTokens, stream)',
      'bad.yaml:4:1: maxInflight: unknown key; did you mean maxInFlight? (allowed: name, description, target, targets, advertised, payload, maxInFlight, expect, phases)',
    ],
  ],
  [
    'a key in the file, and a key in the URL (never echoed)',
    'target:\n  url: "https://x.example/v1/chat/completions?api-key=SECRET123"\n  apiKey: SECRET456\nphases: [{ burst: 1 }]\n',
    [
      'bad.yaml:2:8: target.url: has a query parameter named "api-key"; secrets never go in a scenario file (use --api-key, --bearer or the environment); e.g. url: https://api.example.com/v1/chat/completions',
      'bad.yaml:3:3: target.apiKey: keys and tokens never go in a scenario file; set AZURE_OPENAI_API_KEY (or pass --api-key / --bearer) instead',
    ],
  ],
  [
    'a phase with no kind, one with two, one that is text',
    'phases:\n  - name: idle\n  - burst: 3\n    pause: 1s\n  - pause 5s\n',
    [
      'bad.yaml:2:5: phases[0]: has no kind; give it one of burst, steady, ramp, pause, sessions, session-ramp, turns, e.g. - steady: { rate: 5/s, duration: 10s }',
      'bad.yaml:3:5: phases[1]: has burst and pause; a phase has one kind: split it into 2 phases',
      'bad.yaml:5:5: phases[2]: "pause 5s" is not a mapping; write it like - steady: { rate: 5/s, duration: 10s }',
    ],
  ],
  [
    'bad numbers: fractional size, zero rate, zero pause, text in place of a number',
    'advertised: { tpm: "50000" }\nmaxInFlight: 0\nphases:\n  - burst: 2.5\n  - steady: { rate: 0/s, duration: 1s }\n  - pause: 0s\n',
    [
      'bad.yaml:1:20: advertised.tpm: "50000" is not a whole number; e.g. tpm: 50000',
      'bad.yaml:2:14: maxInFlight: 0 is below the least allowed, 1; e.g. maxInFlight: 100',
      'bad.yaml:4:12: phases[0].burst.size: 2.5 is not a whole number; e.g. size: 20',
      'bad.yaml:5:21: phases[1].steady.rate: "0/s" sends nothing; a rate must be above 0/s; e.g. rate: 5/s',
      'bad.yaml:6:12: phases[2].pause: "0s" is no time at all; a duration must be longer than 0; e.g. pause: 5s',
    ],
  ],
  [
    'repeated bursts without a gap, duplicate phase names',
    'phases:\n  - name: hit\n    burst: { size: 5, bursts: 3 }\n  - name: hit\n    pause: 1s\n  - pause: 1s\n  - name: pause-3\n    pause: 2s\n',
    [
      'bad.yaml:3:12: phases[0].burst.gap: is required when bursts is more than 1; e.g. gap: 10s',
      'bad.yaml:4:11: phases[1].name: is named "hit" like phases[0]; phase names must be unique (the recording groups requests by them)',
      'bad.yaml:7:11: phases[3].name: is named "pause-3" like phases[2]; phase names must be unique (the recording groups requests by them)',
    ],
  ],
  [
    'targets that exclude each other',
    'target:\n  simulator: azure-seed\n  endpoint: https://x.openai.azure.com\n  api: v1\n  apiVersion: "2024-10-21"\nphases: [{ burst: 1 }]\n',
    [
      'bad.yaml:3:13: target.endpoint: cannot go with simulator; the embedded simulator needs no address (remove one of them)',
      'bad.yaml:4:8: target.api: cannot go with simulator; the embedded simulator needs no address (remove one of them)',
      'bad.yaml:5:15: target.apiVersion: cannot go with simulator; the embedded simulator needs no address (remove one of them)',
      'bad.yaml:5:15: target.apiVersion: the v1 API takes no api-version; remove it, or use api: classic',
    ],
  ],
  [
    'wrong shapes: a phase kind at the top level, a rate where a mapping goes, a bad enum, empty expectations',
    'burst: 20\npayload: { kind: images, stream: "yes" }\nexpect: [ "", 3 ]\nphases:\n  - steady: 5/s\n',
    [
      'bad.yaml:1:1: burst: unknown key; burst is a phase kind and goes in a list item of phases (allowed here: name, description, target, targets, advertised, payload, maxInFlight, expect, phases)',
      'bad.yaml:2:18: payload.kind: "images" is not one of chat, embeddings, responses; e.g. kind: chat',
      'bad.yaml:2:34: payload.stream: "yes" is not true or false; e.g. stream: true',
      'bad.yaml:3:11: expect[0]: "" is not an expression; write it like "effective.requests.perSecond >= 4.5"',
      'bad.yaml:3:15: expect[1]: 3 is not an expression; write it like "effective.requests.perSecond >= 4.5"',
      'bad.yaml:5:13: phases[0].steady: "5/s" is not a mapping; write it like { rate: 5/s, duration: 10s }',
    ],
  ],
  [
    'a ramp that sends nothing, a plan too large',
    'phases:\n  - ramp: { from: 0/s, to: 0/s, duration: 10s }\n  - steady: { rate: 100000/s, duration: 2m }\n',
    [
      'bad.yaml:2:3: phases: plan 12,000,000 requests, more than the 10,000,000 a scenario may hold; shorten or slow the phases',
      'bad.yaml:2:11: phases[0].ramp: goes from 0/s to 0/s and sends nothing; use a pause to wait',
    ],
  ],
];

describe('a bad scenario', () => {
  it('gives the messages scenarios/README.md shows', () => {
    const text = 'phases:\n  - burst: 1\n  - pause: 1s\n  - steady: { rate: fast, duration: 10s }\n  - burst: 2\n    maxTokens: 4000\n  - burst: { size: 2, bursts: 3 }\npayload:\n  maxToken: 10\n';
    const readme = readFileSync(join(import.meta.dirname, '../../scenarios/README.md'), 'utf8');
    const shown = readme.split('\n').filter((line) => line.startsWith('aoai-probe: my.yaml')).map((line) => line.replace('aoai-probe: ', ''));
    expect(shown).toHaveLength(4);
    expect(problemsOf(() => parseScenario(text, 'my.yaml'))).toEqual(shown);
  });

  it.each(BAD_SCENARIOS)('%s', (_title, text, expected) => {
    expect(problemsOf(() => parseScenario(text, 'bad.yaml'))).toEqual(expected);
  });

  it('never repeats a secret from the file in a message', () => {
    const text = BAD_SCENARIOS.find(([title]) => title.startsWith('a key in the file'))![1];
    const problems = problemsOf(() => parseScenario(text, 'bad.yaml')).join('\n');
    expect(problems).not.toContain('SECRET');
  });
});
