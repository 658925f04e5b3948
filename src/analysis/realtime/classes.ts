/**
 * The refusal classes of WebSocket sessions and of the responses inside them
 * (docs/realtime.md): which of the many ways a realtime service says "no" a
 * session or a response met. One class per session (the first that explains it,
 * in the order below) and one per refused response.
 *
 * Why this order: a refusal at the handshake is final; a close code is the
 * server's last word and more specific than the in-band error that often comes
 * before it (a gateway's `guardrail_error` then 1011 is an internal close); a
 * session that ended by expiry is not a rate limit at all.
 */
import type { SessionLine, TurnLine } from '../../record/types.js';

/** Every class, in the order the summary lists them. */
export const SESSION_CLASSES = [
  'handshake-429',
  'handshake-other',
  'in-band',
  'response-failed',
  'try-again-later',
  'custom-4xxx',
  'policy',
  'internal',
  'session-expired',
  'silent-hang',
] as const;

/** One of SESSION_CLASSES. */
export type SessionClass = (typeof SESSION_CLASSES)[number];

/** Close codes that mean nothing went wrong: normal closure and going away (without the expiry message). */
const NORMAL_CLOSES: ReadonlySet<number> = new Set([1000, 1001, 1005]);
const EXPIRY_WORDING = /maximum duration|session[_ ]expired/i;
const RESOURCE_EXHAUSTED = /ResourceExhausted/i;
const RATE_LIMIT_CODE = /rate_limit|rate limit|too many requests|inference_rate_limit_exceeded|429/i;

/** Whether an error (code and message) is a rate-limit refusal. */
export function isRateLimitError(error: { code: string | null; message: string | null } | null): boolean {
  if (error === null) return false;
  return RATE_LIMIT_CODE.test(error.code ?? '') || RATE_LIMIT_CODE.test(error.message ?? '');
}

/** The class of a session, or null when it opened and closed without a refusal. */
export function classifySession(session: SessionLine): SessionClass | null {
  const status = session.handshakeStatus;
  if (status !== null && status !== 101) return status === 429 ? 'handshake-429' : 'handshake-other';
  if (status === null) return session.silent ? 'silent-hang' : 'handshake-other';
  const code = session.closeCode;
  const reason = session.closeReason ?? '';
  const errors = Array.isArray(session.errors) ? session.errors : [];
  if (errors.some((error) => error.code === 'session_expired') || (code === 1001 && EXPIRY_WORDING.test(reason))) return 'session-expired';
  if (code === 1013 || RESOURCE_EXHAUSTED.test(reason)) return 'try-again-later';
  if (code !== null && code >= 4000 && code <= 4999) return 'custom-4xxx';
  if (code === 1008) return 'policy';
  if (code === 1011) return 'internal';
  if (errors.some((error) => error.source === 'error' && isRateLimitError(error))) return 'in-band';
  if (errors.some((error) => error.source === 'response' && isRateLimitError(error))) return 'response-failed';
  if (session.silent) return 'silent-hang';
  if (code !== null && !NORMAL_CLOSES.has(code) && session.closedBy === 'server') return 'internal';
  return null;
}

/** Whether the session was refused before it could be used (never reached its first event, or was refused at once). */
export function refusedAtOpen(session: SessionLine, sessionClass: SessionClass | null): boolean {
  if (sessionClass === null || sessionClass === 'session-expired') return false;
  if (sessionClass === 'handshake-429' || sessionClass === 'handshake-other') return true;
  // A session that never saw session.created was refused at open, whatever it was told.
  return session.serverSessionId === null || session.serverSessionId === undefined;
}

/** The class of a response turn that was refused, or null when it was answered (or failed for another reason). */
export function classifyTurn(turn: TurnLine): SessionClass | null {
  if (turn.status === 'failed' && isRateLimitError(turn.error)) return 'response-failed';
  if (turn.status === 'error' && isRateLimitError(turn.error)) return 'in-band';
  if (turn.status === 'timeout') return 'silent-hang';
  return null;
}

/** A plain sentence per class: what it means for the user. */
export const CLASS_MEANINGS: Record<SessionClass, string> = {
  'handshake-429': 'the WebSocket upgrade was refused with HTTP 429: a rate limit on new connections or sessions',
  'handshake-other': 'the WebSocket upgrade was refused with another HTTP status or got no answer (check the URL, key and api-version)',
  'in-band': 'the service sent a rate-limit error event inside an open session',
  'response-failed': 'responses failed inside response.done with a rate-limit code while the socket stayed open (SDKs often log this only at debug level)',
  'try-again-later': 'the service closed with 1013 (try again later; ResourceExhausted): it had no capacity at that moment; more quota would not help',
  'custom-4xxx': 'the service closed with a 4xxx code (4429): you hold more sessions than allowed',
  policy: 'the service closed with 1008 (policy violation): an auth, model-access or session-policy refusal',
  internal: 'the service (or a gateway in front of it) closed with 1011 (internal error); gateways use it after an in-band rate-limit error',
  'session-expired': 'sessions reached their maximum duration and were closed with 1001: open a new session to continue',
  'silent-hang': 'no event came within the timeout: the service went silent instead of refusing',
};
