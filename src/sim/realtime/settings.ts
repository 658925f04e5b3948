/**
 * The realtime side of the simulator: which limits a WebSocket session meets and
 * how each one refuses. Plain values, checked once; the profiles `azure-realtime`
 * and `speech` fill the defaults (docs/realtime.md describes them).
 *
 * Why every limit has its own refusal style: the same kind of limit is refused
 * differently by different services (an HTTP 429 on the upgrade, an in-band
 * `error` event, a failed `response.done`, a close 1013 or 4429, a gateway's
 * error plus close 1011), and the prober must be judged on each.
 */
import { parseSimulatorDuration } from '../units.js';

/** How a limit refuses. */
export const REFUSAL_STYLES = ['handshake', 'handshake-bare', 'in-band', 'response-failed', 'close-1013', 'close-4429', 'gateway'] as const;

/** One of REFUSAL_STYLES: `handshake` is a 429 with retry-after, `handshake-bare` one without. */
export type RefusalStyle = (typeof REFUSAL_STYLES)[number];

/** The realtime limits, by the name `--refusal limit=style` uses. */
export const REALTIME_LIMITS = ['open', 'sessions', 'turns', 'tokens'] as const;

/** One of REALTIME_LIMITS. */
export type RealtimeLimitName = (typeof REALTIME_LIMITS)[number];

/** A count per window: `30/m` is { limit: 30, windowMs: 60000 }. */
export interface CountPerWindow {
  limit: number;
  windowMs: number;
}

/** The realtime settings as the server runs with them. */
export interface RealtimeSettings {
  /** New connections per window (a sliding log); undefined = unlimited. */
  openRate: CountPerWindow | undefined;
  /** Sessions open at once; undefined = unlimited. */
  sessionCap: number | undefined;
  /** `response.create` per window (a continuously refilling bucket of `limit`); undefined = unlimited. */
  turnRate: CountPerWindow | undefined;
  /** Tokens per minute (a continuously refilling bucket, output reserved at `response.create`); undefined = unlimited. */
  tokensPerMinute: number | undefined;
  /** How each limit refuses. */
  refusal: Record<RealtimeLimitName, RefusalStyle>;
  /** Longest session; then `session_expired` and close 1001. */
  sessionMaxMs: number;
  /** Output tokens reserved when `response.create` names no `max_output_tokens` (OpenAI reserves about 4096). */
  defaultReservation: number;
  /** Words in each text answer (one delta per word). */
  answerWords: number;
  /**
   * How long an answer takes after `response.created`, ms. While it runs its whole
   * reservation is held, so concurrent responses can run a token pool dry (speech: 300 ms).
   */
  answerMs: number;
}

/** The realtime options callers may pass; each overrides the profile's default. */
export interface RealtimeOptions {
  /** `30/m`, `10/10s`, or { limit, windowMs }. */
  openRate?: string | CountPerWindow;
  sessionCap?: number;
  turnRate?: string | CountPerWindow;
  tokensPerMinute?: number;
  /** `close-1013` (every limit) or `sessions=close-4429,turns=response-failed`, or a partial record. */
  refusal?: string | Partial<Record<RealtimeLimitName, RefusalStyle>>;
  /** e.g. `60m`, or milliseconds. */
  sessionMax?: string | number;
  defaultReservation?: number;
  answerWords?: number;
  answerMs?: number;
}

/** The realtime defaults of a profile. */
export function realtimeDefaults(profile: string): RealtimeSettings {
  const base: RealtimeSettings = {
    openRate: undefined,
    sessionCap: undefined,
    turnRate: undefined,
    tokensPerMinute: undefined,
    refusal: { open: 'handshake', sessions: 'handshake', turns: 'response-failed', tokens: 'response-failed' },
    sessionMaxMs: 60 * 60_000,
    defaultReservation: 4096,
    answerWords: 5,
    answerMs: 0,
  };
  if (profile === 'azure-realtime') {
    // Azure's GA realtime deployments: responses and tokens per minute, refused inside
    // a failed response.done while the socket stays open.
    return { ...base, turnRate: { limit: 30, windowMs: 60_000 }, tokensPerMinute: 100_000 };
  }
  if (profile === 'speech') {
    // Azure Speech / Voice Live: 30 new connections per minute (handshake 429), a cap of
    // concurrent sessions (close 4429), and a shared token pool that runs dry under load
    // (close 1013 with the ResourceExhausted reason).
    return {
      ...base,
      openRate: { limit: 30, windowMs: 60_000 },
      sessionCap: 20,
      tokensPerMinute: 120_000,
      refusal: { open: 'handshake', sessions: 'close-4429', turns: 'close-1013', tokens: 'close-1013' },
      answerMs: 300,
    };
  }
  return base;
}

/** Parses `30/m`, `30/min`, `10/10s`; undefined when it is not a count per window. */
export function parseCountPerWindow(text: string): CountPerWindow | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(text);
  if (!match) return undefined;
  let period = match[2]!;
  if (period === 'min') period = 'm';
  if (period === 'sec') period = 's';
  const windowMs = parseSimulatorDuration(/^\d/.test(period) ? period : `1${period}`);
  const limit = Number(match[1]);
  if (windowMs === undefined || windowMs <= 0 || limit <= 0) return undefined;
  return { limit, windowMs };
}

/** Fills a profile's defaults with the options; returns the settings and every problem found. */
export function resolveRealtimeSettings(profile: string, options: RealtimeOptions = {}): { settings: RealtimeSettings; problems: string[] } {
  const problems: string[] = [];
  const settings = realtimeDefaults(profile);
  const rate = (name: string, value: string | CountPerWindow | undefined): CountPerWindow | undefined => {
    if (typeof value !== 'string') return value;
    const parsed = parseCountPerWindow(value);
    if (parsed === undefined) problems.push(`${name} "${value}" is not a count per window; write it like 30/m or 10/10s`);
    return parsed;
  };
  const wholePositive = (name: string, value: number | undefined): number | undefined => {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) problems.push(`${name} must be a whole number above 0, got ${String(value)}`);
    return value;
  };
  if (options.openRate !== undefined) settings.openRate = rate('open rate', options.openRate);
  if (options.turnRate !== undefined) settings.turnRate = rate('turn rate', options.turnRate);
  if (options.sessionCap !== undefined) settings.sessionCap = wholePositive('session cap', options.sessionCap);
  if (options.tokensPerMinute !== undefined) settings.tokensPerMinute = wholePositive('realtime TPM', options.tokensPerMinute);
  if (options.defaultReservation !== undefined) settings.defaultReservation = wholePositive('default reservation', options.defaultReservation) ?? 4096;
  if (options.answerWords !== undefined) settings.answerWords = wholePositive('answer words', options.answerWords) ?? 5;
  if (options.answerMs !== undefined) {
    if (!(Number.isFinite(options.answerMs) && options.answerMs >= 0)) problems.push(`answer time must be 0 ms or more, got ${String(options.answerMs)}`);
    else settings.answerMs = options.answerMs;
  }
  if (options.sessionMax !== undefined) {
    const ms = typeof options.sessionMax === 'number' ? options.sessionMax : parseSimulatorDuration(options.sessionMax);
    if (ms === undefined || !(ms > 0)) problems.push(`session max "${String(options.sessionMax)}" is not a duration above 0; write it like 60m or 30s`);
    else settings.sessionMaxMs = ms;
  }
  if (options.refusal !== undefined) {
    const refusal = typeof options.refusal === 'string' ? parseRefusal(options.refusal, problems) : options.refusal;
    for (const [limit, style] of Object.entries(refusal)) {
      if (!(REALTIME_LIMITS as readonly string[]).includes(limit)) problems.push(`refusal: "${limit}" is not a limit; use ${REALTIME_LIMITS.join(', ')}`);
      else if (!(REFUSAL_STYLES as readonly string[]).includes(style)) problems.push(`refusal: "${style}" is not a style; use ${REFUSAL_STYLES.join(', ')}`);
      else settings.refusal[limit as RealtimeLimitName] = style;
    }
  }
  return { settings, problems };
}

/** `close-1013` → every limit; `sessions=close-4429,open=handshake` → those limits. */
function parseRefusal(text: string, problems: string[]): Partial<Record<RealtimeLimitName, RefusalStyle>> {
  const result: Partial<Record<string, RefusalStyle>> = {};
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) problems.push(`refusal is empty; use one of ${REFUSAL_STYLES.join(', ')}, or limit=style pairs`);
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals === -1) {
      for (const limit of REALTIME_LIMITS) result[limit] = part as RefusalStyle;
    } else {
      result[part.slice(0, equals).trim()] = part.slice(equals + 1).trim() as RefusalStyle;
    }
  }
  return result;
}

/** One line for the ready message: e.g. "realtime: 30 opens per 1 m, 20 sessions, …". */
export function describeRealtime(settings: RealtimeSettings): string {
  const parts: string[] = [];
  const per = (rate: CountPerWindow): string => `${rate.limit} per ${rate.windowMs % 60_000 === 0 ? `${rate.windowMs / 60_000} min` : `${rate.windowMs / 1000} s`}`;
  if (settings.openRate) parts.push(`${per(settings.openRate)} new sessions (${settings.refusal.open})`);
  if (settings.sessionCap !== undefined) parts.push(`${settings.sessionCap} sessions at once (${settings.refusal.sessions})`);
  if (settings.turnRate) parts.push(`${per(settings.turnRate)} responses (${settings.refusal.turns})`);
  if (settings.tokensPerMinute !== undefined) parts.push(`${settings.tokensPerMinute} tokens per min (${settings.refusal.tokens})`);
  return parts.length === 0 ? 'realtime unlimited' : `realtime ${parts.join(', ')}`;
}
