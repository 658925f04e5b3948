import type { RealtimeSummary } from './realtime/summary.js';
/**
 * The summary JSON (docs/summary.md), schema "aoai-probe/summary@1".
 *
 * Users' CI scripts read these names: add fields, never rename or remove them.
 * Every figure here is computed by src/analysis from recording lines alone, so a
 * live run and `aoai-probe report saved.ndjson` produce the same object.
 */
import type { CallerCounts, RetrySummary } from './retry/types.js';
import type { ShardIdentity, TargetKind } from '../record/types.js';
import type { OutputSpeed, Percentiles, PhaseTargetLatency } from './llm-latency.js';

/** Refusal classes (docs/summary.md). */
export type RefusalClass = 'requests' | 'tokens' | 'capacity' | 'never' | 'quota' | 'gateway' | 'unknown';

/** The limiter shapes the analysis can tell apart. */
export type LimiterShape = 'token-bucket' | 'fixed-window' | 'sliding-window' | 'concurrency' | 'none-observed' | 'unknown';

/** How much the evidence supports a figure. `none` goes with null figures. */
export type Confidence = 'high' | 'medium' | 'low' | 'none';

/** Effective request limits, as measured. */
export interface EffectiveRequests {
  /** Most requests admitted at one instant after idle. */
  burst: number | null;
  /** Highest steady rate admitted in full over the long run (requests per second). */
  perSecond: number | null;
  /** Time for full recovery after exhaustion when nothing more is sent, seconds. */
  windowSeconds: number | null;
  shape: LimiterShape;
  confidence: Confidence;
  /**
   * Offered rate (requests per second) when a ramp met its first refusal: the knee.
   * Null or absent when no ramp was refused.
   */
  kneePerSecond?: number | null;
  /**
   * The probe's overdrive: a pace it offered well above perSecond, from exhaustion, and
   * the rate admitted at that pace (src/analysis/inference/overdrive.ts). Below perSecond
   * when pushing past the limit costs throughput. Null or absent when not measured.
   */
  overdriveOfferedPerSecond?: number | null;
  overdriveAdmittedPerSecond?: number | null;
}

/** Effective token limits, as measured (nulls when the token dimension was not probed). */
export interface EffectiveTokens {
  /** Estimated tokens admitted from idle before the first token refusal. */
  burst: number | null;
  /** Long-run admitted (estimated) tokens per minute. */
  perMinute: number | null;
  /** Time for the token budget to come back, seconds. */
  windowSeconds: number | null;
  confidence: Confidence;
}

/** The summary of one run (or of several recordings merged). */
export interface Summary {
  schema: 'aoai-probe/summary@1';
  /** The command that produced the recording(s). */
  command: string;
  target: { url: string; kind: TargetKind };
  advertised: {
    tpm: number | null;
    rpm: number | null;
    requestsPer10s: number | null;
    requestsPer1s: number | null;
    /** flags | headers | simulator | scenario | unknown */
    source: string;
  };
  requests: {
    sent: number;
    ok: number;
    throttled: number;
    failed: number;
    dropped: number;
    /** Failed requests by what went wrong: HTTP status as digits ("401", "301") or errorKind ("reset", "timeout", "bad-body"); src/analysis/failures.ts. */
    failedBy?: Record<string, number>;
  };
  throttled: {
    ratio: number;
    firstSeq: number | null;
    /**
     * The first refusal's place in the order requests reached the limiter, as a seq-like
     * index: within a burst instant, the instant's admitted answers come first (the
     * server picks the order within one instant). Equal to firstSeq outside bursts.
     */
    firstInArrivalOrder?: number | null;
    byClass: Record<RefusalClass, number>;
    retryAfterMs: { min: number | null; p50: number | null; max: number | null };
    /** Refusals that arrived while the last remaining-* header seen still showed capacity. */
    whileHeadersShowedCapacity: number;
  };
  effective: { requests: EffectiveRequests; tokens: EffectiveTokens };
  headers: {
    /** The window the remaining-requests header appears to count (e.g. 10 when it starts at RPM/6). */
    requestsWindowSeconds: number | null;
    limitRequests: number | null;
    limitTokens: number | null;
    /** The first remaining-requests / remaining-tokens values seen (before our own charge was known). */
    firstRemainingRequests: number | null;
    firstRemainingTokens: number | null;
    /** Which header families were seen: azure, openai, anthropic, ietf, x-ratelimit, retry-after, none. */
    families: string[];
  };
  /** Milliseconds, admitted requests only: end-to-end (sent → last byte), then the LLM figures (src/analysis/llm-latency.ts). */
  latency: {
    p50: number | null;
    p95: number | null;
    p99: number | null;
    max: number | null;
    /** Sent → first content token of a streamed answer; sent → first byte for one not streamed. */
    firstToken?: Percentiles;
    /** Sent → first byte of the response head. */
    firstByte?: Percentiles;
    /** Between consecutive content chunks of streamed answers; nulls when nothing was streamed. */
    betweenTokens?: Percentiles;
  };
  /** The same latency figures per phase and target, in the order first seen. */
  latencyByPhase?: PhaseTargetLatency[];
  /** How precisely the plan was executed. */
  schedule: {
    sendSpreadMs: number | null;
    lagP99Ms: number | null;
    /**
     * Merged shard recordings only (docs/sharding.md): how far apart the shards started,
     * ms — the largest spread, over the phases, of the shards' start errors (each the
     * least `sentMs − plannedMs` of its requests, on the offset-corrected clock and the
     * lined-up instants); null with fewer than two shards.
     */
    crossShardSpreadMs?: number | null;
  };
  /** Tokens: the estimated charge (of admitted requests; of everything sent) and the billed usage the server reported. */
  tokens: {
    /** Estimated charge of the admitted requests. */
    estimatedCharged: number;
    billed: number;
    /** Estimated charge of every request sent, admitted or not. */
    estimatedSent?: number;
    /** Output tokens per second: the median admitted request's, and over the whole run. */
    outputPerSecond?: OutputSpeed;
  };
  /** One or more plain sentences a person can act on. */
  verdict: string;
  /** Path of the NDJSON recording (or recordings, comma-separated, for a merged report). */
  recording: string;
  /** How the recording ended: completed, interrupted, budget, error, or truncated. */
  ended: string;
  /** Wall-clock length of the run, seconds. */
  durationSeconds: number;
  /** WebSocket sessions (realtime API or any ws:// URL); present only when the recording has sessions. */
  realtime?: RealtimeSummary;
  /** Retrying callers (the retry lab, --retry): how many got their one answer; absent otherwise. */
  callers?: CallerCounts;
  /** The retry lab's per-policy figures, best policy and rule; absent when no caller retried. */
  retry?: RetrySummary;
  /**
   * The same top-level figures for each target of the run, by target id (one entry
   * for a one-target run). Absent in summaries written before several targets existed.
   */
  byTarget?: Record<string, GroupSummary>;
  /**
   * The same figures for each region that answered (`x-ms-region`, else
   * `x-ms-deployment-name` when an answer has no region), keyed by the
   * region's name in lower case without spaces ("East US" → "eastus"). Answers
   * without the header (transport failures, a gateway's own refusals) are in no region.
   */
  byRegion?: Record<string, GroupSummary>;
  /** What the answers say about a gateway between the client and the deployments. */
  gateway?: GatewaySummary;
  /**
   * Merged shard recordings only (docs/sharding.md): each shard's own figures and clock,
   * keyed by shard index ("0", "1"…). The top-level figures are the merged ones.
   */
  byShard?: Record<string, ShardSummary>;
}

/**
 * One shard of a merged run: who it was and how its clock was placed (the identity its
 * recording's run line carries, docs/recording.md), and its own figures.
 */
export interface ShardSummary extends GroupSummary, Pick<ShardIdentity, 'index' | 'count' | 'host' | 'label' | 'offsetMs' | 'offsetErrorMs'> {
  /** How much later than the earliest shard this one kept the plan (its least start error minus theirs), ms. */
  startedAfterMs: number | null;
}

/** The top-level figures of a summary for one target or one region. */
export interface GroupSummary {
  /** The region as the header spelled it (byRegion only), e.g. "East US". */
  name?: string;
  requests: Summary['requests'];
  throttled: Summary['throttled'];
  effective: Summary['effective'];
  headers: Summary['headers'];
  latency: Summary['latency'];
}

/** What kind of path the answers came through. */
export type GatewayKind = 'none' | 'apim' | 'other' | 'unknown';

/** One sign of a gateway, read from the answers. */
export interface GatewaySign {
  /** Stable code: region-change, limit-jump, remaining-rises, flat-refusal-body, retry-after-only, breaker-503, quota-403, failover-latency, gateway-header, stripped-headers. */
  code: string;
  /** How many answers (or events) showed it. */
  count: number;
  /** One sentence for people. */
  text: string;
}

/** A change of answering region for one target: the gateway sent this request elsewhere. */
export interface Failover {
  /** When the first answer from the new region came back, ms from run start. */
  atMs: number;
  target: string;
  from: string;
  to: string;
}

/** The gateway reading of a summary. */
export interface GatewaySummary {
  detected: boolean;
  kind: GatewayKind;
  signs: GatewaySign[];
  failovers: Failover[];
  /** Rate-limit headers a direct Azure OpenAI answer carries that none of these answers did. */
  strippedHeaders: string[];
}
