import { describe, expect, it } from 'vitest';
import { analyseLines } from '../../src/analysis/summarise.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { AZURE_CALL_RATE, endLine, phaseLine, runLine } from './records.js';

/**
 * A long steady run as the writer would produce it: 500 requests per second, one in
 * five refused, Azure headers on every answer, lines in the order answers finished.
 */
export function* steadyRecording(count: number): Generator<RecordLine> {
  yield runLine({ command: 'steady' });
  yield phaseLine('steady', 'steady', 0, { ratePerSecond: 500 });
  for (let seq = 0; seq < count; seq++) {
    const sentMs = seq * 2 + 0.137;
    const refused = seq % 5 === 4;
    const line: RequestLine = {
      type: 'request',
      seq,
      phase: 'steady',
      target: 'default',
      plannedMs: seq * 2,
      sentMs,
      firstByteMs: sentMs + (refused ? 8 : 250),
      doneMs: sentMs + (refused ? 9 : 260 + (seq % 97)),
      status: refused ? 429 : 200,
      errorKind: null,
      headers: {
        'x-ratelimit-remaining-requests': String(refused ? 0 : 40 - (seq % 40)),
        'x-ratelimit-remaining-tokens': String(450_000 - (seq % 600) * 648),
        'x-ratelimit-limit-requests': '4500',
        'x-ratelimit-limit-tokens': '450000',
        'x-ms-region': seq % 2 ? 'East US' : 'East US 2',
        'apim-request-id': '8f1c2a3e-1111-4222-8333-444455556666',
        ...(refused ? { 'retry-after': '1', 'retry-after-ms': String(100 + (seq % 900)) } : {}),
      },
      error: refused ? AZURE_CALL_RATE : null,
      usage: refused ? null : { promptTokens: 12, completionTokens: 1, totalTokens: 13 },
      estimatedTokens: 648,
      maxTokens: null,
      clientRequestId: `0a1b2c3d-4e5f-4a0b-8c1d-${seq.toString(16).padStart(12, '0')}`,
    };
    yield line;
  }
  yield endLine(count, count * 2 + 400);
}

describe('a large recording', () => {
  it('200,000 lines fold into exact, order-independent counts', async () => {
    const count = 200_000;
    const result = await analyseLines(steadyRecording(count));
    const summary = result.summary;
    expect(summary.requests).toEqual({ sent: count, ok: count * 0.8, throttled: count * 0.2, failed: 0, dropped: 0 });
    expect(summary.throttled.firstSeq).toBe(4);
    expect(summary.throttled.retryAfterMs).toEqual({ min: 104, p50: 549, max: 999 });
    // Every refusal left 2 ms after the previous request, whose answer (250 ms+) was not read yet: none counts.
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(result.timeline.slices.length).toBeLessThanOrEqual(60);
    expect(result.timeline.latencyPoints.length).toBe(2000);
    expect(result.byTarget.map((row) => row.sent)).toEqual([count / 2, count / 2]);
    // Latency: 260 + (seq % 97) ms for admitted requests (HDR precision, 0.1 %).
    expect(summary.latency.max).toBeCloseTo(356, 0);
    expect(Math.abs(summary.latency.p50! - 308)).toBeLessThanOrEqual(1);
  });
});
