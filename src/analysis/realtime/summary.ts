/**
 * The realtime part of the summary (docs/realtime.md): sessions opened and
 * refused by class, the concurrency cap, the open-rate limit, responses and tokens
 * per minute, and the bucket `rate_limits.updated` implies.
 */
import type { Confidence, LimiterShape } from '../summary-types.js';
import type { SessionClass } from './classes.js';

/** `summary.realtime`: present when the recording has sessions. */
export interface RealtimeSummary {
  sessions: {
    /** Sessions that reached their first server event (`session.created`). */
    opened: number;
    /** Sessions refused before they could be used (at the handshake, or closed at once). */
    refused: number;
    /** Refusals and abnormal ends by class: sessions, and responses refused inside open sessions. */
    byClass: Record<SessionClass, number>;
  };
  /** Sessions held at once when the service began to refuse more; null when it never did. */
  concurrency: { cap: number | null; confidence: Confidence };
  /** New sessions: burst from idle, sustained per minute, recovery window and shape, fitted like request limits. */
  openRate: { burst: number | null; perMinute: number | null; windowSeconds: number | null; shape: LimiterShape; confidence: Confidence };
  /** Responses (`response.create`) and their tokens admitted per minute, fitted like request and token limits. */
  turns: { perMinute: number | null; tokensPerMinute: number | null };
  /** The bucket `rate_limits.updated` describes (tokens when sent, else requests). */
  bucket: { limit: number | null; refillPerSecond: number | null; reservedTokens: number | null };
}
