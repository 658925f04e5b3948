/**
 * An in-memory Transport for runner tests: answers after a latency measured on the
 * injected clock, honours the abort signal like the real transport (errorKind "aborted"),
 * and remembers every send and prepare with the clock time and the synchronous batch it
 * happened in.
 */
import type { Clock } from '../../src/run/pacing/clock.js';
import type { SendRequest, Transport } from '../../src/run/types.js';
import type { RequestLine } from '../../src/record/types.js';

export interface SentRecord {
  request: SendRequest;
  atMs: number;
  /** Sends made in the same synchronous stretch of code share a batch number. */
  batch: number;
}

export interface FakeTransportOptions {
  clock: Clock;
  /** Latency of each answer, ms (default 0: answers on the next clock turn). */
  latencyMs?: number | ((request: SendRequest) => number);
  /** HTTP status of each answer (default 200). */
  status?: (request: SendRequest) => number;
  /** Called synchronously inside send, e.g. to stall the fake clock. */
  onSend?: (request: SendRequest) => void;
}

export interface FakeTransport extends Transport {
  sent: SentRecord[];
  prepares: { connections: number; atMs: number }[];
  closed: boolean;
}

/** Builds a request line the way a transport would. */
export function requestLine(request: SendRequest, fields: Partial<RequestLine>): RequestLine {
  return {
    type: 'request',
    seq: request.seq,
    phase: request.phase,
    target: request.target,
    plannedMs: request.plannedMs,
    sentMs: 0,
    firstByteMs: null,
    doneMs: 0,
    status: null,
    errorKind: null,
    headers: {},
    error: null,
    usage: null,
    estimatedTokens: 0,
    maxTokens: request.payload?.maxTokens ?? null,
    clientRequestId: `fake-${request.seq}`,
    ...fields,
  };
}

export function createFakeTransport(options: FakeTransportOptions): FakeTransport {
  const { clock } = options;
  let batch = 0;
  let batchOpen = false;
  const transport: FakeTransport = {
    sent: [],
    prepares: [],
    closed: false,
    async prepare(connections) {
      transport.prepares.push({ connections, atMs: clock.now() });
    },
    async send(request, signal) {
      if (!batchOpen) {
        batch++;
        batchOpen = true;
        queueMicrotask(() => {
          batchOpen = false;
        });
      }
      const sentMs = clock.now();
      transport.sent.push({ request, atMs: sentMs, batch });
      options.onSend?.(request);
      const latency = typeof options.latencyMs === 'function' ? options.latencyMs(request) : (options.latencyMs ?? 0);
      await clock.sleepUntil(sentMs + latency, signal);
      const doneMs = clock.now();
      if (signal.aborted && doneMs < sentMs + latency) {
        return requestLine(request, {
          sentMs,
          doneMs,
          errorKind: 'aborted',
          error: { code: null, message: 'cut by the run stop', type: null },
        });
      }
      return requestLine(request, { sentMs, firstByteMs: doneMs, doneMs, status: options.status?.(request) ?? 200 });
    },
    async close() {
      transport.closed = true;
    },
  };
  return transport;
}
