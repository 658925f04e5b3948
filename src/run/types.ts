/**
 * Contracts between the runner, the transport and the commands that drive them.
 * The runner decides *when*; the transport decides *how*; neither knows about files,
 * tables or process.
 */
import type { PayloadOverrides } from '../schedule/types.js';
import type { Clock } from './pacing/clock.js';
import type { PayloadDescription, RecordSink, RequestLine, TargetKind } from '../record/types.js';

/** Secrets for a target. Held in memory only; never written anywhere (see src/record/redact.ts). */
export interface TargetAuth {
  /** Sent as the `api-key` header (Azure key auth). */
  apiKey?: string;
  /** Sent as `Authorization: Bearer <token>` (Entra ID, OpenAI keys). */
  bearer?: string;
  /** `--entra`: tokens come from the Azure credential chain; the session fills `bearerSource`. */
  entra?: boolean;
  /** A token that changes during the run (src/run/bearer-tokens.ts); read for every request. */
  bearerSource?: { current(): string };
}

/** Where requests go. Built by src/run/target.ts from flags or environment. */
export interface TargetSpec {
  id: string;
  kind: TargetKind;
  /** The full request URL, query included. May hold a secret in the query: redact before recording. */
  url: string;
  deployment: string | null;
  auth: TargetAuth;
  /** Simulator profile name when the target is the embedded simulator. */
  profile?: string;
}

/** Per-phase or per-request changes to the payload defaults (declared with the phases, src/schedule/types.ts). */
export type { PayloadOverrides } from '../schedule/types.js';

/** The payload every request of a run starts from. */
export type PayloadSpec = PayloadDescription & {
  /** A fixed JSON body from --body FILE (kind "body"). */
  body?: unknown;
};

/** One request the runner asks the transport to send. */
export interface SendRequest {
  seq: number;
  phase: string;
  target: string;
  plannedMs: number;
  payload?: PayloadOverrides;
  /** The shot's tags (src/run/source.ts): the loop merges them into the line; a sender may read them. */
  tags?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Sends HTTP requests and turns every outcome, good or bad, into a RequestLine: the
 * loop's Sender (src/run/source.ts) for HTTP, plus `close`.
 */
export interface Transport {
  /**
   * Opens (and warms) up to `connections` connections before a burst's instant, so the
   * burst measures the limiter and not TCP handshakes, without spending the target's quota.
   */
  prepare(connections: number): Promise<void>;
  /** Never rejects: failures become `errorKind` on the returned line. */
  send(request: SendRequest, signal: AbortSignal): Promise<RequestLine>;
  close(): Promise<void>;
}

/** Options of one runner pass over a planned sequence of requests. */
export interface RunnerOptions {
  clock: Clock;
  transport: Transport;
  sink: RecordSink;
  /** In-flight ceiling: a planned request that finds it reached becomes a `dropped` line. */
  maxInFlight: number;
  /** First stage of stopping: no new request is started once this aborts. */
  stopSignal?: AbortSignal;
  /** Second stage: in-flight requests are cut (errorKind "aborted") once this aborts. */
  abortSignal?: AbortSignal;
  /** After the plan ends (or the stop), how long in-flight requests may still finish, ms. */
  graceMs: number;
}
