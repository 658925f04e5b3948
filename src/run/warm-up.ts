/**
 * The warm-up before a fast run's clock starts: the run's own code (runner, clock,
 * transport, response reader, recording writer) sends a few thousand requests to a
 * server inside this process, on loopback, that answers each one with a canned 200.
 * The target sees nothing: no request, no connection, no quota spent.
 *
 * Why (bench/NOTES.md, "Steady-rate precision"): a cold process paces its first
 * seconds badly, and the cause is V8 and first-use costs, not the schedule:
 * - the first requests run unoptimised code, undici compiles its llhttp WebAssembly
 *   parser at its first connection, and every new connection builds a Client: at
 *   1000/s the first request left ~5 ms late, the next ones found it still in flight,
 *   undici opened a connection for each, each of those was slow too, and a run opened
 *   40–150 connections and fell 20–100 ms behind in its first 300 ms;
 * - the optimising compiler then works through the hot functions during the first
 *   seconds, on the same core when the client is pinned to one (the bench pins it),
 *   and each compile job delays the loop by 1–9 ms (with `--no-opt` the lean
 *   transport's gaps ≥ 1.2 ms fell from 29/22/10 to 6/5/6 in its first three seconds).
 * Running the same code paths first, then idling briefly so the background compiler
 * finishes, moves both costs before the clock starts.
 *
 * Which runs: those whose plan is fast enough for a millisecond to matter
 * ({@link planNeedsWarmUp}); a slow run would only wait longer to start.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordSink } from '../record/types.js';
import { planScenario, type ScenarioPlan } from '../schedule/plan.js';
import type { Clock } from './pacing/clock.js';
import { runPlan } from './runner.js';
import type { Transport } from './types.js';

/** Options of {@link warmUp}. */
export interface WarmUpOptions {
  /** A transport of the kind the run uses, built with the run's options but aimed at `url` (the loopback server). */
  createTransport(url: string): Transport;
  /** The target's URL: its path and query are kept, so the requests look like the run's. */
  targetUrl: string;
  /** A fresh clock of the kind the run uses (not the run's: its time must not move). */
  clock: Clock;
  /** Where the warm-up's lines go: the run's kind of sink, writing nowhere. */
  sink: RecordSink;
  /** Requests to send. Default {@link WARM_UP_REQUESTS}. */
  requests?: number;
  /** Their rate, per second. Default {@link WARM_UP_RATE}. */
  ratePerSecond?: number;
  /** In-flight ceiling. Default 64. */
  maxInFlight?: number;
  /** Idle time after the requests, for the background compiler, ms. Default {@link WARM_UP_SETTLE_MS}. */
  settleMs?: number;
  /** Longest time the requests may take before they are cut, ms. Default 3000. */
  deadlineMs?: number;
}

/** What the warm-up did. */
export interface WarmUpResult {
  sent: number;
  /** Answered with the canned 200. */
  answered: number;
  elapsedMs: number;
}

/** Requests of the warm-up: enough for V8 to optimise the per-request functions (measured: 1000 left gaps, 2000 did not). */
export const WARM_UP_REQUESTS = 2000;
export const WARM_UP_RATE = 10_000;
export const WARM_UP_SETTLE_MS = 150;

/** A plan needs the warm-up when some phase sends at least this many requests per second... */
const FAST_RATE_PER_SECOND = 200;
/** ...or holds an instant of at least this many requests (a burst). */
const LARGE_INSTANT = 20;

/**
 * Whether a plan is fast enough for the warm-up to pay: some phase plans at least
 * 200 requests per second over its length, or an instant of at least 20 requests.
 * A pure function of the plan.
 */
export function planNeedsWarmUp(plan: ScenarioPlan): boolean {
  for (const planned of plan.phases) {
    const offsets = planned.offsets;
    if (offsets.length === 0) continue;
    if (offsets.length >= LARGE_INSTANT && (planned.lengthMs <= 0 || (offsets.length * 1000) / planned.lengthMs >= FAST_RATE_PER_SECOND)) return true;
    let runStart = 0;
    for (let index = 1; index <= offsets.length; index++) {
      if (index < offsets.length && offsets[index] === offsets[runStart]) continue;
      if (index - runStart >= LARGE_INSTANT) return true;
      runStart = index;
    }
  }
  return false;
}

/**
 * Sends the warm-up's requests through `createTransport(loopback URL)` with the real
 * runner, then idles `settleMs`. Never throws for what the requests do (they are not
 * measured); closes its transport and server whatever happens.
 */
export async function warmUp(options: WarmUpOptions): Promise<WarmUpResult> {
  const started = performance.now();
  const server = await startCannedServer();
  const target = new URL(options.targetUrl);
  const url = `http://127.0.0.1:${server.port}${target.pathname}${target.search}`;
  const requests = options.requests ?? WARM_UP_REQUESTS;
  const ratePerSecond = options.ratePerSecond ?? WARM_UP_RATE;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.deadlineMs ?? 3000);
  let transport: Transport | null = null;
  let sent = 0;
  try {
    transport = options.createTransport(url);
    const plan = planScenario([{ kind: 'steady', name: 'warm-up', ratePerSecond, durationMs: Math.ceil((requests * 1000) / ratePerSecond) }]);
    const result = await runPlan(plan, {
      clock: options.clock,
      transport,
      sink: options.sink,
      maxInFlight: options.maxInFlight ?? 64,
      graceMs: 500,
      abortSignal: deadline.signal,
    });
    sent = result.sent;
  } catch {
    // Nothing of the warm-up is measured: a failure only means a colder start.
  } finally {
    clearTimeout(timer);
    await transport?.close().catch(() => undefined);
    await server.close();
  }
  await sleep(options.settleMs ?? WARM_UP_SETTLE_MS);
  return { sent, answered: server.answered(), elapsedMs: performance.now() - started };
}

/** The canned answer: an Azure OpenAI chat completion with its rate-limit headers. */
const JSON_BODY = JSON.stringify({
  id: 'chatcmpl-warm-up',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 14, completion_tokens: 1, total_tokens: 15 },
});
const STREAM_BODY =
  `data: ${JSON.stringify({ id: 'chatcmpl-warm-up', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'ok' } }] })}\n\n` +
  `data: ${JSON.stringify({ id: 'chatcmpl-warm-up', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 14, completion_tokens: 1, total_tokens: 15 } })}\n\n` +
  'data: [DONE]\n\n';

function cannedResponse(contentType: string, body: string): Buffer {
  return Buffer.from(
    'HTTP/1.1 200 OK\r\n' +
      `content-type: ${contentType}\r\n` +
      'x-ratelimit-limit-requests: 1000\r\nx-ratelimit-remaining-requests: 999\r\n' +
      'x-ratelimit-limit-tokens: 1000000\r\nx-ratelimit-remaining-tokens: 999000\r\n' +
      'apim-request-id: 00000000-0000-0000-0000-000000000000\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`,
  );
}
const JSON_RESPONSE = cannedResponse('application/json', JSON_BODY);
const STREAM_RESPONSE = cannedResponse('text/event-stream', STREAM_BODY);

interface CannedServer {
  port: number;
  answered(): number;
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

/**
 * A loopback server that frames HTTP/1.1 requests (head, then a content-length body:
 * both transports send one) and answers each with the canned response, streamed when
 * the request asked for `"stream":true`.
 */
function startCannedServer(): Promise<CannedServer> {
  const sockets = new Set<net.Socket>();
  let answered = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        const headEnd = buffered.indexOf(HEAD_END);
        if (headEnd < 0) return;
        const head = buffered.toString('latin1', 0, headEnd);
        const length = Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
        const total = headEnd + HEAD_END.length + length;
        if (buffered.length < total) return;
        const stream = buffered.indexOf('"stream":true', headEnd) !== -1 && buffered.indexOf('"stream":true', headEnd) < total;
        buffered = buffered.subarray(total);
        answered++;
        socket.write(stream ? STREAM_RESPONSE : JSON_RESPONSE);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        answered: () => answered,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
