/**
 * Writes a synthetic version-1 recording (docs/recording.md) of N requests, for timing
 * `aoai-probe report` when no real 1M-line recording was made in this bench run (e.g.
 * `--only report`). Shaped like a steady run against a rate-limited deployment: 1000
 * requests/s, a 10-second request window of 500, so a share of the lines are 429s with
 * Azure's headers and error body.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Writes `requests` request lines (plus run and end lines) to `file`. */
export async function writeSyntheticRecording(file, requests) {
  const out = createWriteStream(file);
  const write = async (record) => {
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  };
  await write({
    type: 'run',
    v: 1,
    tool: { name: 'aoai-probe', version: 'bench-synthetic' },
    command: 'steady',
    startedAt: new Date(0).toISOString(),
    advertised: { tpm: 50_000, rpm: 300, source: 'flags' },
    targets: [{ id: 'default', kind: 'http', url: 'http://127.0.0.1:8088/openai/deployments/bench/chat/completions', deployment: 'bench' }],
    payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 4, promptTokens: null, stream: false },
    scenario: { rate: 1000, durationMs: requests },
  });
  await write({ type: 'phase', name: 'steady', kind: 'steady', startMs: 0, params: { rate: 1000, durationMs: requests } });
  const windowMs = 10_000;
  const windowLimit = 500;
  for (let seq = 0; seq < requests; seq += 1) {
    const plannedMs = seq; // 1000/s
    const sentMs = plannedMs + 0.05 + (seq % 7) * 0.01;
    const inWindow = seq % windowMs;
    const admitted = inWindow < windowLimit;
    const remaining = Math.max(0, windowLimit - inWindow - 1);
    const headers = admitted
      ? {
          'x-ratelimit-remaining-requests': String(remaining),
          'x-ratelimit-remaining-tokens': String(Math.max(0, 50_000 - (inWindow + 1) * 18)),
          'x-ratelimit-limit-requests': String(windowLimit),
          'x-ratelimit-limit-tokens': '50000',
          'x-request-id': `req-${seq}`,
          'x-ms-region': 'Sweden Central',
        }
      : {
          'retry-after': String(Math.ceil((windowMs - inWindow) / 1000)),
          'retry-after-ms': String(windowMs - inWindow),
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-remaining-tokens': String(50_000 - windowLimit * 18),
          'x-request-id': `req-${seq}`,
          'x-ms-region': 'Sweden Central',
        };
    await write({
      type: 'request',
      seq,
      phase: 'steady',
      target: 'default',
      plannedMs,
      sentMs,
      firstByteMs: sentMs + 0.9,
      doneMs: sentMs + 1.1,
      status: admitted ? 200 : 429,
      errorKind: null,
      headers,
      error: admitted
        ? null
        : { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit.', type: null },
      usage: admitted ? { promptTokens: 14, completionTokens: 1, totalTokens: 15 } : null,
      estimatedTokens: 18,
      maxTokens: 4,
      clientRequestId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    });
  }
  await write({ type: 'end', reason: 'completed', endMs: requests + 2, sent: requests, dropped: 0 });
  out.end();
  await once(out, 'finish');
}
