/**
 * The simulator: an Azure-OpenAI-compatible endpoint (chat completions, legacy
 * completions, embeddings, responses; streaming SSE) with faithful limits and
 * answer shapes, served on loopback by `aoai-probe sim` and in-process as the
 * default target.
 *
 * It shares no code with the prober's analysis or runner: it is the ground truth
 * the prober is judged against. The limiter models are exported too, so tests
 * can drive them on a fake clock.
 */
export { startSimulator, DEFAULT_API_VERSION, type RunningSimulator } from './server.js';
export { startSimulatorInWorker, type WorkerSimulatorOptions } from './worker-simulator.js';
export {
  resolveSimulatorSettings,
  SIMULATOR_PROFILES,
  DEFAULT_TPM,
  RPM_PER_1K_TPM,
  type SimulatorOptions,
  type SimulatorSettings,
  type SimulatorProfile,
} from './options.js';
export { SimulatorConfigError } from './config-error.js';
export { parseDeploymentSpec, readDeploymentsFile, type DeploymentDeclaration, type ResolvedDeployment } from './deployments.js';
export { modelFacts, DEPLOYMENT_KINDS, type DeploymentKind, type ModelFacts } from './models.js';
export { replyTo, askedWordCount, REPLY_VOCABULARY, DEFAULT_REPLY_LENGTH, type Reply, type ReplyLength } from './reply-text.js';
export { formatStatsLine, type StatsSnapshot, type SecondCounts } from './stats.js';
export { STATS_PATH } from './request-handler.js';
export { FAULT_KINDS, DEFAULT_FAULTS, type FaultKind } from './faults.js';
export {
  AZURE_DEFAULT_COMPLETION_ESTIMATE,
  AZURE_GPT35_DEFAULT_CHARGE,
  SEED_FLAT_CHARGE,
  CHARACTERS_PER_TOKEN,
  azureCharge,
  openaiCharge,
  promptTokenEstimate,
  embeddingsEstimate,
  modelForDeployment,
  type Operation,
  type RequestFacts,
} from './charge.js';
export { azureStandardSettings, openAiSettings, createPolicyFactory } from './profiles.js';
export { formatGoDuration } from './units.js';

export { tryAdmit, type Limiter, type LimiterDecision } from './limiters/limiter.js';
export { admitAll, type CombinedDecision } from './limiters/combine.js';
export { TokenBucketLimiter, type TokenBucketOptions } from './limiters/token-bucket.js';
export { FixedWindowLimiter, type FixedWindowOptions } from './limiters/fixed-window.js';
export { SlidingLogLimiter, type SlidingLogOptions } from './limiters/sliding-log.js';
export { SlidingCounterLimiter, type SlidingCounterOptions } from './limiters/sliding-counter.js';
export { GcraLimiter, type GcraOptions } from './limiters/gcra.js';
export { ConcurrencyLimiter, type ConcurrencyOptions } from './limiters/concurrency.js';
export { LeakyBucketLimiter, type LeakyBucketOptions } from './limiters/leaky-bucket.js';
export { RestartingWindowLimiter, type RestartingWindowOptions } from './limiters/restarting-window.js';
export { WholeTokenBucketLimiter, type WholeTokenBucketOptions } from './limiters/whole-token-bucket.js';
export { AllOfLimiter } from './limiters/all-of.js';
export {
  parseLimiterSpec,
  validateLimiterSpec,
  createLimiter,
  describeLimiterSpec,
  LIMITER_KINDS,
  LIMITER_HEADER_STYLES,
  type LimiterSpec,
  type LimiterKind,
  type LimiterHeaderStyle,
} from './limiters/spec.js';

export { RealtimeLimits, type RealtimeDecision } from './realtime/limits.js';
export { RefillBucket, type RateLimitFigures } from './realtime/refill-bucket.js';
export { RealtimeSession, type SessionLink, type SessionContext } from './realtime/session.js';
export { REALTIME_PATHS } from './realtime/upgrade.js';
export {
  REFUSAL_STYLES,
  REALTIME_LIMITS,
  resolveRealtimeSettings,
  realtimeDefaults,
  parseCountPerWindow,
  type RealtimeOptions,
  type RealtimeSettings,
  type RefusalStyle,
  type RealtimeLimitName,
  type CountPerWindow,
} from './realtime/settings.js';
export { RESOURCE_EXHAUSTED_REASON, CONCURRENCY_REASON, GATEWAY_REASON, FAILED_RESPONSE_MESSAGE, expiryMessage } from './realtime/events.js';
