/**
 * The realtime session sender: what the firing loop (src/run/loop.ts) calls when
 * the thing fired is a WebSocket session. One `send` opens one session with the
 * `ws` package, lives it (wait for the first event, send K `response.create`
 * turns one after another, hold it open), closes it, and returns one `session`
 * line; each turn becomes a `turn` line written to the sink as it ends.
 *
 * Why `ws` and not undici's WebSocket: on a refused upgrade undici reports only a
 * close 1006, losing the HTTP status, `retry-after` and body; `ws` hands them over
 * in `unexpected-response`, and the 101's headers in `upgrade`.
 *
 * Every outcome is a line, never a rejection: a refused handshake, a close code,
 * a network drop, silence (no event within the event timeout), or the run's own
 * abort.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { isRecordedHeader } from '../../record/header-names.js';
import type { ErrorKind, RecordSink, SessionError, SessionLine, SessionRateLimits, TurnLine } from '../../record/types.js';
import type { Clock } from '../pacing/clock.js';
import { errorKindOf } from '../transport/error-kind.js';
import type { Sender } from '../source.js';
import type { SendRequest, TargetSpec } from '../types.js';

/** How each session behaves, unless its shot's tags say otherwise (`hold`, `turns`). */
export interface SessionBehaviour {
  /** How long to keep the session open after its first event, ms (0: close at once). */
  holdMs: number;
  /** `response.create` turns to send one after another once the session is created. */
  turns: number;
  /** Pause between the end of one turn and the next, ms. */
  turnGapMs: number;
  /** `max_output_tokens` of each turn: the reservation the limiter counts. */
  maxOutputTokens: number;
  /** The instructions of each response: tiny, so answers are tiny. */
  instructions: string;
  /** No server event (first event, or a turn's answer) within this is a silent hang, ms. */
  eventTimeoutMs: number;
  /** Longest wait for the upgrade's answer, ms. */
  handshakeTimeoutMs: number;
  /** Ping period while a session is held, ms (keeps idle-timeout proxies from closing it). */
  pingEveryMs: number;
}

/** Defaults: open, wait for session.created, close; one tiny text turn when turns are asked for. */
export const DEFAULT_SESSION_BEHAVIOUR: SessionBehaviour = {
  holdMs: 0,
  turns: 0,
  turnGapMs: 0,
  maxOutputTokens: 16,
  instructions: 'Reply with one word.',
  eventTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  pingEveryMs: 20_000,
};

/** Longest close reason or error message kept, characters. */
const MAX_TEXT = 200;

function trimmed(text: string | null | undefined): string | null {
  if (text === null || text === undefined || text === '') return null;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function recordedHeaders(message: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && isRecordedHeader(lower)) headers[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Options of {@link createSessionSender}. */
export interface SessionSenderOptions {
  target: TargetSpec;
  clock: Clock;
  /** Where turn lines go (the run's sink); the session line itself goes back to the loop. */
  sink: RecordSink;
  behaviour?: Partial<SessionBehaviour>;
}

/** A Sender whose lines are sessions. `close()` ends every session still open. */
export interface SessionSender extends Sender<SessionLine & { seq: number }> {
  close(): Promise<void>;
}

/** Builds the session sender for one realtime target. */
export function createSessionSender(options: SessionSenderOptions): SessionSender {
  const behaviour: SessionBehaviour = { ...DEFAULT_SESSION_BEHAVIOUR, ...options.behaviour };
  const open = new Set<WebSocket>();
  const headers: Record<string, string> = {};
  if (options.target.auth.apiKey !== undefined) headers['api-key'] = options.target.auth.apiKey;
  if (options.target.auth.bearer !== undefined) headers.authorization = `Bearer ${options.target.auth.bearer}`;
  return {
    prepare: () => Promise.resolve(),
    send(request, signal) {
      const tags = request.tags ?? {};
      const own: SessionBehaviour = {
        ...behaviour,
        ...(typeof tags['hold'] === 'number' ? { holdMs: tags['hold'] } : {}),
        ...(typeof tags['turns'] === 'number' ? { turns: tags['turns'] } : {}),
        ...(typeof tags['maxOutputTokens'] === 'number' ? { maxOutputTokens: tags['maxOutputTokens'] } : {}),
        ...(typeof tags['turnGap'] === 'number' ? { turnGapMs: tags['turnGap'] } : {}),
      };
      return runSession(request, signal, own, options, headers, open);
    },
    async close() {
      for (const socket of open) socket.terminate();
      open.clear();
    },
  };
}

/** One session from upgrade to close. Never rejects. */
function runSession(
  request: SendRequest,
  signal: AbortSignal,
  behaviour: SessionBehaviour,
  options: SessionSenderOptions,
  headers: Record<string, string>,
  open: Set<WebSocket>,
): Promise<SessionLine & { seq: number }> {
  const { clock, sink, target } = options;
  const line: SessionLine & { seq: number } = {
    type: 'session',
    seq: request.seq,
    sid: request.seq,
    phase: request.phase,
    target: request.target,
    plannedMs: request.plannedMs,
    askedMs: clock.now(),
    openMs: null,
    firstEventMs: null,
    closeMs: 0,
    handshakeStatus: null,
    headers: {},
    closeCode: null,
    closeReason: null,
    closedBy: 'network',
    framesIn: 0,
    framesOut: 0,
    serverSessionId: null,
    expiresAt: null,
    rateLimits: [],
    errors: [],
    errorKind: null,
    silent: false,
  };

  return new Promise((resolve) => {
    let settled = false;
    let closingByUs = false;
    let timer: NodeJS.Timeout | undefined;
    let pinger: NodeJS.Timeout | undefined;
    let turnNumber = 0;
    let turn: TurnLine | null = null;

    const socket = new WebSocket(target.url, { headers, handshakeTimeout: behaviour.handshakeTimeoutMs, perMessageDeflate: false, followRedirects: false });
    open.add(socket);

    const setTimer = (ms: number, action: () => void): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(action, ms);
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (pinger !== undefined) clearInterval(pinger);
      signal.removeEventListener('abort', onAbort);
      open.delete(socket);
      if (turn !== null) endTurn(socket.readyState === WebSocket.OPEN ? 'timeout' : 'closed', null);
      line.closeMs = clock.now();
      resolve(line);
    };
    const closeByUs = (code = 1000, reason = 'done'): void => {
      if (closingByUs) return;
      closingByUs = true;
      if (socket.readyState === WebSocket.OPEN) {
        socket.close(code, reason);
        // A server that never answers the close frame: give it a moment, then drop.
        setTimer(2000, () => {
          socket.terminate();
          finish();
        });
      } else {
        socket.terminate();
        finish();
      }
    };
    const onAbort = (): void => {
      line.errorKind = 'aborted';
      closeByUs(1001, 'aborted');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();

    const sendEvent = (event: object): void => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify(event));
      line.framesOut++;
    };
    const endTurn = (status: string, error: TurnLine['error'], usage: TurnLine['usage'] = null): void => {
      if (turn === null) return;
      const done: TurnLine = { ...turn, doneMs: status === 'timeout' || status === 'closed' ? null : clock.now(), status, error, usage };
      turn = null;
      sink.write(done);
    };
    const startTurn = (): void => {
      turnNumber++;
      turn = { type: 'turn', sid: line.sid, turn: turnNumber, phase: line.phase, target: line.target, sentMs: clock.now(), doneMs: null, status: 'pending', error: null, usage: null, maxOutputTokens: behaviour.maxOutputTokens };
      sendEvent({ type: 'response.create', response: { output_modalities: ['text'], instructions: behaviour.instructions, max_output_tokens: behaviour.maxOutputTokens } });
      setTimer(behaviour.eventTimeoutMs, () => {
        endTurn('timeout', null);
        afterTurns();
      });
    };
    const afterTurnDone = (): void => {
      if (turnNumber < behaviour.turns) {
        if (behaviour.turnGapMs > 0) setTimer(behaviour.turnGapMs, startTurn);
        else startTurn();
      } else afterTurns();
    };
    /** Every turn done: hold the session until its hold time (from the first event), then close. */
    const afterTurns = (): void => {
      const holdUntil = (line.firstEventMs ?? clock.now()) + behaviour.holdMs;
      const left = holdUntil - clock.now();
      if (left <= 0) return closeByUs();
      pinger ??= setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.ping();
      }, behaviour.pingEveryMs);
      setTimer(left, () => closeByUs());
    };

    /** The session is live (its first event that is not a refusal): send the turns, or hold it. */
    let begun = false;
    const begin = (): void => {
      if (begun) return;
      begun = true;
      if (behaviour.turns > 0) startTurn();
      else afterTurns();
    };

    socket.on('upgrade', (response) => {
      line.openMs = clock.now();
      line.handshakeStatus = response.statusCode ?? 101;
      line.headers = recordedHeaders(response);
      setTimer(behaviour.eventTimeoutMs, () => {
        line.silent = true;
        closeByUs(1000, 'no event');
      });
    });
    socket.on('unexpected-response', (req, response) => {
      line.openMs = clock.now();
      line.handshakeStatus = response.statusCode ?? null;
      line.headers = recordedHeaders(response);
      line.closedBy = 'server';
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < 4096) chunks.push(chunk);
        size += chunk.length;
      });
      const done = (): void => {
        const text = Buffer.concat(chunks).toString('utf8');
        let code: string | null = null;
        let message: string | null = text === '' ? null : text;
        let type: string | null = null;
        try {
          const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; type?: unknown } };
          code = stringOrNull(body.error?.code);
          message = stringOrNull(body.error?.message) ?? message;
          type = stringOrNull(body.error?.type);
        } catch {
          // Not JSON: the text itself is the message.
        }
        line.errors.push({ code: code ?? String(response.statusCode), message: trimmed(message), type, source: 'error', atMs: line.openMs ?? clock.now() });
        req.destroy();
        socket.terminate();
        finish();
      };
      response.on('end', done);
      response.on('error', done);
      response.on('aborted', done);
    });
    socket.on('message', (data, isBinary) => {
      line.framesIn++;
      const now = clock.now();
      if (line.firstEventMs === null) line.firstEventMs = now;
      if (isBinary) return;
      let event: Record<string, any>;
      try {
        event = JSON.parse(data.toString()) as Record<string, any>;
      } catch {
        // Not a realtime event (a plain WebSocket server's greeting): the session is live.
        begin();
        return;
      }
      if (event['type'] !== 'error') begin();
      switch (event['type']) {
        case 'session.created': {
          line.serverSessionId = stringOrNull(event['session']?.id);
          line.expiresAt = numberOrNull(event['session']?.expires_at);
          break;
        }
        case 'rate_limits.updated': {
          const entries = Array.isArray(event['rate_limits']) ? (event['rate_limits'] as Record<string, unknown>[]) : [];
          const update: SessionRateLimits = {
            atMs: now,
            limits: entries.map((entry) => ({
              name: String(entry['name'] ?? ''),
              limit: numberOrNull(entry['limit']),
              remaining: numberOrNull(entry['remaining']),
              resetSeconds: numberOrNull(entry['reset_seconds']),
            })),
          };
          line.rateLimits.push(update);
          break;
        }
        case 'error': {
          const error = event['error'] ?? {};
          const recorded: SessionError = { code: stringOrNull(error.code), message: trimmed(stringOrNull(error.message)), type: stringOrNull(error.type), source: 'error', atMs: now };
          line.errors.push(recorded);
          if (turn !== null) {
            endTurn('error', { code: recorded.code, message: recorded.message, type: recorded.type });
            afterTurnDone();
          }
          break;
        }
        case 'response.done': {
          const response = event['response'] ?? {};
          const status = typeof response.status === 'string' ? response.status : 'completed';
          const failure = response.status_details?.error;
          let error: TurnLine['error'] = null;
          if (status === 'failed' && failure !== undefined && failure !== null) {
            error = { code: stringOrNull(failure.code), message: trimmed(stringOrNull(failure.message)), type: stringOrNull(failure.type) };
            line.errors.push({ ...error, source: 'response', atMs: now });
          }
          const usage = response.usage;
          endTurn(status, error, usage ? { inputTokens: numberOrNull(usage.input_tokens) ?? 0, outputTokens: numberOrNull(usage.output_tokens) ?? 0, totalTokens: numberOrNull(usage.total_tokens) ?? 0 } : null);
          if (timer !== undefined) clearTimeout(timer);
          afterTurnDone();
          break;
        }
        default:
          // Deltas and other events only count as frames; a waiting turn keeps its timeout.
          break;
      }
    });
    socket.on('close', (code, reason) => {
      if (line.handshakeStatus === null || line.handshakeStatus === 101) {
        // 1005 (no code) and 1006 (abnormal) are never sent by a server: record them as no code.
        line.closeCode = code === 1005 || code === 1006 ? null : code;
        line.closeReason = trimmed(reason.toString('utf8'));
        line.closedBy = closingByUs ? 'client' : code === 1006 ? 'network' : 'server';
      }
      finish();
    });
    socket.on('error', (error: Error) => {
      if (line.handshakeStatus === null) {
        const kind: ErrorKind = /handshake has timed out/i.test(error.message) ? 'timeout' : errorKindOf(error);
        line.errorKind = line.errorKind ?? kind;
        if (kind === 'timeout') line.silent = true;
        if (line.errors.length === 0) line.errors.push({ code: kind, message: trimmed(error.message), type: null, source: 'error', atMs: clock.now() });
      }
      // 'close' follows 'error' in ws; finish there (and here, should it not come).
      if (socket.readyState === WebSocket.CLOSED) finish();
    });
  });
}
