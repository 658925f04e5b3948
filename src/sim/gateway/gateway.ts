/**
 * What the gateway does with one client request, in APIM's policy order:
 * inbound token limit (429/403 of its own) → pick a backend from the pool
 * (503 when every breaker is open) → forward → the backend's answer feeds that
 * backend's breaker → a 429 or 503 is retried on a freshly picked backend while
 * the retry policy allows → the last answer goes back, with the configured
 * headers renamed and stripped.
 *
 * Why the forwarding and the waiting are handed in: this file holds the whole
 * decision logic and no socket, so tests drive it with a fake clock and scripted
 * backend answers and assert every pick, trip and failover exactly. The server
 * (server.ts) hands in a real HTTP forward and a timer.
 */
import { gatewayUnavailableBody } from './bodies.js';
import { CircuitBreaker } from './breaker.js';
import { BackendPool } from './pool.js';
import { matchesAnyPattern, type BackendSpec, type GatewaySpec } from './spec.js';
import { GatewayTokenLimit } from './token-limit.js';

/** A backend's answer as the gateway sees it; `body` is whatever the forwarder carries (a stream, a string). */
export interface BackendAnswer<Body> {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Body;
}

/** What a client request carries that the gateway's policies look at. */
export interface GatewayRequest {
  /** The counter key's value: the subscription key or the client address. */
  counterKey: string;
  /** Tokens the token limit charges at admission (prompt estimate + max_tokens). */
  estimatedTokens: number;
}

/** One backend call made for a client request. */
export interface GatewayAttempt {
  backend: string;
  status: number;
  atMs: number;
  /** Whether this answer tripped the backend's breaker. */
  tripped: boolean;
}

/** The gateway's final answer to a client request. */
export interface GatewayOutcome<Body> {
  status: number;
  headers: Record<string, string>;
  /** The backend's body, or the gateway's own (a string) when it answered itself. */
  body: Body | string;
  /** The backend that answered; undefined when the gateway answered itself. */
  backend: string | undefined;
  attempts: GatewayAttempt[];
  /** Why the gateway answered itself: token-limit, quota, breakers-open; undefined when a backend answered. */
  ownAnswer: 'token-limit' | 'quota' | 'breakers-open' | undefined;
}

/** The I/O the gateway needs, handed in by the server (or a test). */
export interface GatewayIo<Body> {
  clock: () => number;
  forward(backend: BackendSpec): Promise<BackendAnswer<Body>>;
  /** Throws away an answer that will not be passed on (a retried 429's body). */
  discard(answer: BackendAnswer<Body>): void;
  wait(ms: number): Promise<void>;
}

/** Reads a backend's retry hint: `retry-after-ms`, else `retry-after` seconds; undefined when neither. */
export function backendRetryAfterMs(headers: Record<string, string>): number | undefined {
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const seconds = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}

/** One gateway's policies and their state (pool position, breakers, token counters). */
export class Gateway {
  private readonly pool: BackendPool;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly tokenLimit: GatewayTokenLimit | undefined;

  constructor(readonly spec: GatewaySpec) {
    this.pool = new BackendPool(spec.backends, spec.routing);
    if (spec.breaker !== undefined) for (const backend of spec.backends) this.breakers.set(backend.name, new CircuitBreaker(spec.breaker));
    this.tokenLimit = spec.tokenLimit === undefined ? undefined : new GatewayTokenLimit(spec.tokenLimit);
  }

  /** Whether `backend`'s breaker is open at `nowMs`. */
  isTripped(backend: string, nowMs: number): boolean {
    return this.breakers.get(backend)?.isOpen(nowMs) ?? false;
  }

  /** Serves one client request through the policies. */
  async serve<Body>(request: GatewayRequest, io: GatewayIo<Body>): Promise<GatewayOutcome<Body>> {
    const attempts: GatewayAttempt[] = [];
    let gatewayHeaders: Record<string, string> = {};
    if (this.tokenLimit !== undefined) {
      const decision = this.tokenLimit.admit(io.clock(), request.counterKey, request.estimatedTokens);
      if (!decision.admitted) {
        const headers = { 'content-type': 'application/json', ...decision.headers };
        return { status: decision.status, headers, body: decision.body, backend: undefined, attempts, ownAnswer: decision.status === 403 ? 'quota' : 'token-limit' };
      }
      gatewayHeaders = decision.headers;
    }
    const retries = this.spec.retry?.count ?? 0;
    for (let attempt = 0; ; attempt++) {
      const nowMs = io.clock();
      const backend = this.pool.pick((candidate) => !this.isTripped(candidate.name, nowMs));
      if (backend === undefined) {
        return {
          status: 503,
          headers: { 'content-type': 'application/json', ...gatewayHeaders },
          body: gatewayUnavailableBody(),
          backend: undefined,
          attempts,
          ownAnswer: 'breakers-open',
        };
      }
      const answer = await io.forward(backend);
      const answeredMs = io.clock();
      const tripped = this.breakers.get(backend.name)?.record(answeredMs, answer.status, backendRetryAfterMs(answer.headers)) ?? false;
      attempts.push({ backend: backend.name, status: answer.status, atMs: answeredMs, tripped });
      const retryable = answer.status === 429 || answer.status === 503;
      if (!retryable || attempt >= retries) {
        return { status: answer.status, headers: { ...this.outboundHeaders(answer.headers), ...gatewayHeaders }, body: answer.body, backend: backend.name, attempts, ownAnswer: undefined };
      }
      io.discard(answer);
      const fast = attempt === 0 && this.spec.retry!.firstFastRetry;
      const delayMs = fast ? 0 : this.spec.retry!.intervalMs;
      if (delayMs > 0) await io.wait(delayMs);
    }
  }

  /**
   * The backend's headers as the outbound policies leave them: each --rename-headers
   * pair moves a value to its new name, then names matching --strip-headers go (a
   * header under its new name stays, or a rename into a stripped family would undo itself).
   */
  private outboundHeaders(headers: Record<string, string>): Record<string, string> {
    const renamed = new Map(this.spec.renameHeaders.map((rename) => [rename.from, rename.to]));
    const newNames = new Set(renamed.values());
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const to = renamed.get(name);
      if (to !== undefined) kept[to] = value;
      else if (newNames.has(name)) continue;
      else if (!matchesAnyPattern(name, this.spec.stripHeaders)) kept[name] = value;
    }
    return kept;
  }
}
