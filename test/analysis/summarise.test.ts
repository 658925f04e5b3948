import { describe, expect, it } from 'vitest';
import { analyseLineBatches, analyseLines, createAnalysis } from '../../src/analysis/summarise.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import {
  AZURE_CALL_RATE,
  AZURE_HIGH_DEMAND,
  AZURE_TOKEN_RATE,
  NGINX_503,
  OPENAI_RPM,
  droppedLine,
  endLine,
  phaseLine,
  request,
  runLine,
  seedStory,
} from './records.js';

describe('the seed story', () => {
  it('5 admitted, 15 refused while the headers showed 45 left; a 1-second cap of 5, headers counting 10 s', async () => {
    const result = await analyseLines(seedStory(), { recordingPath: 'runs/seed.ndjson' });
    const summary = result.summary;
    expect(summary.schema).toBe('aoai-probe/summary@1');
    expect(summary.command).toBe('burst');
    expect(summary.target).toEqual({ url: 'https://example.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21', kind: 'azure' });
    expect(summary.requests).toEqual({ sent: 20, ok: 5, throttled: 15, failed: 0, dropped: 0 });
    expect(summary.throttled.ratio).toBe(0.75);
    expect(summary.throttled.firstSeq).toBe(5);
    expect(summary.throttled.byClass).toEqual({ requests: 15, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 });
    expect(summary.throttled.retryAfterMs).toEqual({ min: 1000, p50: 1000, max: 1000 });
    // All 20 left at once: no header had been read when the refused ones were sent, so
    // none counts (the burst sentence still says what the headers showed at the instant).
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(summary.advertised).toEqual({ tpm: 50_000, rpm: 300, requestsPer10s: 50, requestsPer1s: 5, source: 'flags' });
    expect(summary.headers).toEqual({
      requestsWindowSeconds: 10,
      limitRequests: 50,
      limitTokens: 50_000,
      firstRemainingRequests: 49,
      firstRemainingTokens: 49_352,
      families: ['azure', 'retry-after'],
    });
    expect(summary.effective.requests).toMatchObject({ burst: 5, perSecond: null, shape: 'unknown', confidence: 'high' });
    expect(summary.effective.tokens).toEqual({ burst: null, perMinute: null, windowSeconds: null, confidence: 'none' });
    expect(summary.tokens).toMatchObject({ estimatedCharged: 5 * 648, billed: 5 * 13, estimatedSent: 20 * 648 });
    expect(summary.ended).toBe('completed');
    expect(summary.durationSeconds).toBe(0.5);
    expect(summary.recording).toBe('runs/seed.ndjson');
    // Latency of the 5 admitted: doneMs (390 + 7i) − sentMs (100.2 + 0.05i).
    const latencies = [0, 1, 2, 3, 4].map((i) => 390 + 7 * i - (100.2 + 0.05 * i));
    expect(summary.latency).toMatchObject({ p50: Math.round(latencies[2]! * 10) / 10, p95: Math.round(latencies[4]! * 10) / 10, p99: Math.round(latencies[4]! * 10) / 10, max: Math.round(latencies[4]! * 10) / 10 });
    expect(summary.schedule.sendSpreadMs).toBeCloseTo(19 * 0.05, 6);
    expect(summary.schedule.lagP99Ms).toBeCloseTo(0.2 + 19 * 0.05, 3);
    expect(summary.verdict).toBe(
      '5 of 20 requests sent at once were admitted; the 6th was refused while the headers still showed 45 requests left. ' +
        'The enforced cap behaves like 5 requests per second (advertised 300 RPM ÷ 60), not the 50 per 10 s the headers count. ' +
        'Spread bursts over at least 1 s or pace at ≤ 4.5 requests/s.',
    );
    expect(result.warnings).toEqual([]);
    expect(result.byTarget).toEqual([{ target: 'default', region: 'East US', sent: 20, ok: 5, throttled: 15, failed: 0, firstThrottledSeq: 5 }]);
  });

  it('seq starting at 1 moves firstSeq to 6 and nothing else', async () => {
    const summary = (await analyseLines(seedStory({ firstSeq: 1 }))).summary;
    expect(summary.throttled.firstSeq).toBe(6);
    expect(summary.effective.requests.burst).toBe(5);
    expect(summary.verdict).toContain('the 6th was refused while the headers still showed 45 requests left');
  });

  it('on several sockets the admitted requests are not the first seqs; the figures do not depend on it', async () => {
    // As a real burst against the simulator recorded it: seqs 7, 2, 19, 11, 15 admitted in that order.
    const admittedOrder = [7, 2, 19, 11, 15];
    const lines = seedStory().map((line) => {
      if (line.type !== 'request') return line;
      const rank = admittedOrder.indexOf(line.seq);
      if (rank < 0) return request(line.seq, { ...line, status: 429, doneMs: 105, headers: { 'retry-after': '1' }, error: AZURE_CALL_RATE, usage: null });
      return request(line.seq, {
        ...line,
        status: 200,
        doneMs: 390 + rank,
        error: null,
        usage: { promptTokens: 12, completionTokens: 1, totalTokens: 13 },
        headers: { 'x-ratelimit-remaining-requests': String(49 - rank), 'x-ratelimit-remaining-tokens': String(49_352 - 648 * rank), 'x-ms-region': 'East US' },
      });
    });
    const summary = (await analyseLines(lines)).summary;
    expect(summary.requests).toMatchObject({ ok: 5, throttled: 15 });
    expect(summary.throttled.firstSeq).toBe(0);
    expect(summary.headers.firstRemainingRequests).toBe(49);
    expect(summary.headers.firstRemainingTokens).toBe(49_352);
    // Sent at once: no header was read before the refused requests left.
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(summary.effective.requests).toMatchObject({ burst: 5, confidence: 'high' });
    expect(summary.verdict).toContain('5 of 20 requests sent at once were admitted; 15 were refused while the headers still showed 45 requests left.');
  });

  it('an explicit RPM wins over the derived one', async () => {
    const summary = (await analyseLines(seedStory({ rpm: 600 }))).summary;
    expect(summary.advertised).toMatchObject({ rpm: 600, requestsPer10s: 100, requestsPer1s: 10 });
    // 50 in the headers is neither 100 (÷6), 10 (÷60) nor 600: no window can be told.
    expect(summary.headers.requestsWindowSeconds).toBeNull();
    expect(summary.verdict).toContain('Only 5 were admitted at once, fewer than the 10 per second');
  });

  it('async iterables are read like arrays, and finish() can be asked again after more lines', async () => {
    const lines = seedStory();
    async function* stream(): AsyncGenerator<RecordLine> {
      yield* lines;
    }
    const fromStream = await analyseLines(stream());
    const fromArray = await analyseLines(lines);
    expect(fromStream).toEqual(fromArray);
    async function* batches(): AsyncGenerator<RecordLine[]> {
      yield lines.slice(0, 7);
      yield lines.slice(7);
    }
    expect(await analyseLineBatches(batches())).toEqual(fromArray);
    expect(await analyseLineBatches([lines.slice(0, 3), lines.slice(3)])).toEqual(fromArray);

    const analysis = createAnalysis();
    lines.slice(0, 8).forEach((line) => analysis.add(line));
    const partial = analysis.finish();
    expect(partial.summary.requests.sent).toBe(6);
    expect(partial.summary.ended).toBe('truncated');
    lines.slice(8).forEach((line) => analysis.add(line));
    expect(analysis.finish()).toEqual(fromArray);
  });
});

/** A burst of `size` requests at `plannedMs`, all admitted, with optional headers. */
function admittedBurst(size: number, plannedMs: number, firstSeq = 0, headers: (index: number) => Record<string, string> = () => ({})): RequestLine[] {
  return Array.from({ length: size }, (_, index) =>
    request(firstSeq + index, { plannedMs, sentMs: plannedMs + 0.1, doneMs: plannedMs + 200 + index, headers: headers(index) }),
  );
}

describe('bursts', () => {
  it('no limit: every request admitted → a lower bound, shape none-observed', async () => {
    const lines: RecordLine[] = [runLine({ targets: [{ id: 'default', kind: 'http', url: 'http://127.0.0.1:9/x', deployment: null }], advertised: { tpm: null, rpm: null, source: 'none' } }), phaseLine('burst-1', 'burst'), ...admittedBurst(100, 50), endLine(100, 400)];
    const summary = (await analyseLines(lines)).summary;
    expect(summary.requests).toEqual({ sent: 100, ok: 100, throttled: 0, failed: 0, dropped: 0 });
    expect(summary.throttled).toMatchObject({ ratio: 0, firstSeq: null, whileHeadersShowedCapacity: 0, retryAfterMs: { min: null, p50: null, max: null } });
    expect(summary.effective.requests).toMatchObject({ burst: 100, shape: 'none-observed', confidence: 'low' });
    expect(summary.advertised).toEqual({ tpm: null, rpm: null, requestsPer10s: null, requestsPer1s: null, source: 'unknown' });
    expect(summary.headers.families).toEqual(['none']);
    expect(summary.headers.requestsWindowSeconds).toBeNull();
    expect(summary.schedule.sendSpreadMs).toBe(0);
    expect(summary.verdict).toBe('All 100 requests sent at once were admitted. No advertised limit is known (give --rpm, the requests per minute the target promises), so the burst cannot be compared with one.');
  });

  it('no limit with advertised figures: says the cap is at least the burst', async () => {
    const lines: RecordLine[] = [runLine(), phaseLine('burst-1', 'burst'), ...admittedBurst(20, 50), endLine(20, 400)];
    const summary = (await analyseLines(lines)).summary;
    expect(summary.verdict).toBe(
      'All 20 requests sent at once were admitted. The burst cap is at least 20 (advertised 300 RPM allows 5 per second and 50 per 10 s); send a larger burst (--size) to find it.',
    );
  });

  it('a 10-second bucket: 10 of 15 admitted on a 60-RPM deployment', async () => {
    const lines: RecordLine[] = [runLine({ advertised: { tpm: 10_000, rpm: null, source: 'flags' } }), phaseLine('burst-1', 'burst')];
    for (let seq = 0; seq < 15; seq++) {
      lines.push(
        seq < 10
          ? request(seq, { headers: { 'x-ratelimit-remaining-requests': String(9 - seq) } })
          : request(seq, { status: 429, doneMs: 120, error: AZURE_CALL_RATE, headers: { 'retry-after': '9' }, usage: null }),
      );
    }
    lines.push(endLine(15, 400));
    const summary = (await analyseLines(lines)).summary;
    expect(summary.effective.requests).toMatchObject({ burst: 10, confidence: 'high' });
    expect(summary.headers.requestsWindowSeconds).toBe(10);
    // The last admitted answer showed 0 left: these refusals are not "while the headers showed capacity".
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(summary.verdict).toBe(
      '10 of 15 requests sent at once were admitted; the 11th was refused. ' +
        'The burst cap matches a 10-second bucket of 10 requests (advertised 60 RPM ÷ 6); no 1-second cap was seen. ' +
        'Keep bursts to 10 requests or fewer, then pace at ≤ 0.9 requests/s.',
    );
  });

  it('repeated bursts: only bursts after a long enough pause count as from idle', async () => {
    const lines: RecordLine[] = [runLine(), phaseLine('bursts', 'burst')];
    let seq = 0;
    // Burst A at 0 s: 5 of 8 admitted. Burst B 2 s later (not idle): 2 admitted. Burst C 30 s later: 6 of 8 admitted.
    const burst = (plannedMs: number, admitted: number, size: number): void => {
      for (let index = 0; index < size; index++) {
        lines.push(
          index < admitted
            ? request(seq++, { phase: 'bursts', plannedMs, sentMs: plannedMs + index * 0.1, doneMs: plannedMs + 300 })
            : request(seq++, { phase: 'bursts', plannedMs, sentMs: plannedMs + index * 0.1, doneMs: plannedMs + 5, status: 429, error: AZURE_CALL_RATE, usage: null }),
        );
      }
    };
    burst(0, 5, 8);
    burst(2000, 2, 8);
    burst(32_000, 6, 8);
    lines.push(endLine(24, 33_000));
    const summary = (await analyseLines(lines)).summary;
    expect(summary.effective.requests).toMatchObject({ burst: 6, confidence: 'high' });
    expect(summary.schedule.sendSpreadMs).toBeCloseTo(0.7, 6);
    expect(summary.throttled.firstSeq).toBe(5);
  });

  it('token refusals in a burst: the request cap is a lower bound, the token burst is measured', async () => {
    const lines: RecordLine[] = [runLine({ advertised: { tpm: 10_000, rpm: null, source: 'flags' } }), phaseLine('burst-1', 'burst')];
    for (let seq = 0; seq < 8; seq++) {
      lines.push(
        seq < 5
          ? request(seq, { estimatedTokens: 2008, maxTokens: 2000, headers: { 'x-ratelimit-remaining-tokens': String(10_000 - 2008 * (seq + 1) > 0 ? 10_000 - 2008 * (seq + 1) : 0) } })
          : request(seq, {
              status: 429,
              doneMs: 110,
              estimatedTokens: 2008,
              error: AZURE_TOKEN_RATE,
              headers: { 'retry-after': '60', 'x-ratelimit-remaining-tokens': '0' },
              usage: null,
            }),
      );
    }
    lines.push(endLine(8, 400));
    const summary = (await analyseLines(lines)).summary;
    expect(summary.throttled.byClass.tokens).toBe(3);
    expect(summary.throttled.retryAfterMs).toEqual({ min: 60_000, p50: 60_000, max: 60_000 });
    expect(summary.effective.requests).toMatchObject({ burst: 5, confidence: 'low' });
    expect(summary.effective.tokens).toEqual({ burst: 5 * 2008, perMinute: null, windowSeconds: null, confidence: 'medium' });
    // The lowest remaining-tokens of the instant's admitted answers was 0 (clamped): no capacity shown.
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(summary.verdict).toContain('Other limits stopped the burst first, so the request cap is at least 5');
    expect(summary.verdict).toContain('3 refusals were for tokens: the per-minute token budget ran out after about 10,040 estimated tokens');
  });
});

describe('refusal kinds, headers and failures', () => {
  it('capacity 429s and 503 HTML gateway pages', async () => {
    const lines: RecordLine[] = [
      runLine({ command: 'steady' }),
      phaseLine('steady', 'steady'),
      request(0, { phase: 'steady', plannedMs: 0, sentMs: 0, doneMs: 250 }),
      request(1, { phase: 'steady', plannedMs: 100, sentMs: 100, doneMs: 120, status: 429, error: AZURE_HIGH_DEMAND, headers: {}, usage: null }),
      request(2, { phase: 'steady', plannedMs: 200, sentMs: 200, doneMs: 210, status: 503, error: NGINX_503, headers: {}, usage: null }),
      request(3, { phase: 'steady', plannedMs: 300, sentMs: 300, doneMs: 310, status: 503, error: { code: 'ServiceUnavailable', message: 'Service Unavailable', type: null }, usage: null }),
      endLine(4, 400),
    ];
    const summary = (await analyseLines(lines)).summary;
    expect(summary.requests).toEqual({ sent: 4, ok: 1, throttled: 3, failed: 0, dropped: 0 });
    expect(summary.throttled.byClass).toMatchObject({ capacity: 2, gateway: 1 });
    expect(summary.throttled.retryAfterMs).toEqual({ min: 20_000, p50: 20_000, max: 20_000 });
    expect(summary.verdict).toContain('2 refusals were capacity refusals');
    expect(summary.verdict).toContain('1 refusal came from something in front of the API');
  });

  it('-1 headers are unknown: no families values, no window, no false capacity', async () => {
    const lines: RecordLine[] = [
      runLine({ command: 'steady' }),
      request(0, { phase: 'p', sentMs: 0, doneMs: 100, headers: { 'x-ratelimit-remaining-tokens': '-1', 'x-ratelimit-limit-tokens': '-1', 'x-ratelimit-reset-tokens': '0' } }),
      request(1, { phase: 'p', sentMs: 10, doneMs: 20, status: 429, error: AZURE_TOKEN_RATE, headers: { 'x-ratelimit-remaining-tokens': '-1' }, usage: null }),
      endLine(2, 200),
    ];
    const summary = (await analyseLines(lines)).summary;
    expect(summary.headers.limitTokens).toBeNull();
    expect(summary.headers.firstRemainingTokens).toBeNull();
    expect(summary.headers.families).toEqual(['azure']);
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    // No retry header: the wait comes from the message text.
    expect(summary.throttled.retryAfterMs.p50).toBe(60_000);
  });

  it('advertised limits from Azure headers when no flag was given (limit-requests is the 10-s bucket)', async () => {
    const lines: RecordLine[] = seedStory().map((line) => (line.type === 'run' ? { ...line, advertised: { tpm: null, rpm: null, source: 'none' as const } } : line));
    const summary = (await analyseLines(lines)).summary;
    expect(summary.advertised).toEqual({ tpm: 50_000, rpm: 300, requestsPer10s: 50, requestsPer1s: 5, source: 'headers' });
    // The window would only repeat the assumption that made the RPM.
    expect(summary.headers.requestsWindowSeconds).toBeNull();
    expect(summary.verdict).toContain("Azure's limit-requests (50) counts a 10-second bucket, so the RPM is 6 × 50 = 300.");
    expect(summary.verdict).toContain('The enforced cap behaves like 5 requests per second');
  });

  it('OpenAI-style headers: limit-requests is per minute', async () => {
    const openAiHeaders = (remaining: number): Record<string, string> => ({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': String(remaining),
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-reset-tokens': '6m0s',
      'x-request-id': 'req_1',
    });
    const lines: RecordLine[] = [
      runLine({ advertised: { tpm: null, rpm: null, source: 'none' }, targets: [{ id: 'default', kind: 'openai', url: 'https://api.openai.com/v1/chat/completions', deployment: null }] }),
      phaseLine('burst-1', 'burst'),
      request(0, { headers: openAiHeaders(59) }),
      request(1, { headers: openAiHeaders(58) }),
      request(2, { status: 429, doneMs: 105, error: OPENAI_RPM, headers: { ...openAiHeaders(0), 'retry-after': '20' }, usage: null }),
      endLine(3, 400),
    ];
    const summary = (await analyseLines(lines)).summary;
    expect(summary.headers.families).toEqual(['openai', 'retry-after']);
    expect(summary.advertised).toEqual({ tpm: 150_000, rpm: 60, requestsPer10s: 10, requestsPer1s: 1, source: 'headers' });
    expect(summary.throttled.byClass.requests).toBe(1);
    // The refused request left before the admitted answers (100 ms) were read.
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(summary.verdict).toContain('OpenAI counts 60 requests per minute');
  });

  it('failures, dropped lines and a truncated recording', async () => {
    const lines: RecordLine[] = [
      runLine({ command: 'steady' }),
      phaseLine('steady', 'steady'),
      request(0, { phase: 'steady', sentMs: 0, doneMs: 100 }),
      request(1, { phase: 'steady', sentMs: 100, doneMs: 60_100, status: null, errorKind: 'timeout', error: { code: null, message: 'timed out', type: null } }),
      request(2, { phase: 'steady', sentMs: 200, doneMs: 250, status: 500, errorKind: 'http', error: { code: null, message: 'The server had an error', type: 'server_error' } }),
      droppedLine(3, 300, 'steady'),
      droppedLine(4, 400, 'steady'),
    ];
    const result = await analyseLines(lines);
    expect(result.summary.requests).toEqual({ sent: 3, ok: 1, throttled: 0, failed: 2, dropped: 2, failedBy: { 500: 1, timeout: 1 } });
    expect(result.summary.ended).toBe('truncated');
    expect(result.summary.durationSeconds).toBe(60.1);
    expect(result.warnings).toContain('the recording has no end line: the run was cut short; the figures cover what was recorded');
    expect(result.summary.verdict).toBe(
      '1 of 3 requests was admitted and none was refused. 2 requests failed without a usable answer: 1 × HTTP 500 (the server failed); 1 × timeout (no answer within --timeout). ' +
        '2 planned requests were not sent because too many were already in flight, so less load was offered than planned. ' +
        'The recording has no end line (the run was cut short); the figures cover what was recorded.',
    );
    expect(result.timeline.slices.reduce((sum, slice) => sum + slice.dropped, 0)).toBe(2);
  });

  it('an end line that disagrees with the request lines is reported', async () => {
    const lines: RecordLine[] = [runLine(), request(0), endLine(3, 400)];
    expect((await analyseLines(lines)).warnings).toContain('the end line counts 3 requests but 1 request lines were read: some lines are missing');
  });

  it('an empty recording', async () => {
    const result = await analyseLines([]);
    expect(result.summary.requests.sent).toBe(0);
    expect(result.summary.verdict).toBe('No request was sent, so there is nothing to measure.');
    expect(result.summary.latency).toMatchObject({ p50: null, p95: null, p99: null, max: null });
    expect(result.warnings).toContain('the recording has no run line: the command, target and advertised limits are unknown');
  });
});

describe('several targets and regions', () => {
  it('one row per (target, x-ms-region), regionless answers apart', async () => {
    const lines: RecordLine[] = [
      runLine({
        command: 'steady',
        targets: [
          { id: 'eastus', kind: 'azure', url: 'https://e.openai.azure.com/x', deployment: 'gpt-4o' },
          { id: 'apim', kind: 'azure', url: 'https://gw.azure-api.net/x', deployment: 'gpt-4o' },
        ],
      }),
      request(0, { phase: 'p', target: 'eastus', headers: { 'x-ms-region': 'East US' } }),
      request(1, { phase: 'p', target: 'eastus', status: 429, error: AZURE_CALL_RATE, headers: { 'x-ms-region': 'East US' }, usage: null }),
      request(2, { phase: 'p', target: 'apim', headers: { 'x-ms-region': 'Sweden Central' } }),
      request(3, { phase: 'p', target: 'apim', headers: { 'x-ms-region': 'East US 2' } }),
      request(4, { phase: 'p', target: 'apim', status: 429, error: AZURE_CALL_RATE, headers: { 'x-ms-region': 'East US 2' }, usage: null }),
      request(5, { phase: 'p', target: 'apim', status: null, errorKind: 'reset', error: { code: null, message: 'socket hang up', type: null } }),
      endLine(6, 400),
    ];
    const result = await analyseLines(lines);
    expect(result.byTarget).toEqual([
      { target: 'apim', region: 'East US 2', sent: 2, ok: 1, throttled: 1, failed: 0, firstThrottledSeq: 4 },
      { target: 'apim', region: 'Sweden Central', sent: 1, ok: 1, throttled: 0, failed: 0, firstThrottledSeq: null },
      { target: 'apim', region: null, sent: 1, ok: 0, throttled: 0, failed: 1, firstThrottledSeq: null },
      { target: 'eastus', region: 'East US', sent: 2, ok: 1, throttled: 1, failed: 0, firstThrottledSeq: 1 },
    ]);
    expect(result.summary.target.url).toBe('https://e.openai.azure.com/x');
  });
});

describe('steady and ramp phases', () => {
  /**
   * An open-loop steady phase at `rate`/s for `seconds`, against a limiter that admits
   * one request in every `every` once `freeUntilMs` has passed (all before it).
   */
  function steadyLines(rate: number, seconds: number, freeUntilMs: number, every: number, kind: 'steady' | 'ramp' = 'steady'): RecordLine[] {
    const lines: RecordLine[] = [runLine({ command: kind }), phaseLine(kind, kind, 0, {})];
    const count = rate * seconds;
    let throttledIndex = 0;
    for (let seq = 0; seq < count; seq++) {
      const sentMs = (seq * 1000) / rate;
      const admitted = sentMs < freeUntilMs || throttledIndex++ % every === 0;
      lines.push(
        admitted
          ? request(seq, { phase: kind, plannedMs: sentMs, sentMs, doneMs: sentMs + 200, headers: { 'x-ratelimit-remaining-requests': '3' } })
          : request(seq, { phase: kind, plannedMs: sentMs, sentMs, doneMs: sentMs + 5, status: 429, error: AZURE_CALL_RATE, headers: { 'retry-after': '1' }, usage: null }),
      );
    }
    lines.push(endLine(count, seconds * 1000));
    return lines;
  }

  it('steady: the admitted rate once refusals began', async () => {
    // 20/s for 20 s; from 2 s on, one in four admitted → 5/s.
    const summary = (await analyseLines(steadyLines(20, 20, 2000, 4))).summary;
    expect(summary.effective.requests.perSecond).toBeCloseTo(5, 1);
    expect(summary.effective.requests.confidence).toBe('medium');
    expect(summary.effective.requests.burst).toBeNull();
    // Each refusal left 50 ms after an admitted request whose answer took 200 ms: its
    // header was not read yet, so it promised nothing.
    expect(summary.throttled.whileHeadersShowedCapacity).toBe(0);
    expect(summary.verdict).toContain(`Under steady load, ${summary.effective.requests.perSecond} requests/s got through once refusals began (the advertised 300 RPM is 5 per second).`);
    expect(summary.verdict).not.toContain('came while the remaining-* headers still showed capacity');
  });

  it('ramp: the knee is the offered rate at the first refusal', async () => {
    // A ramp from 1/s to 20/s over 10 s; the limiter refuses every other request once the offered rate passes 8/s.
    const lines: RecordLine[] = [runLine({ command: 'ramp' }), phaseLine('ramp', 'ramp')];
    // Arrival times of a linear ramp r(t) = 1 + 1.9 t: n(t) = t + 0.95 t².
    let seq = 0;
    let refusedToggle = 0;
    for (let n = 0; ; n++) {
      const t = (-1 + Math.sqrt(1 + 4 * 0.95 * n)) / (2 * 0.95);
      if (t >= 10) break;
      const rate = 1 + 1.9 * t;
      const refused = rate > 8 && refusedToggle++ % 2 === 0;
      lines.push(
        refused
          ? request(seq++, { phase: 'ramp', plannedMs: t * 1000, sentMs: t * 1000, doneMs: t * 1000 + 5, status: 429, error: AZURE_CALL_RATE, usage: null })
          : request(seq++, { phase: 'ramp', plannedMs: t * 1000, sentMs: t * 1000, doneMs: t * 1000 + 200 }),
      );
    }
    lines.push(endLine(seq, 10_000));
    const summary = (await analyseLines(lines)).summary;
    // Rate 8/s is reached at t = 3.68 s; averaged over the second before: ≈ 7.1/s.
    expect(summary.effective.requests.kneePerSecond).toBeGreaterThan(6.5);
    expect(summary.effective.requests.kneePerSecond).toBeLessThan(8.5);
    expect(summary.verdict).toMatch(/Refusals began when the offered rate reached about \d+(\.\d)? requests\/s\./);
  });
});

describe('probe phases', () => {
  it('are handed to limit inference (which returns null today), and the fold keeps its own figures', async () => {
    const lines: RecordLine[] = [runLine({ command: 'probe' }), phaseLine('probe-burst', 'probe', 0, { purpose: 'requests' }), ...admittedBurst(3, 10).map((line) => ({ ...line, phase: 'probe-burst' })), endLine(3, 400)];
    const summary = (await analyseLines(lines)).summary;
    expect(summary.requests.ok).toBe(3);
    expect(summary.effective.requests.burst).toBeNull();
    expect(summary.effective.requests.shape).toBe('none-observed');
  });
});

describe('merged recordings', () => {
  it('times of the second recording are placed on the first one\'s clock', async () => {
    const first = seedStory();
    const second = seedStory().map((line) => (line.type === 'run' ? { ...line, startedAt: '2025-02-12T18:53:18.000Z' } : line));
    const result = await analyseLines([...first, ...second], { recordingPath: 'a.ndjson,b.ndjson' });
    expect(result.summary.requests.sent).toBe(40);
    expect(result.summary.durationSeconds).toBe(60.5);
    expect(result.summary.recording).toBe('a.ndjson,b.ndjson');
    expect(result.warnings).toContain("several recordings were merged: their times are placed on the first recording's clock");
    // Both bursts started from idle (60 s apart): the burst figure is still 5.
    expect(result.summary.effective.requests.burst).toBe(5);
  });
});
