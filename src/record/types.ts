/**
 * The recording format, version 1 (docs/recording.md). One JSON object per line.
 *
 * Why this file matters: the recording is the contract between running and
 * analysing. The runner only writes these lines; the analysis only reads them.
 * Changes here must be additive (new optional fields, new line types that old
 * readers may skip); anything else needs a new `v`.
 */

/** The only recording version this build writes; readers refuse others. */
export const RECORDING_VERSION = 1 as const;

/** Stable codes for requests that did not end in an HTTP answer we could read. */
export type ErrorKind =
  | 'timeout' // no answer within --timeout
  | 'reset' // connection reset or closed mid-request / mid-body
  | 'refused' // ECONNREFUSED
  | 'dns' // name resolution failed
  | 'tls' // TLS handshake or certificate failure
  | 'aborted' // cut by the run's own stop (second Ctrl-C, grace period over)
  | 'bad-body' // an HTTP answer whose body could not be parsed as promised (invalid JSON, truncated SSE)
  | 'http' // an HTTP status outside 2xx that is not a refusal (4xx other than 429, 5xx other than 503)
  | 'other'; // anything else; the message is kept in `error.message`

/** What kind of endpoint a target is; decides URL shape and header expectations. */
export type TargetKind = 'azure' | 'openai' | 'simulator' | 'http' | 'realtime';

/** Advertised limits as the user (or the headers, or the simulator) stated them. */
export interface AdvertisedLimits {
  tpm: number | null;
  rpm: number | null;
  /** Where the figures came from: command-line flags, the simulator's profile, or nothing. */
  source: 'flags' | 'simulator' | 'scenario' | 'none';
}

/** A target as written to the recording: never a key, token or secret query parameter. */
export interface TargetDescription {
  /** Short id used in request lines (`target` field), e.g. "default" or "eastus". */
  id: string;
  kind: TargetKind;
  /** The request URL with secrets removed (see src/record/redact.ts). */
  url: string;
  deployment: string | null;
  /** Simulator profile when kind is "simulator". */
  profile?: string;
  /**
   * The forward proxy the requests went through, when one did: host and port only
   * (never its credentials), and whether `--proxy` or the environment named it.
   * Absent for direct connections. Additive in version 1.
   */
  proxy?: { host: string; source: 'flag' | 'environment' };
}

/** First line of every recording. */
export interface RunLine {
  type: 'run';
  v: typeof RECORDING_VERSION;
  tool: { name: 'aoai-probe'; version: string };
  /** The command that made the recording: burst, steady, ramp, probe, run. */
  command: string;
  /** Wall-clock start, ISO 8601. All `*Ms` times in the file are relative to it (monotonic clock). */
  startedAt: string;
  advertised: AdvertisedLimits;
  targets: TargetDescription[];
  /** Payload defaults for the run (model, maxTokens, promptTokens, stream, kind). */
  payload: PayloadDescription;
  /** The scenario as validated (for `run`), or the flags that shaped the run; secrets removed. */
  scenario?: unknown;
  /** A shard of a split run (docs/sharding.md): who this worker was and how its clock related to the others'. Absent for an unsplit run. */
  shard?: ShardIdentity;
}

/**
 * One worker of a sharded run, as its run line names it. `report` merges the shards'
 * recordings on one clock with these figures: a recording's times count from
 * `clockZeroEpochMs` on the worker's wall clock, and `offsetMs` is added to reach the
 * coordinator's.
 */
export interface ShardIdentity {
  /** Which share of the plan it ran, from 0. */
  index: number;
  /** Into how many shares the plan was split. */
  count: number;
  /** The machine's host name (a Kubernetes pod name, a runner's name). */
  host: string;
  /** A free label for the worker (a region, a runner pool); null when none was given. */
  label: string | null;
  /** The coordinator's clock minus this worker's, ms; 0 for the coordinator itself; null when no offset was measured. */
  offsetMs: number | null;
  /** Bound on the error of `offsetMs`: half the round trip of the best exchange, ms; 0 for the coordinator; null when not measured. */
  offsetErrorMs: number | null;
  /** Wall-clock time (this worker's clock, epoch ms with decimals) of the recording's time 0: finer than `startedAt`. */
  clockZeroEpochMs: number;
  /** The shared start the shards aimed at, ISO 8601 on the coordinator's clock; null for shards that started at once. */
  startAt: string | null;
}

/** What the requests carried, so analysis can reason about token charges. */
export interface PayloadDescription {
  kind: 'chat' | 'embeddings' | 'responses' | 'body';
  model: string | null;
  maxTokens: number | null;
  promptTokens: number | null;
  stream: boolean;
}

/**
 * Marks the start of a phase: a named experiment or scenario step. The probe
 * writes one per experiment so that `report` can re-derive its conclusions from
 * the file alone.
 */
export interface PhaseLine {
  type: 'phase';
  name: string;
  kind: 'burst' | 'steady' | 'ramp' | 'pause' | 'probe' | 'sessions' | 'session-ramp' | 'turns';
  /** Offset of the phase start from run start, ms. */
  startMs: number;
  /** Parameters of the experiment: size, rate, duration, maxTokens, purpose... plain values only. */
  params: Record<string, string | number | boolean | null>;
}

/** One line per request that actually left the machine (or was attempted). */
export interface RequestLine {
  type: 'request';
  seq: number;
  phase: string;
  target: string;
  /** When the schedule wanted it sent, ms from run start. */
  plannedMs: number;
  /** When the transport handed it to the socket, ms from run start. */
  sentMs: number;
  /** First byte of the response head, or null when none arrived. */
  firstByteMs: number | null;
  /** Body fully read (or the failure seen), ms from run start. */
  doneMs: number;
  /** HTTP status, or null when no answer arrived. */
  status: number | null;
  errorKind: ErrorKind | null;
  /**
   * Response headers whose names match the rate-limit families (docs/summary.md), request
   * ids, region, deployment and utilization. Lower-case names, raw string values.
   */
  headers: Record<string, string>;
  /**
   * The error body's fields (trimmed), or a transport error message. `shape` is
   * "flat" when the body had no `error` wrapper (`{"statusCode":429,"message":…}`, as
   * API Management's own refusals): Azure OpenAI wraps its errors, so a flat body says
   * a gateway answered; "text" when the body was not JSON at all (an HTML page, plain
   * text: a proxy's page, not the API's). Absent for wrapped bodies and transport errors.
   */
  error: { code: string | null; message: string | null; type: string | null; shape?: 'flat' | 'text' } | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  /** Our own estimate of the tokens the limiter charges at admission (prompt estimate + max_tokens). */
  estimatedTokens: number;
  maxTokens: number | null;
  /** The unique x-ms-client-request-id we sent. */
  clientRequestId: string;
  /**
   * When the content of a streamed (SSE) 2xx answer arrived; absent for answers that
   * were not an event stream. Added in version 1 (additive): older lines lack it.
   */
  stream?: StreamTiming;
  /**
   * Retrying callers (`aoai-probe retry`, `--retry`): which caller this attempt served,
   * counted from 0 within its policy. Absent on requests that no caller retries.
   */
  caller?: number;
  /** The caller's attempt number: 1 for its first request, 2 for its first retry. */
  attempt?: number;
  /** The retry policy the caller followed, as run (`exponential:cap=4s`). */
  policy?: string;
  /** How long the caller waited after its previous attempt's answer before this one, ms (0 on attempt 1). */
  waitedMs?: number;
}

/**
 * Arrival times of a streamed answer's content chunks, for the time-to-first-token,
 * time-between-tokens and output-speed figures (see docs in README "Latency figures").
 *
 * A content chunk is an event that carries generated text: a chat `delta.content`
 * (or a tool call's arguments), a Responses API `response.output_text.delta`, an
 * Anthropic `content_block_delta`. The role-only first chunk, usage and the end
 * marker are not content. Times are those of the network read that delivered the
 * event, so events that came in one read are 0 ms apart.
 *
 * Why the gaps are bounded: a long answer has thousands of chunks, and a recording
 * must stay small. At most {@link MAX_STREAM_GAPS} gaps are kept, in arrival order;
 * when a stream has more, only every `gapsEvery`-th gap is kept (gaps number 0,
 * every, 2·every, …), `gapsEvery` doubling each time the list fills. Each kept gap
 * stands for `gapsEvery` gaps in the percentiles.
 */
export interface StreamTiming {
  /** Arrival of the first content chunk, ms from run start; null when no content came. */
  firstTokenMs: number | null;
  /** Arrival of the last content chunk, ms from run start; null when no content came. */
  lastTokenMs: number | null;
  /** Content chunks received. */
  chunks: number;
  /** Gaps between consecutive content chunks, ms (two decimals), sampled as described above. */
  gapsMs: number[];
  /** How many gaps each kept gap stands for: 1 until the list first filled. */
  gapsEvery: number;
}

/** Most inter-chunk gaps one request line keeps (see {@link StreamTiming}). */
export const MAX_STREAM_GAPS = 256;

/** A planned request not sent because the in-flight ceiling (or the budget) was reached. */
export interface DroppedLine {
  type: 'dropped';
  seq: number;
  phase: string;
  target: string;
  plannedMs: number;
  reason: 'max-in-flight' | 'budget' | 'stopped';
}

/** Last line of a complete recording. */
export interface EndLine {
  type: 'end';
  reason: 'completed' | 'interrupted' | 'budget' | 'error';
  /** ms from run start. */
  endMs: number;
  /** Number of request lines written; lets a reader detect lost lines. */
  sent: number;
  dropped: number;
  /** Planned requests never started because the run stopped first (interrupt, budget); not on the wire. */
  unsent?: number;
  message?: string;
}

/** Who ended a WebSocket session: we did, the server sent a close frame, or the connection just went away. */
export type SessionClosedBy = 'client' | 'server' | 'network';

/** One `rate_limits.updated` event as received. */
export interface SessionRateLimits {
  /** Receive time, ms from run start. */
  atMs: number;
  /** The event's entries (name, limit, remaining, reset_seconds), as sent. */
  limits: Array<{ name: string; limit: number | null; remaining: number | null; resetSeconds: number | null }>;
}

/** An `error` event, or a failed `response.done`, inside a session. */
export interface SessionError {
  code: string | null;
  /** Trimmed and redacted. */
  message: string | null;
  /** The error's type, e.g. invalid_request_error or guardrail_error. */
  type: string | null;
  /** Where it came from: an `error` event, or the status_details of a failed `response.done`. */
  source: 'error' | 'response';
  atMs: number;
}

/**
 * One WebSocket session (realtime API or any ws:// URL): added in v1, old readers
 * skip it. All times are ms from run start; null when that moment never came.
 */
export interface SessionLine {
  type: 'session';
  /** Session number within the run, from 1. */
  sid: number;
  phase: string;
  target: string;
  /** When the schedule wanted it opened. */
  plannedMs?: number;
  /** When the upgrade request was sent. */
  askedMs: number;
  /** When the 101 (or the refusal's status line) arrived. */
  openMs: number | null;
  /** First server event after the upgrade. */
  firstEventMs: number | null;
  /** When the socket closed (or was given up). */
  closeMs: number;
  /** The HTTP status of the upgrade: 101, 429…; null when no answer came. */
  handshakeStatus: number | null;
  /** Rate-limit-family headers of the 101 or of the refusal (lower-case names). */
  headers: Record<string, string>;
  /** The close code, or null when none was received (a network drop, a refused handshake). */
  closeCode: number | null;
  /** The close reason, trimmed and redacted. */
  closeReason: string | null;
  closedBy: SessionClosedBy;
  /** Text frames received and sent. */
  framesIn: number;
  framesOut: number;
  /** Server's session id from `session.created`, when it sent one. */
  serverSessionId?: string | null;
  /** `expires_at` of `session.created` (epoch seconds), when sent. */
  expiresAt?: number | null;
  rateLimits: SessionRateLimits[];
  errors: SessionError[];
  /** A transport failure before or instead of a close (timeout, refused, tls…). */
  errorKind?: ErrorKind | null;
  /** True when no server event came within the session's event timeout. */
  silent?: boolean;
}

/** One `response.create` and its outcome, inside a session. */
export interface TurnLine {
  type: 'turn';
  sid: number;
  /** Turn number within the session, from 1. */
  turn: number;
  phase: string;
  target: string;
  sentMs: number;
  /** `response.done` (or the refusal) ms from run start; null when none came. */
  doneMs: number | null;
  /**
   * completed / failed / incomplete / cancelled as `response.done` said; `error`
   * for an in-band error instead; `closed` when the socket closed first;
   * `timeout` when nothing came in time.
   */
  status: string;
  error: { code: string | null; message: string | null; type: string | null } | null;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number } | null;
  /** max_output_tokens asked for (the reservation). */
  maxOutputTokens: number | null;
}
/**
 * Prefix of a retry policy's parameter in a phase line's params (`policy.base: "500ms"`):
 * the retry lab writes its phases' parameters so, and the analysis reads them back.
 */
export const POLICY_PARAM_PREFIX = 'policy.';

/** Any line of a version-1 recording. */
export type RecordLine = RunLine | PhaseLine | RequestLine | DroppedLine | EndLine | SessionLine | TurnLine;

/** Something that accepts recording lines as they happen (the file writer, a test array, a live fold). */
export interface RecordSink {
  write(line: RecordLine): void;
}
