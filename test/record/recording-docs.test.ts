/**
 * docs/recording.md lists every field of every line type, and nothing else. The samples
 * below are typed with `Required<...>` so the compiler insists on every field of
 * src/record/types.ts, optional ones included: a field added there without a sample
 * (and so without a row in the document) fails to type-check, and one missing from the
 * document fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DroppedLine, EndLine, PhaseLine, RequestLine, RunLine, TargetDescription } from '../../src/record/types.js';

const DOCUMENT = fileURLToPath(new URL('../../docs/recording.md', import.meta.url));

const target: Required<TargetDescription> = { id: 'default', kind: 'simulator', url: 'http://127.0.0.1:1/x', deployment: 'gpt-4o', profile: 'azure-standard', proxy: { host: '127.0.0.1:3128', source: 'flag' } };
const run: Required<RunLine> = {
  type: 'run',
  v: 1,
  tool: { name: 'aoai-probe', version: '0.1.0' },
  command: 'burst',
  startedAt: '2026-01-01T00:00:00.000Z',
  advertised: { tpm: 50_000, rpm: 300, source: 'flags' },
  targets: [target],
  payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 16, promptTokens: null, stream: false },
  scenario: { size: 8 },
  shard: { index: 1, count: 3, host: 'probe-1', label: 'eastus', offsetMs: -0.4, offsetErrorMs: 0.2, clockZeroEpochMs: 1_767_225_600_000.25, startAt: '2026-01-01T00:00:03.000Z' },
};
const phase: Required<PhaseLine> = { type: 'phase', name: 'burst', kind: 'burst', startMs: 1, params: { size: 8 } };
const request: Required<RequestLine> = {
  type: 'request',
  seq: 0,
  phase: 'burst',
  target: 'default',
  plannedMs: 1,
  sentMs: 2,
  firstByteMs: 3,
  doneMs: 4,
  status: 429,
  errorKind: null,
  headers: { 'retry-after': '1' },
  error: { code: '429', message: 'call rate limit', type: null, shape: 'text' },
  usage: { promptTokens: 6, completionTokens: 2, totalTokens: 8 },
  estimatedTokens: 656,
  maxTokens: null,
  clientRequestId: 'id',
  caller: 0,
  attempt: 1,
  policy: 'exponential',
  waitedMs: 0,
  stream: { firstTokenMs: 3.5, lastTokenMs: 3.9, chunks: 2, gapsMs: [0.4], gapsEvery: 1 },
};
const dropped: Required<DroppedLine> = { type: 'dropped', seq: 1, phase: 'burst', target: 'default', plannedMs: 1, reason: 'max-in-flight' };
const end: Required<EndLine> = { type: 'end', reason: 'completed', endMs: 5, sent: 1, dropped: 1, unsent: 0, message: 'done' };

/** Field paths of a sample: `tool.name`, `targets[].id`; objects of free-form keys (headers, params, scenario) stop at their own name. */
function paths(value: Record<string, unknown>, prefix = ''): string[] {
  const freeForm = new Set(['headers', 'params', 'scenario']);
  return Object.entries(value).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    if (freeForm.has(key)) return [path];
    if (Array.isArray(child)) return [path, ...paths(child[0] as Record<string, unknown>, `${path}[].`)];
    if (child !== null && typeof child === 'object') return [path, ...paths(child as Record<string, unknown>, `${path}.`)];
    return [path];
  });
}

/** The field column of the table under "### `type`" in the document. */
function documentedFields(type: string): string[] {
  const text = readFileSync(DOCUMENT, 'utf8');
  const start = text.indexOf(`### \`${type}\``);
  expect(start, `a section for ${type}`).toBeGreaterThan(-1);
  const next = text.indexOf('\n#', start + 1);
  const section = text.slice(start, next === -1 ? undefined : next);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!);
}

describe('docs/recording.md', () => {
  it.each([
    ['run', run],
    ['phase', phase],
    ['request', request],
    ['dropped', dropped],
    ['end', end],
  ] as const)('documents exactly the fields of the %s line', (type, sample) => {
    // `error` and `usage` are objects in the sample (not null) so that their fields are listed too.
    expect(documentedFields(type).sort()).toEqual(paths(sample as unknown as Record<string, unknown>).sort());
  });
});
