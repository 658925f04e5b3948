/**
 * Recordings written by hand for the `report` command tests: the seed story
 * as NDJSON lines (a burst of 10 at one instant; five admitted while the
 * headers count down 49..45 and 49,352..46,760; five refused with Azure's call-rate
 * 429). These are inputs: every figure the tests check is computed by the analysis.
 */
import { writeFileSync } from 'node:fs';
import type { RecordLine, RequestLine } from '../../src/record/types.js';

const CALL_RATE_MESSAGE =
  'Your requests to gpt-4o for gpt-4o in Sweden Central have exceeded the call rate limit for your current AIServices S0 pricing tier. ' +
  'This request was for ChatCompletions_Create under Azure OpenAI API version 2024-10-21. Please retry after 1 second.';

/** Options for one recording: which target and region, and where the seqs start. */
export interface SeedRecordingOptions {
  targetId?: string;
  region?: string;
  url?: string;
}

function requestLine(seq: number, admitted: boolean, options: Required<SeedRecordingOptions>): RequestLine {
  const base = { type: 'request' as const, seq, phase: 'burst-1', target: options.targetId, plannedMs: 0, sentMs: 0.2 + seq * 0.05 };
  const ids = { 'x-ms-region': options.region, 'apim-request-id': `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}` };
  if (admitted) {
    return {
      ...base,
      firstByteMs: 200 + seq * 20,
      doneMs: 205 + seq * 20,
      status: 200,
      errorKind: null,
      headers: {
        ...ids,
        'x-ratelimit-limit-requests': '50',
        'x-ratelimit-limit-tokens': '50000',
        'x-ratelimit-remaining-requests': String(50 - seq),
        'x-ratelimit-remaining-tokens': String(50_000 - 648 * seq),
      },
      error: null,
      usage: { promptTokens: 12, completionTokens: 1, totalTokens: 13 },
      estimatedTokens: 648,
      maxTokens: 636,
      clientRequestId: `0a1b2c3d-4e5f-4a0b-8c1d-${seq.toString(16).padStart(12, '0')}`,
    };
  }
  return {
    ...base,
    firstByteMs: 30 + seq,
    doneMs: 31 + seq,
    status: 429,
    errorKind: null,
    headers: { ...ids, 'retry-after': '1', 'retry-after-ms': '1000', 'x-ratelimit-remaining-requests': '45', 'x-ratelimit-remaining-tokens': '46760' },
    error: { code: 'RateLimitReached', message: CALL_RATE_MESSAGE, type: null },
    usage: null,
    estimatedTokens: 648,
    maxTokens: 636,
    clientRequestId: `0a1b2c3d-4e5f-4a0b-8c1d-${seq.toString(16).padStart(12, '0')}`,
  };
}

/** The seed-story recording as lines. */
export function seedRecordingLines(options: SeedRecordingOptions = {}): RecordLine[] {
  const full: Required<SeedRecordingOptions> = {
    targetId: options.targetId ?? 'default',
    region: options.region ?? 'Sweden Central',
    url: options.url ?? 'https://example.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
  };
  const requests = Array.from({ length: 10 }, (_, index) => requestLine(index + 1, index < 5, full));
  return [
    {
      type: 'run',
      v: 1,
      tool: { name: 'aoai-probe', version: '0.1.0' },
      command: 'burst',
      startedAt: '2025-02-12T18:52:18.000Z',
      advertised: { tpm: 50_000, rpm: 300, source: 'flags' },
      targets: [{ id: full.targetId, kind: 'azure', url: full.url, deployment: 'gpt-4o' }],
      payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 636, promptTokens: 12, stream: false },
      scenario: { size: 10 },
    },
    { type: 'phase', name: 'burst-1', kind: 'burst', startMs: 0, params: { size: 10 } },
    ...requests,
    { type: 'end', reason: 'completed', endMs: 320, sent: 10, dropped: 0 },
  ];
}

/** Writes lines as an NDJSON recording; `truncateLast` cuts the last line in half, as a crash would. */
export function writeRecording(path: string, lines: readonly RecordLine[], truncateLast = false): void {
  const text = lines.map((line) => JSON.stringify(line)).join('\n');
  if (!truncateLast) {
    writeFileSync(path, `${text}\n`);
    return;
  }
  const last = JSON.stringify(lines.at(-1));
  writeFileSync(path, `${text.slice(0, text.length - last.length)}${last.slice(0, Math.floor(last.length / 2))}`);
}
