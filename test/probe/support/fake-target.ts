/**
 * A Transport whose "server" is the simulator's pure limiter models, on the fake
 * clock: every request is admitted or refused by the real limiter classes of
 * src/sim/limiters at the virtual instant it is sent, and answered after a
 * virtual latency. Hundreds of probes run in seconds with exact times, and the
 * probe is judged against limiters written by someone else (the simulator shares
 * no code with the analysis).
 */
import type { FakeClock } from '../../../src/run/fake-clock.js';
import type { SendRequest, Transport } from '../../../src/run/types.js';
import type { RequestLine } from '../../../src/record/types.js';
import type { Limiter } from '../../../src/sim/limiters/limiter.js';
import { admitAll } from '../../../src/sim/limiters/combine.js';

/** One limiter of the fake server and what it counts. */
export interface FakeLimit {
  limiter: Limiter;
  counts: 'requests' | 'tokens';
}

/** Settings of the fake server. */
export interface FakeTargetOptions {
  clock: FakeClock;
  limits: FakeLimit[];
  /** Refused requests are charged too. */
  penalty?: boolean;
  /** Answer time of admitted requests, ms (a function for a distribution). */
  latencyMs?: number | ((seq: number) => number);
  /** Answer time of refusals, ms. Default 1. */
  refusalLatencyMs?: number;
  /** Refusal status. Default 429. */
  status?: 429 | 503;
  /** Headers of each answer: none (default), or a function of the limiter decisions. */
  headers?: 'none' | 'retry-after';
  /** Body of refusals: JSON with the dimension (default) or an HTML page. */
  body?: 'json' | 'html';
  /** Prompt tokens of every request (the estimate is prompt + max_tokens). Default 12. */
  promptTokens?: number;
  /** max_tokens when the request sets none. Default 16. */
  defaultMaxTokens?: number;
}

/** The fake target: a Transport plus what it saw. */
export interface FakeTarget extends Transport {
  sent: number;
}

/** Builds the fake target. */
export function createFakeTarget(options: FakeTargetOptions): FakeTarget {
  const { clock } = options;
  const prompt = options.promptTokens ?? 12;
  const target: FakeTarget = {
    sent: 0,
    async prepare() {},
    async close() {},
    async send(request: SendRequest): Promise<RequestLine> {
      target.sent++;
      const sentMs = clock.now();
      const maxTokens = request.payload?.maxTokens ?? options.defaultMaxTokens ?? 16;
      const estimatedTokens = prompt + maxTokens;
      const costs = options.limits.map((limit) => (limit.counts === 'tokens' ? estimatedTokens : 1));
      const decision = admitAll(
        options.limits.map((limit) => limit.limiter),
        costs,
        sentMs,
        options.penalty ?? false,
      );
      const base: RequestLine = {
        type: 'request',
        seq: request.seq,
        phase: request.phase,
        target: request.target,
        plannedMs: request.plannedMs,
        sentMs,
        firstByteMs: null,
        doneMs: sentMs,
        status: null,
        errorKind: null,
        headers: {},
        error: null,
        usage: null,
        estimatedTokens,
        maxTokens,
        clientRequestId: `fake-${request.seq}`,
      };
      if (decision.admitted) {
        const latency = typeof options.latencyMs === 'function' ? options.latencyMs(request.seq) : (options.latencyMs ?? 5);
        await clock.sleepUntil(sentMs + latency);
        for (const limit of options.limits) limit.limiter.release(clock.now(), 1);
        return { ...base, status: 200, firstByteMs: clock.now(), doneMs: clock.now(), usage: { promptTokens: prompt, completionTokens: 1, totalTokens: prompt + 1 } };
      }
      await clock.sleepUntil(sentMs + (options.refusalLatencyMs ?? 1));
      const byTokens = decision.refusedBy.every((index) => options.limits[index]!.counts === 'tokens');
      const headers: Record<string, string> = {};
      if (options.headers === 'retry-after' && Number.isFinite(decision.retryAfterMs)) headers['retry-after-ms'] = String(Math.ceil(decision.retryAfterMs));
      const error =
        options.body === 'html'
          ? { code: null, message: '<html><body><h1>429 Too Many Requests</h1></body></html>', type: null }
          : byTokens
            ? { code: '429', message: 'Requests to the deployment have exceeded the token rate limit.', type: 'tokens' }
            : { code: '429', message: 'Requests to the deployment have exceeded the call rate limit.', type: 'requests' };
      return { ...base, status: options.status ?? 429, firstByteMs: clock.now(), doneMs: clock.now(), headers, error };
    },
  };
  return target;
}
