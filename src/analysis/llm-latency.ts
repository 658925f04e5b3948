/**
 * The latency figures users of LLM benchmarks compare (the names match what AOB,
 * guidellm and AIPerf report), folded from admitted request lines:
 *
 * - end-to-end latency: sent → last body byte;
 * - time to first token: sent → first content chunk of a streamed answer; for an
 *   answer that was not streamed, the first byte of the response head (the first
 *   moment anything of the answer is known);
 * - time to first byte: sent → response head, streamed or not;
 * - time between tokens: the gaps between consecutive content chunks (streams only;
 *   a chunk usually holds one token, sometimes several);
 * - output tokens per second: per request, its output tokens ÷ its end-to-end
 *   seconds; in total, every output token ÷ the seconds from the first request sent
 *   to the last answer done. Output tokens are the answer's `usage` when the server
 *   sent one, else (streams) the content chunks counted.
 *
 * Each figure exists for the whole run and per (phase, target) pair. Pure: the
 * lines' own times only (see src/record/types.ts, StreamTiming, for how chunk
 * times are recorded and sampled).
 */
import type { RequestLine } from '../record/types.js';
import { Distribution } from './distribution.js';

/** p50/p95/p99 of one figure, ms; nulls when nothing was measured. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Output speed: the median request's tokens per second, and the whole scope's. */
export interface OutputSpeed {
  p50: number | null;
  total: number | null;
}

/** Every latency figure of one scope (the run, or one phase at one target). */
export interface LlmLatencyFigures {
  /** End-to-end latency of admitted requests, ms. */
  endToEnd: Percentiles & { max: number | null };
  firstToken: Percentiles;
  firstByte: Percentiles;
  betweenTokens: Percentiles;
  outputPerSecond: OutputSpeed;
  /** Admitted requests counted. */
  admitted: number;
  /** Of them, answers that came as an event stream. */
  streamed: number;
}

/** The figures of one phase at one target. */
export interface PhaseTargetLatency extends LlmLatencyFigures {
  phase: string;
  target: string;
}

/** Folds admitted request lines into {@link LlmLatencyFigures}, overall and per (phase, target). */
export class LlmLatencyFold {
  private readonly overall = new LatencyScope();
  private readonly scopes = new Map<string, { phase: string; target: string; scope: LatencyScope }>();

  /**
   * One admitted request. `shiftMs` moves its times onto the analysis clock (merged
   * recordings); differences within the line do not depend on it.
   */
  add(line: RequestLine, shiftMs = 0): void {
    const phase = typeof line.phase === 'string' ? line.phase : '';
    const target = typeof line.target === 'string' ? line.target : '';
    const reading = readRequest(line, shiftMs);
    if (reading === null) return;
    const key = `${phase}\u0000${target}`;
    let entry = this.scopes.get(key);
    if (entry === undefined) {
      entry = { phase, target, scope: new LatencyScope() };
      this.scopes.set(key, entry);
    }
    this.overall.add(reading);
    entry.scope.add(reading);
  }

  /** The whole run's figures. */
  total(): LlmLatencyFigures {
    return this.overall.figures();
  }

  /** One entry per (phase, target), in the order they were first seen. */
  byPhase(): PhaseTargetLatency[] {
    return [...this.scopes.values()].map(({ phase, target, scope }) => ({ phase, target, ...scope.figures() }));
  }
}

/** What one request contributes. */
interface RequestReading {
  sentMs: number;
  doneMs: number;
  firstByteMs: number | null;
  firstTokenMs: number | null;
  streamed: boolean;
  gapsMs: readonly number[];
  gapsEvery: number;
  outputTokens: number | null;
}

function readRequest(line: RequestLine, shiftMs: number): RequestReading | null {
  const sent = finite(line.sentMs);
  const done = finite(line.doneMs);
  if (sent === null || done === null) return null;
  const firstByte = finite(line.firstByteMs);
  const stream = line.stream !== null && typeof line.stream === 'object' ? line.stream : undefined;
  const streamFirst = stream === undefined ? null : finite(stream.firstTokenMs);
  const gaps = stream !== undefined && Array.isArray(stream.gapsMs) ? stream.gapsMs.filter((gap) => typeof gap === 'number') : [];
  const every = stream !== undefined && typeof stream.gapsEvery === 'number' && stream.gapsEvery >= 1 ? stream.gapsEvery : 1;
  const usageTokens = finite(line.usage?.completionTokens);
  const chunks = stream === undefined ? null : finite(stream.chunks);
  return {
    sentMs: sent + shiftMs,
    doneMs: done + shiftMs,
    firstByteMs: firstByte === null ? null : firstByte + shiftMs,
    // Not streamed: the first byte is the first moment anything of the answer is known.
    firstTokenMs: stream !== undefined ? (streamFirst === null ? null : streamFirst + shiftMs) : firstByte === null ? null : firstByte + shiftMs,
    streamed: stream !== undefined,
    gapsMs: gaps,
    gapsEvery: every,
    outputTokens: usageTokens ?? (chunks !== null && chunks > 0 ? chunks : null),
  };
}

/** The distributions and sums of one scope. */
class LatencyScope {
  private readonly endToEnd = new Distribution({ resolution: 0.001 });
  private readonly firstToken = new Distribution({ resolution: 0.001 });
  private readonly firstByte = new Distribution({ resolution: 0.001 });
  private readonly betweenTokens = new Distribution({ resolution: 0.01 });
  private readonly perRequestSpeed = new Distribution({ resolution: 0.01 });
  private admitted = 0;
  private streamed = 0;
  private outputTokens = 0;
  private firstSentMs = Number.POSITIVE_INFINITY;
  private lastDoneMs = Number.NEGATIVE_INFINITY;

  add(reading: RequestReading): void {
    this.admitted++;
    if (reading.streamed) this.streamed++;
    const total = reading.doneMs - reading.sentMs;
    this.endToEnd.add(total);
    if (reading.firstByteMs !== null) this.firstByte.add(reading.firstByteMs - reading.sentMs);
    if (reading.firstTokenMs !== null) this.firstToken.add(reading.firstTokenMs - reading.sentMs);
    for (const gap of reading.gapsMs) this.betweenTokens.add(gap, reading.gapsEvery);
    if (reading.outputTokens !== null) {
      this.outputTokens += reading.outputTokens;
      this.firstSentMs = Math.min(this.firstSentMs, reading.sentMs);
      this.lastDoneMs = Math.max(this.lastDoneMs, reading.doneMs);
      if (total > 0) this.perRequestSpeed.add(reading.outputTokens / (total / 1000));
    }
  }

  figures(): LlmLatencyFigures {
    const spanMs = this.lastDoneMs - this.firstSentMs;
    return {
      endToEnd: { ...percentiles(this.endToEnd), max: round(this.endToEnd.max(), 1) },
      firstToken: percentiles(this.firstToken),
      firstByte: percentiles(this.firstByte),
      betweenTokens: percentiles(this.betweenTokens),
      outputPerSecond: {
        p50: round(this.perRequestSpeed.percentile(50), 2),
        total: Number.isFinite(spanMs) && spanMs > 0 ? round(this.outputTokens / (spanMs / 1000), 2) : null,
      },
      admitted: this.admitted,
      streamed: this.streamed,
    };
  }
}

function percentiles(distribution: Distribution): Percentiles {
  return {
    p50: round(distribution.percentile(50), 1),
    p95: round(distribution.percentile(95), 1),
    p99: round(distribution.percentile(99), 1),
  };
}

function round(value: number | null, decimals: number): number | null {
  if (value === null) return null;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
