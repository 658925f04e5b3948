/**
 * The arithmetic of the LLM latency figures on hand-made times (no clock, no
 * socket): how a stream's content chunks are timed and sampled, and how the
 * analysis turns request lines into time to first token, time between tokens and
 * output tokens per second, overall and per phase and target.
 */
import { describe, expect, it } from 'vitest';
import { StreamTimingRecorder } from '../../src/run/stream-timing.js';
import { EventStreamReader, carriesContent } from '../../src/run/transport/http-response.js';
import { LlmLatencyFold } from '../../src/analysis/llm-latency.js';
import { analyseLines } from '../../src/analysis/summarise.js';
import { renderReport } from '../../src/report/render.js';
import { MAX_STREAM_GAPS, type RequestLine, type StreamTiming } from '../../src/record/types.js';
import { phaseLine, request, runLine } from '../analysis/records.js';

/** A chat chunk with this delta, as an SSE event. */
function chatEvent(delta: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
}

/** Nearest-rank percentile of plain numbers, the definition the analysis promises. */
function nearestRank(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('StreamTimingRecorder', () => {
  it('keeps the first and last content times, the count and every gap of a short stream', () => {
    const recorder = new StreamTimingRecorder();
    const times = [120, 150, 150, 190.004, 260];
    for (const time of times) recorder.content(time);
    expect(recorder.result()).toEqual({
      firstTokenMs: times[0],
      lastTokenMs: times[times.length - 1],
      chunks: times.length,
      gapsMs: times.slice(1).map((time, index) => Math.round((time - times[index]!) * 100) / 100),
      gapsEvery: 1,
    });
  });

  it('says so when no content came', () => {
    expect(new StreamTimingRecorder().result()).toEqual({ firstTokenMs: null, lastTokenMs: null, chunks: 0, gapsMs: [], gapsEvery: 1 });
  });

  it('stays bounded on a long stream and keeps every gapsEvery-th gap, spread over the whole answer', () => {
    const recorder = new StreamTimingRecorder(8);
    // Gap number i is i + 1 ms long, so a kept gap names its own index.
    let time = 0;
    recorder.content(time);
    const gapCount = 50;
    for (let index = 0; index < gapCount; index++) {
      time += index + 1;
      recorder.content(time);
    }
    const result = recorder.result();
    expect(result.gapsMs.length).toBeLessThanOrEqual(8);
    expect(result.chunks).toBe(gapCount + 1);
    const keptIndexes = result.gapsMs.map((gap) => gap - 1);
    const expected = Array.from({ length: gapCount }, (_, index) => index).filter((index) => index % result.gapsEvery === 0);
    expect(keptIndexes).toEqual(expected);
    // Kept gaps stand for gapsEvery gaps each: together they cover the stream's gaps.
    expect(result.gapsMs.length * result.gapsEvery).toBeGreaterThanOrEqual(gapCount);
    expect((result.gapsMs.length - 1) * result.gapsEvery).toBeLessThan(gapCount);
  });

  it('caps a real line at MAX_STREAM_GAPS', () => {
    const recorder = new StreamTimingRecorder();
    for (let index = 0; index <= 5000; index++) recorder.content(index * 2);
    expect(recorder.result().gapsMs.length).toBeLessThanOrEqual(MAX_STREAM_GAPS);
    expect(new Set(recorder.result().gapsMs)).toEqual(new Set([2]));
  });
});

describe('EventStreamReader timing', () => {
  it('times content chunks at the read that completed them, skipping role, usage and end events', () => {
    const reader = new EventStreamReader();
    reader.push(chatEvent({ role: 'assistant', content: '' }), 10);
    reader.push(chatEvent({ content: 'Hel' }).slice(0, 20), 40);
    // The rest of the first content event arrives later: it is timed then.
    reader.push(chatEvent({ content: 'Hel' }).slice(20), 55);
    reader.push(chatEvent({ content: 'lo' }) + chatEvent({ content: '!' }), 80);
    reader.push(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } })}\n\ndata: [DONE]\n\n`, 90);
    const summary = reader.finish(95);
    expect(summary.complete).toBe(true);
    expect(summary.timing).toEqual({ firstTokenMs: 55, lastTokenMs: 80, chunks: 3, gapsMs: [25, 0], gapsEvery: 1 });
  });

  it('knows the content events of the Responses API, Anthropic and tool calls', () => {
    expect(carriesContent({ type: 'response.output_text.delta', delta: 'Hi' })).toBe(true);
    expect(carriesContent({ type: 'response.completed', response: {} })).toBe(false);
    expect(carriesContent({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'Hi' } })).toBe(true);
    expect(carriesContent({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{' } }] } }] })).toBe(true);
    expect(carriesContent({ choices: [{ delta: { role: 'assistant' } }] })).toBe(false);
  });
});

/** A streamed admitted answer: sent at `sentMs`, content at `tokenTimes`, done 5 ms after the last. */
function streamed(seq: number, sentMs: number, tokenTimes: number[], overrides: Partial<RequestLine> = {}): RequestLine {
  const recorder = new StreamTimingRecorder();
  for (const time of tokenTimes) recorder.content(time);
  const stream: StreamTiming = recorder.result();
  const doneMs = tokenTimes[tokenTimes.length - 1]! + 5;
  return request(seq, {
    sentMs,
    plannedMs: sentMs,
    firstByteMs: sentMs + 3,
    doneMs,
    usage: { promptTokens: 10, completionTokens: tokenTimes.length, totalTokens: 10 + tokenTimes.length },
    stream,
    ...overrides,
  });
}

describe('LlmLatencyFold', () => {
  const lines = [
    streamed(0, 0, [40, 60, 80, 100]),
    streamed(1, 10, [70, 75, 90, 130, 150]),
    streamed(2, 20, [45, 65]),
  ];

  it('gives time to first token, between tokens, first byte and end-to-end from the lines', () => {
    const fold = new LlmLatencyFold();
    for (const line of lines) fold.add(line);
    const figures = fold.total();
    const firstTokens = lines.map((line) => line.stream!.firstTokenMs! - line.sentMs);
    const gaps = lines.flatMap((line) => line.stream!.gapsMs);
    const totals = lines.map((line) => line.doneMs - line.sentMs);
    expect(figures.firstToken).toEqual({ p50: nearestRank(firstTokens, 50), p95: nearestRank(firstTokens, 95), p99: nearestRank(firstTokens, 99) });
    expect(figures.betweenTokens).toEqual({ p50: nearestRank(gaps, 50), p95: nearestRank(gaps, 95), p99: nearestRank(gaps, 99) });
    expect(figures.firstByte.p50).toBe(nearestRank(lines.map((line) => line.firstByteMs! - line.sentMs), 50));
    expect(figures.endToEnd).toEqual({ p50: nearestRank(totals, 50), p95: nearestRank(totals, 95), p99: nearestRank(totals, 99), max: Math.max(...totals) });
    expect(figures).toMatchObject({ admitted: 3, streamed: 3 });
  });

  it('gives output tokens per second per request (tokens ÷ end-to-end s) and in total (all tokens ÷ first sent to last done)', () => {
    const fold = new LlmLatencyFold();
    for (const line of lines) fold.add(line);
    const perRequest = lines.map((line) => line.usage!.completionTokens / ((line.doneMs - line.sentMs) / 1000));
    const tokens = lines.reduce((sum, line) => sum + line.usage!.completionTokens, 0);
    const spanSeconds = (Math.max(...lines.map((line) => line.doneMs)) - Math.min(...lines.map((line) => line.sentMs))) / 1000;
    const figures = fold.total();
    expect(figures.outputPerSecond.p50).toBeCloseTo(nearestRank(perRequest, 50), 2);
    expect(figures.outputPerSecond.total).toBeCloseTo(tokens / spanSeconds, 2);
  });

  it('weights a sampled gap by gapsEvery', () => {
    const fold = new LlmLatencyFold();
    // One stream whose kept gaps stand for 4 gaps each, one unsampled: the 4 × 10 ms outweigh the 3 × 100 ms.
    fold.add(request(0, { stream: { firstTokenMs: 120, lastTokenMs: 200, chunks: 9, gapsMs: [10, 10], gapsEvery: 4 } }));
    fold.add(request(1, { stream: { firstTokenMs: 120, lastTokenMs: 420, chunks: 4, gapsMs: [100, 100, 100], gapsEvery: 1 } }));
    expect(fold.total().betweenTokens.p50).toBe(10);
    expect(fold.total().betweenTokens.p99).toBe(100);
  });

  it('uses the first byte as first token for answers that were not streamed, and has no between-token figure', () => {
    const fold = new LlmLatencyFold();
    const plain = [request(0, { sentMs: 0, firstByteMs: 250, doneMs: 260 }), request(1, { sentMs: 5, firstByteMs: 105, doneMs: 110 })];
    for (const line of plain) fold.add(line);
    const firstBytes = plain.map((line) => line.firstByteMs! - line.sentMs);
    expect(fold.total().firstToken.p50).toBe(nearestRank(firstBytes, 50));
    expect(fold.total().firstToken).toEqual(fold.total().firstByte);
    expect(fold.total().betweenTokens).toEqual({ p50: null, p95: null, p99: null });
    expect(fold.total().streamed).toBe(0);
  });

  it('keeps one entry per phase and target', () => {
    const fold = new LlmLatencyFold();
    fold.add(streamed(0, 0, [40, 60], { phase: 'warm', target: 'east' }));
    fold.add(streamed(1, 0, [90, 190], { phase: 'warm', target: 'west' }));
    fold.add(streamed(2, 0, [30, 35], { phase: 'steady', target: 'east' }));
    const rows = fold.byPhase();
    expect(rows.map((row) => `${row.phase}@${row.target}`)).toEqual(['warm@east', 'warm@west', 'steady@east']);
    expect(rows.map((row) => row.firstToken.p50)).toEqual([40, 90, 30]);
    expect(rows.map((row) => row.betweenTokens.p50)).toEqual([20, 100, 5]);
  });
});

describe('the summary and the reports', () => {
  it('carry the figures into latency.*, tokens.outputPerSecond, latencyByPhase and every human format', async () => {
    const requests = [streamed(0, 0, [40, 60, 80]), streamed(1, 10, [50, 75]), streamed(2, 1000, [1030, 1050], { phase: 'second' })];
    const recording = [
      runLine({ command: 'steady', payload: { kind: 'chat', model: 'gpt-4o', maxTokens: 10, promptTokens: null, stream: true } }),
      phaseLine('burst-1', 'steady', 0),
      ...requests.slice(0, 2),
      phaseLine('second', 'steady', 1000),
      requests[2]!,
      { type: 'end' as const, reason: 'completed' as const, endMs: 1100, sent: 3, dropped: 0 },
    ];
    const result = await analyseLines(recording);
    const fold = new LlmLatencyFold();
    for (const line of requests) fold.add(line);
    const total = fold.total();
    expect(result.summary.latency.firstToken).toEqual(total.firstToken);
    expect(result.summary.latency.betweenTokens).toEqual(total.betweenTokens);
    expect(result.summary.tokens.outputPerSecond).toEqual(total.outputPerSecond);
    expect(result.summary.latencyByPhase?.map((row) => row.phase)).toEqual(['burst-1', 'second']);

    const json = JSON.parse(renderReport(result, { format: 'json', color: false }));
    expect(json.latency.firstToken).toEqual(total.firstToken);
    expect(json.tokens.outputPerSecond).toEqual(total.outputPerSecond);
    for (const format of ['table', 'markdown', 'html'] as const) {
      const text = renderReport(result, { format, color: false, width: 80 });
      expect(text, format).toContain('time to first token');
      expect(text, format).toContain('time between tokens');
      expect(text, format).toContain('output tokens/s');
      expect(text, format).toContain('second @ default');
    }
  });
});
