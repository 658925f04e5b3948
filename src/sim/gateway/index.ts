/**
 * The simulated API gateway (`aoai-probe sim --gateway`): an APIM-style pool
 * with priority/weighted/round-robin routing, per-backend circuit breakers, a
 * retry policy, a token limit of its own and header stripping and renaming, in front of
 * several simulated regions. See docs/ for what a client sees through it.
 */
export { startGatewaySimulator, describeGateway, type GatewayOptions, type RunningGateway } from './server.js';
export { Gateway, backendRetryAfterMs, type BackendAnswer, type GatewayAttempt, type GatewayIo, type GatewayOutcome, type GatewayRequest } from './gateway.js';
export { BackendPool } from './pool.js';
export { CircuitBreaker } from './breaker.js';
export { GatewayTokenLimit, type TokenLimitDecision } from './token-limit.js';
export {
  ROUTING_MODES,
  matchesAnyPattern,
  parseBackends,
  parseBreaker,
  parseRetry,
  parseRouting,
  parseRenameHeaders,
  parseStripHeaders,
  parseTokenLimit,
  type BackendSpec,
  type BreakerSpec,
  type CounterKey,
  type GatewaySpec,
  type HeaderRename,
  type RetrySpec,
  type RoutingMode,
  type TokenLimitSpec,
} from './spec.js';
