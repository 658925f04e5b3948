/**
 * The realtime fold: session and turn lines → the `realtime` part of the
 * summary and the verdict's sentences about it. Pure, like the rest of the
 * analysis: the live run and `report` feed it the same lines.
 *
 * Which lines answer which question (the experiments of docs/realtime.md):
 * - the open rate from sessions of `sessions` phases (each closed after
 *   `session.created`), fitted by the same inference as request limits: each
 *   session is a "request" admitted when it opened, refused when a limit said no;
 * - the concurrency cap from every session (concurrency.ts);
 * - responses and tokens per minute from the turns of `turns` phases, fitted the
 *   same way (a refused turn is a refused request; its reservation its tokens);
 * - the bucket from the `rate_limits.updated` events of every session.
 */
import type { PhaseLine, RequestLine, SessionLine, TurnLine } from '../../record/types.js';
import { inferEffectiveLimits } from '../inference/index.js';
import type { RefusalClass } from '../summary-types.js';
import { CLASS_MEANINGS, SESSION_CLASSES, classifySession, classifyTurn, refusedAtOpen, type SessionClass } from './classes.js';
import { concurrencyCap } from './concurrency.js';
import { impliedBucket } from './bucket.js';
import type { RealtimeSummary } from './summary.js';

/** What the fold concluded: the summary part and plain sentences for the verdict. */
export interface RealtimeResult {
  summary: RealtimeSummary;
  notes: string[];
}

/** Output tokens a turn without max_output_tokens reserves (OpenAI's default reservation). */
const DEFAULT_RESERVATION = 4096;

function round(value: number | null, decimals: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Session and turn lines of one analysis. */
export class RealtimeFold {
  private readonly phases: PhaseLine[] = [];
  private readonly sessions: SessionLine[] = [];
  private readonly turns: TurnLine[] = [];

  /** Session lines added so far. */
  get sessionCount(): number {
    return this.sessions.length;
  }

  phase(line: PhaseLine): void {
    this.phases.push(line);
  }

  session(line: SessionLine): void {
    this.sessions.push(line);
  }

  turn(line: TurnLine): void {
    this.turns.push(line);
  }

  /** The realtime summary and notes; null when there were no sessions. */
  finish(advertised: { rpm: number | null; tpm: number | null }): RealtimeResult | null {
    if (this.sessions.length === 0) return null;
    const byClass = Object.fromEntries(SESSION_CLASSES.map((name) => [name, 0])) as Record<SessionClass, number>;
    const classOf = new Map<number, SessionClass | null>();
    let opened = 0;
    let refused = 0;
    const held: Array<{ line: SessionLine; refused: boolean }> = [];
    for (const session of this.sessions) {
      const sessionClass = classifySession(session);
      classOf.set(session.sid, sessionClass);
      const refusedNow = refusedAtOpen(session, sessionClass);
      // A response-failed session is counted through its failed turns, one per response.
      if (sessionClass !== null && !(sessionClass === 'response-failed' && this.turns.some((turn) => turn.sid === session.sid))) byClass[sessionClass]++;
      if (refusedNow) refused++;
      else if (session.firstEventMs !== null) opened++;
      held.push({ line: session, refused: refusedNow });
    }
    for (const turn of this.turns) {
      const turnClass = classifyTurn(turn);
      if (turnClass !== null) byClass[turnClass]++;
    }

    const kinds = new Map(this.phases.map((phase) => [phase.name, phase.kind]));
    // With a session ramp in the recording, only its sessions speak for the cap: refusals
    // of an open-rate experiment say nothing about how many sessions may be held.
    const ramps = this.phases.filter((phase) => phase.kind === 'session-ramp').map((phase) => phase.name);
    const cap = concurrencyCap(ramps.length === 0 ? held : held.filter(({ line }) => ramps.includes(line.phase)));
    const openRate = this.openRate(kinds, classOf);
    const turnRates = this.turnRates(kinds, classOf);
    const bucket = impliedBucket(this.sessions, this.turns);

    const summary: RealtimeSummary = {
      sessions: { opened, refused, byClass },
      concurrency: { cap: cap.cap, confidence: cap.confidence },
      openRate,
      turns: turnRates,
      bucket,
    };
    return { summary, notes: this.notes(summary, cap.maxHeld, advertised) };
  }

  private openRate(kinds: Map<string, string>, classOf: Map<number, SessionClass | null>): RealtimeSummary['openRate'] {
    const phases = this.phases.filter((phase) => phase.kind === 'sessions');
    const names = new Set(phases.map((phase) => phase.name));
    const lines = this.sessions.filter((session) => names.has(session.phase));
    const none: RealtimeSummary['openRate'] = { burst: null, perMinute: null, windowSeconds: null, shape: 'unknown', confidence: 'none' };
    if (lines.length === 0) return none;
    const requests = lines.map((session): RequestLine => {
      const sessionClass = classOf.get(session.sid) ?? null;
      const refusedByLimit = sessionClass !== null && sessionClass !== 'handshake-other' && sessionClass !== 'session-expired' && sessionClass !== 'silent-hang';
      const status = refusedAtOpen(session, sessionClass) ? (refusedByLimit ? 429 : 500) : session.firstEventMs !== null ? 200 : 500;
      return pseudoRequest(session.sid, session.phase, session.target, session.plannedMs ?? session.askedMs, session.askedMs, session.openMs, session.closeMs, status, 0);
    });
    const inferred = inferEffectiveLimits({
      phases: phases.map((phase) => ({ ...phase, kind: 'probe', params: { ...phase.params, purpose: 'sessions' } })),
      requests,
      refusalClassOf: (request) => (request.status === 429 ? ('requests' as RefusalClass) : null),
      advertised: { tpm: null, rpm: null },
    });
    const measured = longRunRate(requests);
    if (measured === null) {
      // Nothing was refused: no open-rate limit was reached.
      return { ...none, shape: 'none-observed', confidence: requests.length > 0 ? 'low' : 'none' };
    }
    if (measured.perSecond === 0) {
      // Refused from the first refusal to the end: the run was shorter than the limit's window.
      return { burst: measured.burst, perMinute: null, windowSeconds: null, shape: 'unknown', confidence: 'low' };
    }
    const figures = inferred?.requests;
    // The long-run rate and the burst are counted; the fit (as for request limits) names the shape.
    const trustedShape = figures !== undefined && (figures.confidence === 'high' || figures.confidence === 'medium') ? figures.shape : 'unknown';
    return {
      burst: measured.burst,
      perMinute: round(measured.perSecond * 60, 2),
      windowSeconds: measured.perSecond > 0 ? round(measured.burst / measured.perSecond, 3) : null,
      shape: trustedShape,
      confidence: measured.refusals >= 10 && measured.spanMs >= 2 * (measured.burst / Math.max(measured.perSecond, 1e-9)) * 1000 ? 'high' : 'medium',
    };
  }

  private turnRates(kinds: Map<string, string>, classOf: Map<number, SessionClass | null>): RealtimeSummary['turns'] {
    const phases = this.phases.filter((phase) => phase.kind === 'turns');
    const names = new Set(phases.map((phase) => phase.name));
    const turns = this.turns.filter((turn) => names.has(turn.phase) && kinds.get(turn.phase) === 'turns');
    if (turns.length === 0) return { perMinute: null, tokensPerMinute: null };
    const inputs = turns.map((turn) => turn.usage?.inputTokens ?? 0).filter((tokens) => tokens > 0);
    const typicalInput = inputs.length === 0 ? 0 : inputs.sort((a, b) => a - b)[inputs.length >> 1]!;
    const requests = turns.map((turn, index): RequestLine => {
      const refusedHere = classifyTurn(turn) !== null || (turn.status === 'closed' && isLimitClose(classOf.get(turn.sid) ?? null));
      const status = turn.status === 'completed' || turn.status === 'incomplete' ? 200 : refusedHere ? 429 : 500;
      const reservation = (turn.maxOutputTokens ?? DEFAULT_RESERVATION) + typicalInput;
      return pseudoRequest(index + 1, turn.phase, turn.target, turn.sentMs, turn.sentMs, turn.doneMs, turn.doneMs ?? turn.sentMs, status, reservation);
    });
    const tokenPhase = phases.some((phase) => phase.params['purpose'] === 'tokens');
    const measured = longRunRate(requests);
    if (measured === null || measured.perSecond === 0) return { perMinute: null, tokensPerMinute: null };
    return {
      perMinute: tokenPhase ? null : round(measured.perSecond * 60, 2),
      tokensPerMinute: tokenPhase ? Math.round(measured.tokensPerSecond * 60) : null,
    };
  }

  private notes(summary: RealtimeSummary, maxHeld: number, advertised: { rpm: number | null; tpm: number | null }): string[] {
    const notes: string[] = [];
    const { sessions } = summary;
    const total = this.sessions.length;
    notes.push(`Realtime: ${total} session${total === 1 ? '' : 's'} asked for, ${sessions.opened} opened, ${sessions.refused} refused.`);
    for (const name of SESSION_CLASSES) {
      const count = sessions.byClass[name];
      if (count > 0) notes.push(`${count} × ${name}: ${CLASS_MEANINGS[name]}.`);
    }
    const { cap, confidence } = summary.concurrency;
    if (cap !== null) notes.push(`Concurrency cap: ${cap} sessions at once; the next one was refused (${confidence} confidence).`);
    else if (maxHeld > 0) notes.push(`No session was refused while others were held: at least ${maxHeld} session${maxHeld === 1 ? '' : 's'} can be open at once.`);
    const open = summary.openRate;
    if (open.perMinute === null && open.burst !== null) {
      notes.push(`New sessions: ${open.burst} opened, then every one was refused until the end: the limit's window is longer than the run; open sessions for longer than a minute to measure the per-minute figure.`);
    }
    if (open.perMinute !== null) {
      const window = open.windowSeconds === null ? '' : `, a ${open.windowSeconds}-s window`;
      notes.push(`New sessions: a burst of ${open.burst ?? '?'}, then ${open.perMinute} per minute (${open.shape}${window}, ${open.confidence} confidence).`);
    }
    if (summary.turns.perMinute !== null) notes.push(`Responses: ${summary.turns.perMinute} per minute admitted.`);
    if (summary.turns.tokensPerMinute !== null) notes.push(`Tokens: ${summary.turns.tokensPerMinute} per minute admitted (counting each response's reservation).`);
    const bucket = summary.bucket;
    if (bucket.limit !== null && bucket.refillPerSecond !== null) {
      const reserved = bucket.reservedTokens === null ? '' : `; each response reserved ${bucket.reservedTokens} output tokens when it started, and got back what it did not use`;
      notes.push(`rate_limits.updated describes a bucket of ${bucket.limit} refilling ${bucket.refillPerSecond} per second (${Math.round(bucket.refillPerSecond * 60)} per minute)${reserved}.`);
    }
    if (advertised.rpm !== null) {
      const matches: string[] = [];
      if (open.perMinute !== null && Math.abs(open.perMinute - advertised.rpm) <= 0.1 * advertised.rpm) matches.push('new sessions per minute');
      if (summary.turns.perMinute !== null && Math.abs(summary.turns.perMinute - advertised.rpm) <= 0.1 * advertised.rpm) matches.push('responses per minute');
      if (matches.length > 0) notes.push(`The advertised ${advertised.rpm} RPM matches ${matches.join(' and ')}.`);
      else if (open.perMinute !== null || summary.turns.perMinute !== null) notes.push(`The advertised ${advertised.rpm} RPM matches neither new sessions nor responses per minute as measured.`);
    }
    return notes;
  }
}

/** Whether a session class is a limit that closed the socket (so a turn ended by it was refused). */
function isLimitClose(sessionClass: SessionClass | null): boolean {
  return sessionClass === 'try-again-later' || sessionClass === 'custom-4xxx' || sessionClass === 'internal' || sessionClass === 'policy';
}

/** A request line standing for a session or a turn, for the inference of request and token limits. */
function pseudoRequest(
  seq: number,
  phase: string,
  target: string,
  plannedMs: number,
  sentMs: number,
  firstByteMs: number | null,
  doneMs: number,
  status: number,
  estimatedTokens: number,
): RequestLine {
  return {
    type: 'request',
    seq,
    phase,
    target,
    plannedMs,
    sentMs,
    firstByteMs,
    doneMs: Math.max(doneMs, sentMs),
    status,
    errorKind: null,
    headers: {},
    error: null,
    usage: null,
    estimatedTokens,
    maxTokens: null,
    clientRequestId: '',
  };
}

/**
 * A rate as counted (sessions opened, or responses answered): those admitted
 * before the first refusal (the burst, from idle) and the admitted rate from the
 * first refusal to the last admission (the long run: a sliding or fixed window of
 * L per W admits L per W there, a bucket its refill rate). Why counted and not only fitted: an
 * open-rate experiment paces sessions evenly, and the fit, made for bursts and
 * recoveries, can place a window anywhere in such a stream; the count cannot.
 */
function longRunRate(requests: readonly RequestLine[]): { burst: number; perSecond: number; spanMs: number; refusals: number; tokensPerSecond: number } | null {
  const ordered = [...requests].sort((a, b) => a.sentMs - b.sentMs || a.seq - b.seq);
  const firstRefusal = ordered.findIndex((request) => request.status === 429);
  if (firstRefusal === -1) return null;
  const burst = ordered.slice(0, firstRefusal).filter((request) => request.status === 200).length;
  const fromMs = ordered[firstRefusal]!.sentMs;
  const later = ordered.slice(firstRefusal);
  const admittedLater = later.filter((request) => request.status === 200);
  const refusals = later.filter((request) => request.status === 429).length;
  // Up to the last admission: a window of L per W admits its L at the start of each
  // window, so ending anywhere else would count a part of a window as a whole one.
  const toMs = admittedLater.at(-1)?.sentMs ?? fromMs;
  const spanMs = toMs - fromMs;
  // Fewer than three admissions after the first refusal, or under a second of them, is no long run.
  if (admittedLater.length < 3 || spanMs < 1000) return { burst, perSecond: 0, spanMs: 0, refusals, tokensPerSecond: 0 };
  const tokens = admittedLater.reduce((sum, request) => sum + request.estimatedTokens, 0);
  return { burst, perSecond: (admittedLater.length * 1000) / spanMs, spanMs, refusals, tokensPerSecond: (tokens * 1000) / spanMs };
}
