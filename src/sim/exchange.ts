/**
 * One request on its way through the simulator: what the handler has learned so
 * far and the headers every answer to it will carry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from './routes.js';

/** Everything one request carries through the steps of its handling. */
export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  /** undefined when the path names no API. */
  route: Route | undefined;
  /** The path without its query (the query may hold a key: never logged). */
  path: string;
  /** Request ids, region, deployment: sent with whatever the answer turns out to be. */
  baseHeaders: Record<string, string>;
  deployment: string | undefined;
  /** performance.now() at arrival, for the log line (0 when not logging). */
  startedMs: number;
  /** performance.now() at arrival, for `--record-to` (0 when not recording). */
  arrivedAt: number;
  /** What the answer reports and was charged, for `--record-to`. */
  usage?: { promptTokens: number; completionTokens: number };
  charge?: number;
  maxTokens?: number | null;
}
