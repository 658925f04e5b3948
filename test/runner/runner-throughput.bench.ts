/**
 * Loose benchmark of the runner alone (not part of `npm test`; timing on a shared box is
 * not a pass/fail matter). Run it with:
 *
 *     npx vitest bench --run test/runner/runner-throughput.bench.ts
 *
 * It prints:
 *   - throughput: requests/s the runner sustains with an instant in-memory transport
 *     (each request still gets its own RequestLine object, as with a real transport);
 *   - pacing: steady 1000/s for 3 s with a no-op transport, the send-time gaps (p50, p99,
 *     max), the lag behind the plan, the achieved rate and the CPU used.
 */
import { bench } from 'vitest';
import { runPlan } from '../../src/run/runner.js';
import { createRealClock, type RealClockOptions } from '../../src/run/pacing/real-clock.js';
import { planScenario } from '../../src/schedule/plan.js';
import type { RequestLine } from '../../src/record/types.js';
import type { Transport } from '../../src/run/types.js';
import type { Clock } from '../../src/run/pacing/clock.js';

function instantTransport(clock: Clock, sendTimes?: number[]): Transport {
  return {
    prepare: async () => undefined,
    send(request) {
      const now = clock.now();
      sendTimes?.push(now);
      const line: RequestLine = {
        type: 'request',
        seq: request.seq,
        phase: request.phase,
        target: request.target,
        plannedMs: request.plannedMs,
        sentMs: now,
        firstByteMs: now,
        doneMs: now,
        status: 200,
        errorKind: null,
        headers: {},
        error: null,
        usage: null,
        estimatedTokens: 0,
        maxTokens: null,
        clientRequestId: 'x',
      };
      return Promise.resolve(line);
    },
    close: async () => undefined,
  };
}

function percentile(sorted: Float64Array | number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

async function throughput(ratePerSecond: number, durationMs: number): Promise<void> {
  const clock = createRealClock();
  let lines = 0;
  let lastLineMs = 0;
  const plan = planScenario([{ kind: 'steady', name: 'max', ratePerSecond, durationMs }]);
  const result = await runPlan(plan, {
    clock,
    transport: instantTransport(clock),
    sink: {
      write: (line) => {
        lines++;
        if (line.type === 'request') lastLineMs = line.doneMs;
      },
    },
    maxInFlight: 10_000,
    graceMs: 1000,
  });
  // The time the last request was sent and recorded: the run itself waits for the plan's end.
  const seconds = (lastLineMs - result.startMs) / 1000;
  console.log(
    `throughput: planned ${plan.totalRequests} at ${ratePerSecond}/s over ${durationMs} ms -> sent ${result.sent}, dropped ${result.dropped}, ` +
      `lines ${lines}, last recorded at ${seconds.toFixed(3)} s: ${(result.sent / seconds).toFixed(0)} requests/s recorded`,
  );
}

async function pacing(ratePerSecond: number, durationMs: number, clockOptions: RealClockOptions = {}): Promise<void> {
  const clock = createRealClock(clockOptions);
  const sendTimes: number[] = [];
  const lags: number[] = [];
  const cpuBefore = process.cpuUsage();
  const result = await runPlan(planScenario([{ kind: 'steady', name: 'pace', ratePerSecond, durationMs }]), {
    clock,
    transport: instantTransport(clock, sendTimes),
    sink: { write: (line) => void (line.type === 'request' && lags.push(line.sentMs - line.plannedMs)) },
    maxInFlight: 1000,
    graceMs: 1000,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const gaps = Float64Array.from(sendTimes.slice(1), (time, index) => time - sendTimes[index]!).sort();
  const sortedLags = Float64Array.from(lags).sort();
  const spanSeconds = (sendTimes.at(-1)! - sendTimes[0]!) / 1000;
  const wallMs = result.endMs - result.startMs;
  console.log(
    `pacing ${ratePerSecond}/s for ${durationMs} ms ${JSON.stringify(clockOptions)}: sent ${result.sent}, achieved ${((sendTimes.length - 1) / spanSeconds).toFixed(2)}/s, ` +
      `gap p50 ${percentile(gaps, 0.5).toFixed(3)} p99 ${percentile(gaps, 0.99).toFixed(3)} max ${gaps.at(-1)!.toFixed(3)} ms, ` +
      `lag p50 ${percentile(sortedLags, 0.5).toFixed(3)} p99 ${percentile(sortedLags, 0.99).toFixed(3)} max ${sortedLags.at(-1)!.toFixed(3)} ms, ` +
      `CPU ${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(0)} %`,
  );
}

const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 };

bench('runner throughput, instant transport, 1M requests planned at 10M/s', () => throughput(10_000_000, 100), once);
bench('runner throughput, instant transport, steady 40k/s for 5 s', () => throughput(40_000, 5000), once);
bench('runner pacing, no-op transport, steady 1000/s for 3 s', () => pacing(1000, 3000), once);
bench('runner pacing, no-op transport, steady 1000/s for 3 s, pure setImmediate loop', () => pacing(1000, 3000, { waitSliceMs: 0 }), once);
