/**
 * One request of the lean transport and its answer. Reading the answer into the
 * RequestLine is the ResponseReader half (response-reader.ts), the same code the
 * undici transport's exchange uses, so a recording cannot tell which transport
 * wrote it; lean-connection.ts's parser feeds it (readHeaders, readBody,
 * readComplete). What is lean-only lives here: waiting for a connection, the
 * deadline the transport's sweep checks, and cutting the connection on failure.
 */
import type { AbortGroup } from './in-flight.js';
import type { PreparedPayload } from './payload.js';
import { ResponseReader, type ResponseRules } from './response-reader.js';
import type { SendRequest } from '../types.js';

/** What every exchange of one lean transport shares. */
export interface LeanExchangeContext extends ResponseRules {
  /** Called once when the exchange settles, whatever the outcome: forget it everywhere. */
  release(exchange: LeanExchange): void;
}

/** The part of a connection an exchange needs: cutting it when the exchange fails from outside. */
export interface ExchangeCarrier {
  /** The exchange gave up (timeout, abort): the connection cannot be reused mid-answer. */
  abandon(exchange: LeanExchange): void;
}

/** One request and its answer; `line` resolves exactly once and never rejects. */
export class LeanExchange extends ResponseReader {
  /** Transport bookkeeping: the abort group it belongs to. */
  group: AbortGroup<LeanExchange> | null = null;
  /** The connection carrying it, once written; null while it waits for one. */
  carrier: ExchangeCarrier | null = null;
  /** Clock time after which the sweep fails it with `timeout`. */
  readonly deadlineMs: number;

  constructor(
    private readonly context: LeanExchangeContext,
    request: SendRequest,
    payload: PreparedPayload,
    clientRequestId: string,
    handedOffMs: number,
    timeoutMs: number,
  ) {
    super(context, request, payload, clientRequestId, handedOffMs);
    // Like the undici transport, the timeout counts from the hand-off (waiting for a connection included).
    this.deadlineMs = handedOffMs + timeoutMs;
  }

  /** Ends the exchange now with `reason` and cuts its connection if it was written. */
  fail(reason: Error): void {
    if (this.settled) return;
    const carrier = this.carrier;
    this.carrier = null;
    this.settleWithError(reason);
    carrier?.abandon(this);
  }

  protected onSettled(): void {
    this.context.release(this);
  }
}
