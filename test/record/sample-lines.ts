/** Sample recording lines for the record tests: one of each type, plus a request-line factory. */
import type { EndLine, PhaseLine, RequestLine, RunLine } from '../../src/record/types.js';

export function sampleRunLine(): RunLine {
  return {
    type: 'run',
    v: 1,
    tool: { name: 'aoai-probe', version: '0.1.0' },
    command: 'burst',
    startedAt: '2025-01-02T03:04:05.000Z',
    advertised: { tpm: 50_000, rpm: 300, source: 'flags' },
    targets: [{ id: 'default', kind: 'azure', url: 'https://x.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21', deployment: 'gpt-4o' }],
    payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 16, promptTokens: null, stream: false },
    scenario: { size: 10 },
  };
}

export function samplePhaseLine(): PhaseLine {
  return { type: 'phase', name: 'burst-1', kind: 'burst', startMs: 12.5, params: { size: 10, purpose: 'requests' } };
}

export function sampleRequestLine(seq: number): RequestLine {
  return {
    type: 'request',
    seq,
    phase: 'burst-1',
    target: 'default',
    plannedMs: 100 + seq * 0.25,
    sentMs: 100.123 + seq * 0.25,
    firstByteMs: 140.5 + seq * 0.25,
    doneMs: 141.75 + seq * 0.25,
    status: seq % 7 === 0 ? 429 : 200,
    errorKind: null,
    headers: {
      'x-ratelimit-remaining-requests': String(50 - (seq % 50)),
      'x-ratelimit-remaining-tokens': String(50_000 - 648 * (seq % 50)),
      'x-ms-region': 'East US',
      'apim-request-id': '8f1c2a3e-1111-4222-8333-444455556666',
    },
    error: seq % 7 === 0 ? { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit (Région ✓ 東京).', type: null } : null,
    usage: seq % 7 === 0 ? null : { promptTokens: 12, completionTokens: 1, totalTokens: 13 },
    estimatedTokens: 28,
    maxTokens: 16,
    clientRequestId: `0a1b2c3d-4e5f-4a0b-8c1d-${seq.toString(16).padStart(12, '0')}`,
  };
}

export function sampleEndLine(sent: number): EndLine {
  return { type: 'end', reason: 'completed', endMs: 5000.25, sent, dropped: 0 };
}
