/**
 * One realtime session of the simulator: what it sends when it starts, how it
 * answers each client event, how a limit refuses inside it, and its expiry.
 *
 * It knows nothing of sockets: it talks through a SessionLink (send an event,
 * close with a code), reads time from the context and schedules its expiry through
 * it, so tests can run a whole session on a fake clock.
 *
 * The protocol is the subset a text-only prober uses: `session.update` →
 * `session.updated`; `response.create` → `response.created`, `rate_limits.updated`
 * (after the reservation), one `response.output_text.delta` per word,
 * `response.output_text.done`, `response.done` with usage, and a second
 * `rate_limits.updated` after the unused reservation went back.
 */
import {
  CONCURRENCY_REASON,
  EventIds,
  GATEWAY_REASON,
  RESOURCE_EXHAUSTED_REASON,
  errorEvent,
  expiryMessage,
  failedResponseDone,
  gatewayErrorEvent,
  rateLimitErrorEvent,
  rateLimitsEvent,
  usageOf,
  type ServerEvent,
} from './events.js';
import type { RealtimeDecision, RealtimeLimits } from './limits.js';
import type { RealtimeLimitName } from './settings.js';

/** How a session reaches its client. */
export interface SessionLink {
  send(event: ServerEvent): void;
  close(code: number, reason: string): void;
}

/** What a session needs from the server around it. */
export interface SessionContext {
  limits: RealtimeLimits;
  /** Monotonic milliseconds, the limits' clock. */
  clock: () => number;
  /** Wall-clock milliseconds since the epoch, for `expires_at`. */
  epochMs: () => number;
  /** Runs `action` after `delayMs`; returns a cancel function. */
  schedule(delayMs: number, action: () => void): () => void;
}

/** What each limit is called in refusal messages. */
const LIMIT_WORDS: Record<RealtimeLimitName, string> = {
  open: 'new connections per minute',
  sessions: 'concurrent sessions',
  turns: 'requests',
  tokens: 'tokens',
};

/** Rough tokens of text: one per four characters, at least one (the simulator's own estimate). */
function textTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** One session. Call start() once, receive() per client message, ended() when the socket closed. */
export class RealtimeSession {
  private readonly ids: EventIds;
  private responseCount = 0;
  private closed = false;
  private cancelExpiry: (() => void) | undefined;
  private instructions = 'You are a helpful assistant.';
  private readonly admitted: boolean;

  /**
   * `admission` is the open decision taken at the upgrade: admitted, or refused in
   * a style that needs an open socket (in-band error, a close code, or every
   * response failing).
   */
  constructor(
    readonly id: string,
    readonly model: string,
    private readonly link: SessionLink,
    private readonly context: SessionContext,
    private readonly admission: RealtimeDecision,
  ) {
    this.ids = new EventIds(`event_${id.slice(-6)}`);
    this.admitted = admission.admitted;
  }

  /** Sends `session.created`, or the refusal when the session was refused. */
  start(): void {
    const admission = this.admission;
    if (!admission.admitted) {
      const what = LIMIT_WORDS[admission.limit];
      switch (admission.style) {
        case 'in-band':
        case 'handshake':
        case 'handshake-bare':
          this.link.send(rateLimitErrorEvent(this.ids.take(), what, admission.retryAfterMs, null));
          this.finish(1000, 'rate limit exceeded');
          return;
        case 'close-1013':
        case 'close-4429':
        case 'gateway':
          this.closeRefused(admission.style, what);
          return;
        case 'response-failed':
          // The session opens as if all were well; every response of it fails.
          break;
      }
    }
    const maxMs = this.context.limits.settings.sessionMaxMs;
    this.link.send({
      type: 'session.created',
      event_id: this.ids.take(),
      session: {
        id: this.id,
        object: 'realtime.session',
        type: 'realtime',
        model: this.model,
        output_modalities: ['text'],
        instructions: this.instructions,
        expires_at: Math.floor((this.context.epochMs() + maxMs) / 1000),
      },
    });
    this.cancelExpiry = this.context.schedule(maxMs, () => this.expire());
  }

  /** One text frame from the client. */
  receive(text: string): void {
    if (this.closed) return;
    let event: { type?: unknown; event_id?: unknown; session?: unknown; response?: unknown };
    try {
      event = JSON.parse(text) as typeof event;
    } catch {
      this.link.send(errorEvent(this.ids.take(), 'invalid_request_error', 'invalid_json', 'The message is not valid JSON.'));
      return;
    }
    const clientEventId = typeof event.event_id === 'string' ? event.event_id : null;
    if (event.type === 'session.update') {
      const session = (event.session ?? {}) as { instructions?: unknown };
      if (typeof session.instructions === 'string') this.instructions = session.instructions;
      this.link.send({ type: 'session.updated', event_id: this.ids.take(), session: { id: this.id, object: 'realtime.session', model: this.model, instructions: this.instructions } });
      return;
    }
    if (event.type === 'response.create') {
      this.respond((event.response ?? {}) as { max_output_tokens?: unknown; instructions?: unknown }, clientEventId);
      return;
    }
    this.link.send(errorEvent(this.ids.take(), 'invalid_request_error', 'unknown_event', `The event type ${JSON.stringify(event.type)} is not supported by the simulator.`, clientEventId));
  }

  /** The socket closed (either side): frees the session's slot and stops its expiry. */
  ended(): void {
    if (this.cancelExpiry) this.cancelExpiry();
    this.cancelExpiry = undefined;
    if (this.admitted && !this.released) {
      this.released = true;
      this.context.limits.closeSession(this.context.clock());
    }
    this.closed = true;
  }

  private released = false;

  private respond(request: { max_output_tokens?: unknown; instructions?: unknown }, clientEventId: string | null): void {
    const limits = this.context.limits;
    const settings = limits.settings;
    this.responseCount++;
    const responseId = `resp_${this.id.slice(-6)}_${this.responseCount}`;
    const maxOutput = typeof request.max_output_tokens === 'number' && request.max_output_tokens > 0 ? Math.floor(request.max_output_tokens) : settings.defaultReservation;
    const instructions = typeof request.instructions === 'string' ? request.instructions : this.instructions;
    const inputTokens = textTokens(instructions);
    const reserved = inputTokens + maxOutput;
    const now = this.context.clock();

    if (!this.admitted) {
      // A session refused in the response-failed style: it never gets an answer.
      this.link.send({ type: 'response.created', event_id: this.ids.take(), response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } });
      this.link.send(failedResponseDone(this.ids.take(), responseId));
      return;
    }
    const decision = limits.startResponse(now, reserved);
    if (!decision.admitted) {
      this.refuseResponse(decision, responseId, clientEventId);
      return;
    }
    this.link.send({ type: 'response.created', event_id: this.ids.take(), response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } });
    this.sendRateLimits(now);
    const answer = (): void => this.answer(responseId, maxOutput, inputTokens, reserved);
    if (settings.answerMs > 0) this.context.schedule(settings.answerMs, answer);
    else answer();
  }

  /** The answer of an admitted response: text deltas, response.done with usage, the refund. */
  private answer(responseId: string, maxOutput: number, inputTokens: number, reserved: number): void {
    const limits = this.context.limits;
    if (this.closed) {
      // The session closed before its answer: the response never ran; only its input counts.
      limits.finishResponse(this.context.clock(), reserved, inputTokens);
      return;
    }
    const settings = limits.settings;
    const words = ['Hello', 'from', 'the', 'aoai-probe', 'simulator', 'realtime', 'session', 'answer'];
    const outputTokens = Math.min(maxOutput, settings.answerWords);
    const itemId = `item_${this.id.slice(-6)}_${this.responseCount}`;
    const parts: string[] = [];
    this.link.send({ type: 'response.output_item.added', event_id: this.ids.take(), response_id: responseId, output_index: 0, item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
    for (let index = 0; index < outputTokens; index++) {
      const delta = `${index === 0 ? '' : ' '}${words[index % words.length]!}`;
      parts.push(delta);
      this.link.send({ type: 'response.output_text.delta', event_id: this.ids.take(), response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta });
    }
    const text = parts.join('');
    this.link.send({ type: 'response.output_text.done', event_id: this.ids.take(), response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, text });
    const item = { id: itemId, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] };
    this.link.send({ type: 'response.output_item.done', event_id: this.ids.take(), response_id: responseId, output_index: 0, item });
    const doneAt = this.context.clock();
    limits.finishResponse(doneAt, reserved, inputTokens + outputTokens);
    this.link.send({
      type: 'response.done',
      event_id: this.ids.take(),
      response: { id: responseId, object: 'realtime.response', status: 'completed', status_details: null, output: [item], usage: usageOf(inputTokens, outputTokens) },
    });
    this.sendRateLimits(doneAt);
  }

  private refuseResponse(decision: Extract<RealtimeDecision, { admitted: false }>, responseId: string, clientEventId: string | null): void {
    const what = LIMIT_WORDS[decision.limit];
    switch (decision.style) {
      case 'handshake':
      case 'handshake-bare':
      case 'in-band':
        // A response cannot be refused at the handshake: it comes as an in-band error.
        this.link.send(rateLimitErrorEvent(this.ids.take(), what, decision.retryAfterMs, clientEventId));
        this.sendRateLimits(this.context.clock());
        return;
      case 'response-failed':
        this.link.send({ type: 'response.created', event_id: this.ids.take(), response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } });
        this.link.send(failedResponseDone(this.ids.take(), responseId));
        this.sendRateLimits(this.context.clock());
        return;
      case 'close-1013':
      case 'close-4429':
      case 'gateway':
        this.closeRefused(decision.style, what);
        return;
    }
  }

  /** The refusal styles that end the session, at its opening or at a response alike. */
  private closeRefused(style: 'close-1013' | 'close-4429' | 'gateway', what: string): void {
    if (style === 'close-1013') this.finish(1013, RESOURCE_EXHAUSTED_REASON);
    else if (style === 'close-4429') this.finish(4429, CONCURRENCY_REASON);
    else {
      this.link.send(gatewayErrorEvent(this.ids.take(), what));
      this.finish(1011, GATEWAY_REASON);
    }
  }

  private sendRateLimits(nowMs: number): void {
    const figures = this.context.limits.rateLimits(nowMs);
    if (figures.length > 0) this.link.send(rateLimitsEvent(this.ids.take(), figures));
  }

  private expire(): void {
    if (this.closed) return;
    const message = expiryMessage(this.context.limits.settings.sessionMaxMs);
    this.link.send(errorEvent(this.ids.take(), 'invalid_request_error', 'session_expired', message));
    this.finish(1001, message);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.link.close(code, reason);
    this.ended();
  }
}
