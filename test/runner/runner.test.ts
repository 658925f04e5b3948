import { describe, expect, it } from 'vitest';
import { runPlan, type RunPlanOptions } from '../../src/run/runner.js';
import { createFakeClock, type FakeClock } from '../../src/run/pacing/fake-clock.js';
import { planScenario } from '../../src/schedule/plan.js';
import type { Phase } from '../../src/schedule/types.js';
import type { DroppedLine, PhaseLine, RecordLine, RequestLine } from '../../src/record/types.js';
import type { SendRequest } from '../../src/run/types.js';
import { createFakeTransport, type FakeTransportOptions } from './fake-transport.js';

function collector(): { lines: RecordLine[]; write(line: RecordLine): void } {
  const lines: RecordLine[] = [];
  return { lines, write: (line) => lines.push(line) };
}

const requestsOf = (lines: RecordLine[]): RequestLine[] =>
  lines.filter((line): line is RequestLine => line.type === 'request').sort((a, b) => a.seq - b.seq);
const droppedOf = (lines: RecordLine[]): DroppedLine[] => lines.filter((line): line is DroppedLine => line.type === 'dropped');
const phasesOf = (lines: RecordLine[]): PhaseLine[] => lines.filter((line): line is PhaseLine => line.type === 'phase');

const steady = (name: string, ratePerSecond: number, durationMs: number): Phase => ({ kind: 'steady', name, ratePerSecond, durationMs });
const burst = (name: string, size: number, bursts = 1, gapMs = 0): Phase => ({ kind: 'burst', name, size, bursts, gapMs });
const pause = (name: string, durationMs: number): Phase => ({ kind: 'pause', name, durationMs });

/** A fake clock, a fake transport, a collecting sink, and runPlan wired to them. */
function setup(transportOptions: Omit<FakeTransportOptions, 'clock'> = {}, clock: FakeClock = createFakeClock({ autoAdvance: true })) {
  const transport = createFakeTransport({ clock, ...transportOptions });
  const sink = collector();
  const run = (phases: Phase[], options: Partial<RunPlanOptions> = {}) =>
    runPlan(planScenario(phases), { clock, transport, sink, maxInFlight: 1000, graceMs: 10_000, ...options });
  return { clock, transport, sink, run };
}

describe('timing', () => {
  it('sends each request at its absolute planned time', async () => {
    const { transport, sink, run } = setup({ latencyMs: 30 });
    const result = await run([steady('s', 10, 1000)]);
    expect(result).toMatchObject({ reason: 'completed', sent: 10, dropped: 0, unsent: 0, cut: 0, nextSeq: 10, startMs: 0 });
    expect(transport.sent.map((sent) => sent.atMs)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    const lines = requestsOf(sink.lines);
    expect(lines.map((line) => line.plannedMs)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(lines.every((line) => line.doneMs === line.sentMs + 30 && line.status === 200)).toBe(true);
    // The plan lasts 1000 ms; the last answer came at 930: the run ends at the plan's end.
    expect(result.endMs).toBe(1000);
  });

  it('catches up at once when late and never shifts the later requests', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    // The send of seq 2 stalls the process for 250 ms.
    const { transport, sink, run } = setup({ onSend: (request) => request.seq === 2 && clock.jump(250) }, clock);
    await run([steady('s', 10, 1000)]);
    expect(transport.sent.map((sent) => sent.atMs)).toEqual([0, 100, 200, 450, 450, 500, 600, 700, 800, 900]);
    expect(requestsOf(sink.lines).map((line) => line.plannedMs)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('above 2000/s wakes at most every 0.5 ms and sends what is due together, never early, at most 0.5 ms late', async () => {
    const { transport, run } = setup();
    // 8000/s for 5 ms: due at 0, 0.125, 0.25, ... 4.875.
    const result = await run([steady('s', 8000, 5)]);
    expect(result).toMatchObject({ sent: 40, dropped: 0 });
    const lateness = transport.sent.map((sent) => sent.atMs - sent.request.plannedMs);
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(0.5 + 1e-9);
    // Sends at 0, 0.5, 1, ... 5: eleven send times (the first alone, then four requests each, three last).
    expect([...new Set(transport.sent.map((sent) => sent.atMs))]).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
  });

  it('gives each request its own wake-up at 2000/s and below', async () => {
    const { transport, run } = setup();
    await run([steady('s', 2000, 5)]);
    expect(transport.sent.map((sent) => sent.atMs)).toEqual(transport.sent.map((sent) => sent.request.plannedMs));
  });

  it('sends every request of a burst instant in one synchronous loop', async () => {
    const { transport, run } = setup({ latencyMs: 5 });
    await run([burst('b', 50, 2, 1000)]);
    const first = transport.sent.slice(0, 50);
    const second = transport.sent.slice(50);
    expect(first.every((sent) => sent.atMs === 0 && sent.batch === first[0]!.batch)).toBe(true);
    expect(second.every((sent) => sent.atMs === 1000 && sent.batch === second[0]!.batch)).toBe(true);
    expect(second[0]!.batch).not.toBe(first[0]!.batch);
  });

  it('places phases one after the other and writes a phase line at each start', async () => {
    const { transport, sink, run } = setup();
    await run([burst('seed', 3), pause('rest', 500), steady('pace', 4, 1000)], {
      phaseParams: (planned) => ({ purpose: `${planned.phase.kind} test` }),
    });
    expect(phasesOf(sink.lines)).toEqual([
      { type: 'phase', name: 'seed', kind: 'burst', startMs: 0, params: { size: 3, bursts: 1, gapMs: 0, requests: 3, lengthMs: 0, purpose: 'burst test' } },
      { type: 'phase', name: 'rest', kind: 'pause', startMs: 0, params: { durationMs: 500, requests: 0, lengthMs: 500, purpose: 'pause test' } },
      { type: 'phase', name: 'pace', kind: 'steady', startMs: 500, params: { ratePerSecond: 4, durationMs: 1000, requests: 4, lengthMs: 1000, purpose: 'steady test' } },
    ]);
    expect(transport.sent.map((sent) => [sent.request.phase, sent.atMs])).toEqual([
      ['seed', 0],
      ['seed', 0],
      ['seed', 0],
      ['pace', 500],
      ['pace', 750],
      ['pace', 1000],
      ['pace', 1250],
    ]);
    // Each phase line comes before the requests of its phase.
    const pacePhase = sink.lines.findIndex((line) => line.type === 'phase' && line.name === 'pace');
    const firstPaceRequest = sink.lines.findIndex((line) => line.type === 'request' && line.phase === 'pace');
    expect(pacePhase).toBeLessThan(firstPaceRequest);
  });

  it('counts plan times from the clock time the run starts', async () => {
    const clock = createFakeClock({ autoAdvance: true, startMs: 5000 });
    const { transport, sink, run } = setup({}, clock);
    const result = await run([pause('wait', 200), steady('s', 5, 1000)]);
    expect(result.startMs).toBe(5000);
    expect(transport.sent.map((sent) => sent.atMs)).toEqual([5200, 5400, 5600, 5800, 6000]);
    expect(phasesOf(sink.lines).map((line) => line.startMs)).toEqual([5000, 5200]);
  });
});

describe('in-flight ceiling', () => {
  it('records a dropped line instead of queueing when the ceiling is reached', async () => {
    const { transport, sink, run } = setup({ latencyMs: 500 });
    const result = await run([burst('b', 5)], { maxInFlight: 3 });
    expect(result).toMatchObject({ sent: 3, dropped: 2, unsent: 0, nextSeq: 5 });
    expect(transport.sent.map((sent) => sent.request.seq)).toEqual([0, 1, 2]);
    expect(droppedOf(sink.lines)).toEqual([
      { type: 'dropped', seq: 3, phase: 'b', target: 'default', plannedMs: 0, reason: 'max-in-flight' },
      { type: 'dropped', seq: 4, phase: 'b', target: 'default', plannedMs: 0, reason: 'max-in-flight' },
    ]);
  });

  it('sends again once answers have brought the count under the ceiling', async () => {
    // 10/s with 250 ms latency keeps 3 in flight; a ceiling of 2 drops every third request.
    const { sink, run } = setup({ latencyMs: 250 });
    const result = await run([steady('s', 10, 1000)], { maxInFlight: 2 });
    expect(droppedOf(sink.lines).map((line) => line.plannedMs)).toEqual([200, 500, 800]);
    expect(result).toMatchObject({ sent: 7, dropped: 3 });
  });

  it('never counts a drop against the budget', async () => {
    const { run } = setup({ latencyMs: 500 });
    const result = await run([burst('b', 5)], { maxInFlight: 3, maxRequests: 3 });
    expect(result).toMatchObject({ reason: 'budget', sent: 3, dropped: 0, unsent: 2 });
  });
});

describe('stopping', () => {
  it('stage 1: stops starting requests when stopSignal aborts, lets in-flight ones finish', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const { transport, sink, run } = setup({ latencyMs: 300 }, clock);
    const stop = new AbortController();
    void clock.sleepUntil(1050).then(() => stop.abort());
    const result = await run([steady('s', 10, 2000)], { stopSignal: stop.signal, graceMs: 1000 });
    expect(result).toMatchObject({ reason: 'interrupted', sent: 11, dropped: 0, unsent: 9, cut: 0, nextSeq: 11 });
    expect(transport.sent.at(-1)!.atMs).toBe(1000);
    const lines = requestsOf(sink.lines);
    expect(lines).toHaveLength(11);
    expect(lines.every((line) => line.status === 200 && line.errorKind === null)).toBe(true);
    expect(result.endMs).toBe(1300);
  });

  it('stage 2: cuts in-flight requests when the grace period is over; they are still recorded', async () => {
    const { sink, run } = setup({ latencyMs: 5000 });
    const result = await run([steady('s', 10, 1000)], { graceMs: 500 });
    // The plan ends at 1000 ms; the grace runs to 1500 ms.
    expect(result).toMatchObject({ reason: 'completed', sent: 10, cut: 10, unsent: 0, endMs: 1500 });
    const lines = requestsOf(sink.lines);
    expect(lines).toHaveLength(10);
    expect(lines.every((line) => line.errorKind === 'aborted' && line.doneMs === 1500 && line.status === null)).toBe(true);
  });

  it('cuts at once when abortSignal aborts', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const { sink, run } = setup({ latencyMs: 5000 }, clock);
    const abort = new AbortController();
    void clock.sleepUntil(250).then(() => abort.abort());
    const result = await run([steady('s', 10, 1000)], { abortSignal: abort.signal, graceMs: 30_000 });
    expect(result).toMatchObject({ reason: 'interrupted', sent: 3, cut: 3, unsent: 7, endMs: 250 });
    expect(requestsOf(sink.lines).map((line) => [line.errorKind, line.doneMs])).toEqual([
      ['aborted', 250],
      ['aborted', 250],
      ['aborted', 250],
    ]);
  });

  it('sends nothing when stopSignal has already aborted', async () => {
    const { transport, sink, run } = setup();
    const result = await run([burst('b', 5)], { stopSignal: AbortSignal.abort() });
    expect(result).toMatchObject({ reason: 'interrupted', sent: 0, unsent: 5, nextSeq: 0 });
    expect(transport.sent).toHaveLength(0);
    expect(transport.prepares).toHaveLength(0);
    expect(sink.lines).toHaveLength(0);
  });

  it('waits through a trailing pause before ending', async () => {
    const { run } = setup();
    const result = await run([burst('b', 2), pause('recover', 3000)]);
    expect(result).toMatchObject({ reason: 'completed', sent: 2, endMs: 3000 });
  });
});

describe('budget', () => {
  it('stops before exceeding maxRequests, mid-burst if needed', async () => {
    const { transport, run } = setup();
    const result = await run([steady('s', 10, 1000), burst('b', 5)], { maxRequests: 12 });
    expect(result).toMatchObject({ reason: 'budget', sent: 12, unsent: 3, nextSeq: 12 });
    expect(transport.sent).toHaveLength(12);
  });

  it('ends as completed when the plan fits the budget exactly', async () => {
    const { run } = setup();
    const result = await run([steady('s', 10, 1000)], { maxRequests: 10 });
    expect(result).toMatchObject({ reason: 'completed', sent: 10, unsent: 0 });
  });

  it('stops at once rather than sleeping towards a request it may not send', async () => {
    const { run } = setup();
    const result = await run([burst('first', 2), pause('long', 60_000), burst('second', 2)], { maxRequests: 2 });
    expect(result).toMatchObject({ reason: 'budget', sent: 2, unsent: 2, endMs: 0 });
  });
});

describe('seq numbers, targets and payloads', () => {
  it('numbers planned requests from firstSeq and returns the next one', async () => {
    const { sink, run } = setup();
    const result = await run([burst('b', 3)], { firstSeq: 100 });
    expect(requestsOf(sink.lines).map((line) => line.seq)).toEqual([100, 101, 102]);
    expect(result.nextSeq).toBe(103);
  });

  it('sends to several targets round-robin, each line naming its target', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const east = createFakeTransport({ clock });
    const west = createFakeTransport({ clock });
    const sink = collector();
    await runPlan(planScenario([burst('b', 5)]), {
      clock,
      sink,
      maxInFlight: 10,
      graceMs: 1000,
      targets: [
        { id: 'east', transport: east },
        { id: 'west', transport: west },
      ],
    });
    expect(east.sent.map((sent) => sent.request.seq)).toEqual([0, 2, 4]);
    expect(west.sent.map((sent) => sent.request.seq)).toEqual([1, 3]);
    expect(requestsOf(sink.lines).map((line) => line.target)).toEqual(['east', 'west', 'east', 'west', 'east']);
    expect(east.prepares).toEqual([{ connections: 3, atMs: 0 }]);
    expect(west.prepares).toEqual([{ connections: 3, atMs: 0 }]);
  });

  it('hands each phase its payload overrides', async () => {
    const { transport, run } = setup();
    await run([
      { kind: 'burst', name: 'big', size: 1, bursts: 1, gapMs: 0, payload: { maxTokens: 4000, stream: true } },
      burst('plain', 1),
    ]);
    expect(transport.sent.map((sent) => sent.request.payload)).toEqual([{ maxTokens: 4000, stream: true }, undefined]);
  });

  it('refuses both or neither of transport and targets', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock });
    const base = { clock, sink: collector(), maxInFlight: 1, graceMs: 0 };
    await expect(runPlan(planScenario([]), base)).rejects.toThrow(/transport/);
    await expect(runPlan(planScenario([]), { ...base, transport, targets: [{ id: 'a', transport }] })).rejects.toThrow(/not both/);
  });
});

describe('warming connections', () => {
  it('prepares before each burst instant, during the gap, capped at maxInFlight', async () => {
    const { transport, run } = setup();
    await run([steady('warm', 2, 1000), burst('b', 20, 3, 1000)], { maxInFlight: 16 });
    // The plan starts with a single request at 0 (prepared for 1 before the clock starts);
    // the bursts are at 1000, 2000 and 3000: each prepared right after the previous instant.
    expect(transport.prepares).toEqual([
      { connections: 1, atMs: 0 },
      { connections: 16, atMs: 500 },
      { connections: 16, atMs: 1000 },
      { connections: 16, atMs: 2000 },
    ]);
  });

  it('starts the clock only after the first burst is prepared', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock });
    transport.prepare = async (connections) => {
      transport.prepares.push({ connections, atMs: clock.now() });
      await clock.sleepUntil(clock.now() + 700);
    };
    const sink = collector();
    const result = await runPlan(planScenario([burst('b', 4)]), { clock, transport, sink, maxInFlight: 10, graceMs: 0 });
    expect(result.startMs).toBe(700);
    expect(transport.sent.every((sent) => sent.atMs === 700 && sent.request.plannedMs === 700)).toBe(true);
  });

  it('does not wait for a warm-up longer than prepareTimeoutMs', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock });
    transport.prepare = () => new Promise(() => undefined);
    const result = await runPlan(planScenario([burst('b', 4)]), {
      clock,
      transport,
      sink: collector(),
      maxInFlight: 10,
      graceMs: 0,
      prepareTimeoutMs: 2000,
    });
    expect(result).toMatchObject({ startMs: 2000, sent: 4 });
  });

  it('stops waiting for the warm-up when stopSignal aborts', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock });
    transport.prepare = () => new Promise(() => undefined);
    const stop = new AbortController();
    void clock.sleepUntil(300).then(() => stop.abort());
    const result = await runPlan(planScenario([burst('b', 4)]), {
      clock,
      transport,
      sink: collector(),
      maxInFlight: 10,
      graceMs: 0,
      stopSignal: stop.signal,
    });
    expect(result).toMatchObject({ reason: 'interrupted', sent: 0, unsent: 4, endMs: 300 });
  });
});

describe('failures outside the contract', () => {
  it('rejects when a transport rejects, after recording the others and cutting the rest', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock, latencyMs: 100 });
    const send = transport.send.bind(transport);
    transport.send = (request: SendRequest, signal: AbortSignal) =>
      request.seq === 3 ? Promise.reject(new Error('transport bug')) : send(request, signal);
    const sink = collector();
    await expect(
      runPlan(planScenario([steady('s', 10, 1000)]), { clock, transport, sink, maxInFlight: 10, graceMs: 1000 }),
    ).rejects.toThrow('transport bug');
    expect(requestsOf(sink.lines).map((line) => [line.seq, line.errorKind])).toEqual([
      [0, null],
      [1, null],
      [2, null],
    ]);
  });

  it('treats a transport that throws like one that rejects', async () => {
    const clock = createFakeClock({ autoAdvance: true });
    const transport = createFakeTransport({ clock, latencyMs: 1000 });
    const send = transport.send.bind(transport);
    transport.send = (request: SendRequest, signal: AbortSignal) => {
      if (request.seq === 1) throw new Error('thrown, not rejected');
      return send(request, signal);
    };
    const sink = collector();
    await expect(
      runPlan(planScenario([steady('s', 10, 1000)]), { clock, transport, sink, maxInFlight: 10, graceMs: 5000 }),
    ).rejects.toThrow('thrown, not rejected');
    // seq 0 was in flight: cut at once (no grace for a broken run) and still recorded.
    expect(requestsOf(sink.lines).map((line) => [line.seq, line.errorKind, line.doneMs])).toEqual([[0, 'aborted', 100]]);
  });
});
