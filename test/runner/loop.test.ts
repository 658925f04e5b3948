/**
 * The firing loop fed by hand-written sources (src/run/source.ts): what a reactive
 * source (a retrying caller, a watch, several named targets) relies on. Fake clock,
 * fake transport, exact times.
 */
import { describe, expect, it } from 'vitest';
import { runSource } from '../../src/run/loop.js';
import type { Source, Step } from '../../src/run/source.js';
import { createFakeClock } from '../../src/run/pacing/fake-clock.js';
import type { DroppedLine, RecordLine, RequestLine } from '../../src/record/types.js';
import { createFakeTransport } from './fake-transport.js';

function collector(): { lines: RecordLine[]; write(line: RecordLine): void } {
  const lines: RecordLine[] = [];
  return { lines, write: (line) => lines.push(line) };
}

/** A source from a list of steps, then an end; it records what it observed. */
function scripted(steps: Step[]): Source & { seen: (RequestLine | DroppedLine)[] } {
  const queue = [...steps];
  const seen: (RequestLine | DroppedLine)[] = [];
  return {
    seen,
    next: () => queue.shift() ?? { type: 'end' },
    observe: (line) => seen.push(line),
  };
}

describe('the firing loop', () => {
  it('merges a shot’s tags into its request lines and lets the source observe them', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock, latencyMs: 10 });
    const sink = collector();
    const source = scripted([{ type: 'shot', atMs: 5, count: 2, phase: 'p', tags: { caller: 'c1', attempt: 1 } }]);
    const result = await runSource(source, { clock, sink, targets: [{ id: 'a', sender: transport }], maxInFlight: 10, graceMs: 1000 });
    expect(result).toMatchObject({ reason: 'completed', sent: 2, dropped: 0, handled: 2, nextSeq: 2 });
    const requests = sink.lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests.map((line) => [line.seq, line.sentMs, (line as unknown as { caller: string }).caller, (line as unknown as { attempt: number }).attempt])).toEqual([
      [0, 5, 'c1', 1],
      [1, 5, 'c1', 1],
    ]);
    expect(source.seen).toHaveLength(2);
    expect(transport.sent.map((sent) => sent.request.tags)).toEqual([
      { caller: 'c1', attempt: 1 },
      { caller: 'c1', attempt: 1 },
    ]);
  });

  it('sends shots to named targets at one instant in one synchronous stretch', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const first = createFakeTransport({ clock, latencyMs: 1 });
    const second = createFakeTransport({ clock, latencyMs: 1 });
    const sink = collector();
    const source = scripted([
      { type: 'shot', atMs: 20, count: 3, phase: 'p', target: 'one' },
      { type: 'shot', atMs: 20, count: 2, phase: 'p', target: 'two' },
    ]);
    await runSource(source, {
      clock,
      sink,
      targets: [
        { id: 'one', sender: first },
        { id: 'two', sender: second },
      ],
      maxInFlight: 10,
      graceMs: 1000,
    });
    expect(first.sent.map((sent) => [sent.request.target, sent.atMs])).toEqual([
      ['one', 20],
      ['one', 20],
      ['one', 20],
    ]);
    expect(second.sent.map((sent) => [sent.request.target, sent.atMs])).toEqual([
      ['two', 20],
      ['two', 20],
    ]);
    // The same microtask-free stretch: the first target's batch had not closed when the second got its requests.
    expect(new Set(first.sent.map((sent) => sent.batch)).size).toBe(1);
    expect(new Set(second.sent.map((sent) => sent.batch)).size).toBe(1);
  });

  it('wakes a wait when an outcome lands, so a source can schedule a retry at now + wait', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    // The first attempt is refused after 30 ms; the retry waits 100 ms from that answer.
    const transport = createFakeTransport({ clock, latencyMs: 30, status: (request) => (request.seq === 0 ? 429 : 200) });
    const sink = collector();
    let retryAt: number | null = null;
    let attempts = 0;
    const source: Source = {
      next(nowMs): Step {
        if (attempts === 0) {
          attempts = 1;
          return { type: 'shot', atMs: nowMs, count: 1, phase: 'caller', tags: { attempt: 1 } };
        }
        if (retryAt === null) return attempts === 1 ? { type: 'wait', untilMs: null } : { type: 'end' };
        if (nowMs < retryAt) return { type: 'wait', untilMs: retryAt };
        const atMs = retryAt;
        retryAt = null;
        attempts = 2;
        return { type: 'shot', atMs, count: 1, phase: 'caller', tags: { attempt: 2, waitedMs: 100 } };
      },
      observe(line) {
        if (line.type === 'request' && line.status === 429) retryAt = line.doneMs + 100;
      },
    };
    const result = await runSource(source, { clock, sink, targets: [{ id: 'a', sender: transport }], maxInFlight: 10, graceMs: 1000 });
    expect(result).toMatchObject({ reason: 'completed', sent: 2 });
    const requests = sink.lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests.map((line) => [line.status, line.plannedMs, line.sentMs])).toEqual([
      [429, 0, 0],
      [200, 130, 130],
    ]);
  });

  it('records a dropped line for every request past the ceiling and lets the source see it', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock, latencyMs: 50 });
    const sink = collector();
    const source = scripted([{ type: 'shot', atMs: 0, count: 5, phase: 'b', tags: { caller: 'x' } }]);
    const result = await runSource(source, { clock, sink, targets: [{ id: 'a', sender: transport }], maxInFlight: 2, graceMs: 1000 });
    expect(result).toMatchObject({ sent: 2, dropped: 3, handled: 5 });
    const dropped = sink.lines.filter((line): line is DroppedLine => line.type === 'dropped');
    expect(dropped.map((line) => [line.seq, line.reason, (line as unknown as { caller: string }).caller])).toEqual([
      [2, 'max-in-flight', 'x'],
      [3, 'max-in-flight', 'x'],
      [4, 'max-in-flight', 'x'],
    ]);
    expect(source.seen.filter((line) => line.type === 'dropped')).toHaveLength(3);
  });

  it('pulls again when the source wakes it before a future shot', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock, latencyMs: 10 });
    const sink = collector();
    let cancelled = false;
    let view: Parameters<NonNullable<Source['start']>>[0] | null = null;
    let first = true;
    const source: Source = {
      start: (loopView) => {
        view = loopView;
      },
      next(nowMs) {
        if (first) {
          first = false;
          return { type: 'shot', atMs: nowMs, count: 1, phase: 'p' };
        }
        return cancelled ? { type: 'end' } : { type: 'shot', atMs: 1000, count: 1, phase: 'p' };
      },
      observe() {
        cancelled = true;
        view!.wake();
      },
    };
    const result = await runSource(source, { clock, sink, targets: [{ id: 'a', sender: transport }], maxInFlight: 10, graceMs: 1000 });
    expect(result).toMatchObject({ reason: 'completed', sent: 1 });
    expect(result.endMs).toBe(10);
  });

  it('stops at the stop signal, lets what is in flight finish within the grace, then cuts', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock, latencyMs: 5000 });
    const sink = collector();
    const stop = new AbortController();
    let pulls = 0;
    const source: Source = {
      next(nowMs) {
        pulls++;
        // The first Ctrl-C, while three requests are in flight.
        if (pulls === 2) stop.abort();
        return pulls <= 1 ? { type: 'shot', atMs: nowMs, count: 3, phase: 'p' } : { type: 'wait', untilMs: null };
      },
    };
    const result = await runSource(source, { clock, sink, targets: [{ id: 'a', sender: transport }], maxInFlight: 10, graceMs: 100, stopSignal: stop.signal });
    expect(result).toMatchObject({ reason: 'interrupted', sent: 3, cut: 3 });
    const requests = sink.lines.filter((line): line is RequestLine => line.type === 'request');
    expect(requests.map((line) => line.errorKind)).toEqual(['aborted', 'aborted', 'aborted']);
  });
});
