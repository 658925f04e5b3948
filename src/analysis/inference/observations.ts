/**
 * Turns recorded request lines into what the inference reasons about: when each
 * request reached the limiter, when the server let go of it, and what happened to
 * it (admitted, refused for calls, refused for tokens, or something else).
 *
 * Why "arrival" is not `sentMs`: the limiter decides when the request reaches the
 * server, about one network hop after it left. We take half of the fastest
 * round trip seen in the recording as that hop; on loopback it is a fraction of a
 * millisecond, against Azure tens of milliseconds, and it is the same for every
 * request, so it shifts nothing relative to anything else.
 */
import type { PhaseLine, RequestLine } from '../../record/types.js';
import type { RefusalClass } from '../summary-types.js';

/** What happened to one request, as far as limits are concerned. */
export type Outcome =
  /** A 2xx answer with a usable body. */
  | 'admitted'
  /** Refused by a call-rate (request) limit, or a refusal that names no dimension (429/503, gateway pages included). */
  | 'refused'
  /** Refused by a token limit. */
  | 'refused-tokens'
  /** A single request that can never fit (`retry after 86400`, "request too large"). */
  | 'never'
  /** Billing quota or spend limit: no amount of waiting helps. */
  | 'quota'
  /** "High demand" or "temporarily unable": the service was busy, not limiting us. */
  | 'capacity'
  /** No answer, or an HTTP error that is not a refusal. */
  | 'failed';

/** One request as the inference sees it. */
export interface Observation {
  seq: number;
  phase: string;
  /** The probe purpose of the request's phase (`burst`, `recovery`, `tokens`...), or `other`. */
  purpose: string;
  /** Estimated arrival at the limiter, ms from run start. */
  arrivalMs: number;
  /** Estimated time the server finished answering, ms from run start (what a concurrency cap waits for). */
  releaseMs: number;
  /** Round trip as measured, ms (done − sent). */
  latencyMs: number;
  outcome: Outcome;
  /** The estimated charge of the request in tokens (prompt estimate + max_tokens). */
  tokens: number;
  /** Billed tokens from `usage`, 0 when none. */
  billedTokens: number;
  status: number | null;
}

/**
 * Wording that means the service itself was short ("high demand", overloaded). Not
 * "temporarily unable": a limiter configured to refuse with 503 (nginx by default,
 * gateways) says that too, and a probe that drives a limiter into refusals must count
 * those as the limit's refusals; random capacity refusals only cost the fit a few mismatches.
 */
const BUSY_WORDING = /high demand|overloaded|over capacity|no capacity/i;

/** Decides the outcome of one request from its status and its refusal class. */
export function outcomeOf(request: RequestLine, refusalClass: RefusalClass | null): Outcome {
  const status = request.status;
  // A 2xx whose body broke (invalid JSON, a cut stream) carries an errorKind: no usable answer, as in the summary's counts.
  if (status !== null && status >= 200 && status < 300) return request.errorKind === null || request.errorKind === undefined ? 'admitted' : 'failed';
  if (refusalClass === 'tokens') return 'refused-tokens';
  if (refusalClass === 'never') return 'never';
  if (refusalClass === 'quota') return 'quota';
  if (refusalClass === 'capacity') {
    // A 503 (or 429) that names no dimension is a limiter's refusal to us (nginx answers
    // 503 by default); only the busy wording means the service itself was short.
    return BUSY_WORDING.test(request.error?.message ?? '') ? 'capacity' : 'refused';
  }
  if (refusalClass !== null) return 'refused';
  if (status === 429 || status === 503) return 'refused';
  return 'failed';
}

/** The purpose a probe phase line names, by phase name. */
export function purposesByPhase(phases: readonly PhaseLine[]): Map<string, string> {
  const purposes = new Map<string, string>();
  for (const phase of phases) {
    const purpose = phase.params['purpose'];
    purposes.set(phase.name, typeof purpose === 'string' ? purpose : 'other');
  }
  return purposes;
}

/**
 * Half of the fastest round trip in the recording: the one-way network delay we
 * add to `sentMs` to place the limiter's decision in time. Zero when nothing answered.
 */
export function oneWayDelayMs(requests: readonly RequestLine[]): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (const request of requests) {
    if (request.status === null) continue;
    const answered = request.firstByteMs ?? request.doneMs;
    fastest = Math.min(fastest, Math.max(0, answered - request.sentMs));
  }
  return Number.isFinite(fastest) ? fastest / 2 : 0;
}

/** Builds observations in arrival order (ties keep seq order). */
export function toObservations(
  phases: readonly PhaseLine[],
  requests: readonly RequestLine[],
  refusalClassOf: (request: RequestLine) => RefusalClass | null,
): Observation[] {
  const purposes = purposesByPhase(phases);
  const oneWay = oneWayDelayMs(requests);
  const observations = requests.map((request): Observation => {
    const arrivalMs = request.sentMs + oneWay;
    return {
      seq: request.seq,
      phase: request.phase,
      purpose: purposes.get(request.phase) ?? 'other',
      arrivalMs,
      releaseMs: Math.max(arrivalMs, request.doneMs - oneWay),
      latencyMs: Math.max(0, request.doneMs - request.sentMs),
      outcome: outcomeOf(request, refusalClassOf(request)),
      tokens: Number.isFinite(request.estimatedTokens) ? Math.max(0, request.estimatedTokens) : 0,
      billedTokens: request.usage?.totalTokens ?? 0,
      status: request.status,
    };
  });
  orderInstants(requests, observations, oneWay);
  observations.sort((a, b) => a.arrivalMs - b.arrivalMs || a.seq - b.seq);
  return observations;
}

/**
 * Puts the admitted requests of each burst first.
 *
 * Why: requests planned for one instant (same phase, same `plannedMs`) leave
 * within a few milliseconds over different connections, and on a busy machine
 * their `sentMs` order is not the order the limiter saw them in: a burst can
 * record refusals a millisecond *before* the admissions. Every counting limiter
 * admits the first requests of an instant and refuses the rest, so the order
 * the limiter saw is the one with the admitted requests first. The burst keeps
 * its own spread of arrival times; only which request gets which time changes
 * (admitted first, then the others, each in seq order). Without this, a model
 * that is right is blamed for the scheduler's jitter, and on a loaded machine
 * a wrong shape can win the fit.
 */
function orderInstants(requests: readonly RequestLine[], observations: Observation[], oneWay: number): void {
  const instants = new Map<string, number[]>();
  requests.forEach((request, index) => {
    const key = `${request.phase}\u0000${request.plannedMs}`;
    const members = instants.get(key);
    if (members) members.push(index);
    else instants.set(key, [index]);
  });
  for (const members of instants.values()) {
    if (members.length < 2) continue;
    const times = members.map((index) => observations[index]!.arrivalMs).sort((a, b) => a - b);
    const rank = (index: number): number => (observations[index]!.outcome === 'admitted' ? 0 : 1);
    const ordered = [...members].sort((a, b) => rank(a) - rank(b) || observations[a]!.seq - observations[b]!.seq);
    ordered.forEach((index, position) => {
      const observation = observations[index]!;
      observation.arrivalMs = times[position]!;
      observation.releaseMs = Math.max(observation.arrivalMs, requests[index]!.doneMs - oneWay);
    });
  }
}
