/**
 * The simulator's settings: what callers pass (SimulatorOptions, every field
 * optional) and what the server runs with (SimulatorSettings, defaults filled in
 * and every value checked). All problems are reported at once in a
 * SimulatorConfigError.
 */
import { SimulatorConfigError } from './config-error.js';
import { readDeploymentsFile, resolveDeclaration, type DeploymentDeclaration, type ResolvedDeployment } from './deployments.js';
import { DEFAULT_FAULTS, FAULT_KINDS, type FaultKind } from './faults.js';
import { parseLimiterSpec, validateLimiterSpec, type LimiterSpec } from './limiters/spec.js';
import { resolveRealtimeSettings, type RealtimeOptions, type RealtimeSettings } from './realtime/settings.js';
import { DEFAULT_REPLY_LENGTH, type ReplyLength } from './reply-text.js';
import { readRecordedAnswers, type RecordedAnswer } from './replay/recorded-answers.js';
import { SIMULATOR_PROFILES } from './names.js';

/** The built-in profiles (defined in names.ts, which help texts read without loading the simulator). */
export { SIMULATOR_PROFILES };

/** One of SIMULATOR_PROFILES. */
export type SimulatorProfile = (typeof SIMULATOR_PROFILES)[number];

/** How to start a simulator; every field is optional. */
export interface SimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 'azure-standard'. */
  profile?: SimulatorProfile;
  /** Tokens per minute; default 50,000. */
  tpm?: number;
  /** Requests per minute; default 6 × tpm / 1000. */
  rpm?: number;
  /** The request window: azure-standard 10 s; openai 60 s (its bucket holds rpm × window / 60 s). */
  requestWindowMs?: number;
  /** The token window; default 60 s (openai: bucket size; azure-ptu: utilization capacity). */
  tokenWindowMs?: number;
  /** The 1-s cap at rpm/60 (azure-standard, azure-seed); default true. */
  subsecondCap?: boolean;
  /** A generic limiter (spec string or object); replaces the profile's limits on every path. */
  limiter?: string | LimiterSpec;
  /** Delay before admitted answers: mean ± spread (uniform), ms. */
  latency?: { meanMs: number; spreadMs: number };
  /** Streaming pace: reply tokens per second; default unpaced. */
  tokensPerSecond?: number;
  /** Probability (0–1) that a request gets an injected fault. */
  faultRate?: number;
  /** Which faults to draw from; default 500, 503, reset, capacity. */
  faults?: string[];
  /**
   * When set, other deployment names get 404 DeploymentNotFound; each has its own
   * limits. A bare name guesses its model from the name and serves every
   * operation; a declaration names its model, kind and limits (deployments.ts).
   */
  deployments?: Array<string | DeploymentDeclaration>;
  /** A YAML file of deployment declarations, added to `deployments`. */
  deploymentsFile?: string;
  /** Seed of the answers' text generator; the same seed and prompt give the same answer. Default 0. */
  seed?: number;
  /** Length range of answers whose prompt asks for no word count, in tokens; default 16–256. */
  replyLength?: ReplyLength;
  /** An aoai-probe recording whose answers are served again in order (status, latency, headers) instead of the limits'. */
  replay?: string;
  /** Where to write every served answer as an aoai-probe recording. */
  recordTo?: string;
  /** `x-ms-region` and the region named in 429 messages; default 'East US'. */
  region?: string;
  /** When set, a request with another key gets 401; otherwise any key is accepted. */
  apiKey?: string;
  /**
   * Whether a request must carry a key (`api-key` or `Authorization: Bearer`) to
   * be served; default true (401 without one, as Azure answers). False serves
   * key-less requests too, for an in-process target that sends no credentials.
   */
  requireKey?: boolean;
  /** Injectable ms clock for the limiters; default performance.now. */
  clock?: () => number;
  /** One line per request when given. */
  log?: (line: string) => void;
  /** Injectable randomness for faults and latency, [0, 1); default Math.random. */
  random?: () => number;
  /** How long a `slow-body` answer pauses between its two halves; default 1000 ms. */
  slowBodyMs?: number;
  /**
   * The realtime (WebSocket) limits and refusal styles; each overrides the profile's
   * default (azure-realtime and speech have limits, the other profiles none).
   */
  realtime?: RealtimeOptions;
}

/** SimulatorOptions with every default filled in and every value checked. */
export interface SimulatorSettings {
  host: string;
  port: number;
  profile: SimulatorProfile;
  tpm: number;
  rpm: number;
  requestWindowMs: number;
  tokenWindowMs: number;
  subsecondCap: boolean;
  limiter: LimiterSpec | undefined;
  latency: { meanMs: number; spreadMs: number } | undefined;
  tokensPerSecond: number | undefined;
  faultRate: number;
  faults: FaultKind[];
  /** The served deployments by name; undefined: any name is served. */
  deployments: ReadonlyMap<string, ResolvedDeployment> | undefined;
  seed: number;
  replyLength: ReplyLength;
  /** The answers to replay, in order; undefined when not replaying. */
  replay: readonly RecordedAnswer[] | undefined;
  recordTo: string | undefined;
  region: string;
  apiKey: string | undefined;
  requireKey: boolean;
  clock: () => number;
  log: ((line: string) => void) | undefined;
  random: () => number;
  slowBodyMs: number;
  realtime: RealtimeSettings;
}

/** Default tokens per minute. */
export const DEFAULT_TPM = 50_000;
/** Azure's ratio for older chat models: 6 RPM per 1,000 TPM. */
export const RPM_PER_1K_TPM = 6;

/** Fills defaults and checks every value; throws SimulatorConfigError listing all problems. */
export function resolveSimulatorSettings(options: SimulatorOptions = {}): SimulatorSettings {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) problems.push(`${name} must be a positive number, got ${String(value)}`);
  };

  const profile = options.profile ?? 'azure-standard';
  if (!(SIMULATOR_PROFILES as readonly string[]).includes(profile)) {
    problems.push(`profile "${String(profile)}" is unknown; use one of ${SIMULATOR_PROFILES.join(', ')}`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push(`port must be a whole number from 0 to 65535 (0 = any free port), got ${String(port)}`);
  const host = options.host ?? '127.0.0.1';
  if (host.trim() === '') problems.push('host must not be empty; e.g. 127.0.0.1');
  positive('tpm', options.tpm);
  positive('rpm', options.rpm);
  positive('requestWindowMs', options.requestWindowMs);
  positive('tokenWindowMs', options.tokenWindowMs);
  positive('tokensPerSecond', options.tokensPerSecond);
  if (options.slowBodyMs !== undefined && !(Number.isFinite(options.slowBodyMs) && options.slowBodyMs >= 0)) {
    problems.push(`slowBodyMs must be a duration of 0 or more, got ${String(options.slowBodyMs)}`);
  }
  if (options.latency !== undefined) {
    const { meanMs, spreadMs } = options.latency;
    if (!(Number.isFinite(meanMs) && meanMs >= 0) || !(Number.isFinite(spreadMs) && spreadMs >= 0)) {
      problems.push(`latency must have a mean and a spread of 0 ms or more, got ${String(meanMs)}±${String(spreadMs)}`);
    }
  }
  const faultRate = options.faultRate ?? 0;
  if (!(Number.isFinite(faultRate) && faultRate >= 0 && faultRate <= 1)) problems.push(`faultRate must be between 0 and 1 (e.g. 0.05 for 5 %), got ${String(faultRate)}`);
  const faults: FaultKind[] = [];
  for (const fault of options.faults ?? DEFAULT_FAULTS) {
    if ((FAULT_KINDS as readonly string[]).includes(fault)) faults.push(fault as FaultKind);
    else problems.push(`fault "${fault}" is unknown; use any of ${FAULT_KINDS.join(', ')}`);
  }
  const given: Array<string | DeploymentDeclaration> = [...(options.deployments ?? [])];
  if (options.deploymentsFile !== undefined) given.push(...readDeploymentsFile(options.deploymentsFile, problems));
  const names = given.map((item) => (typeof item === 'string' ? item : item.name).trim());
  if ((options.deployments !== undefined && given.length === 0) || names.includes('')) problems.push('deployments must be non-empty names, e.g. gpt-4o,gpt-4o-mini');
  const repeated = names.filter((name, index) => name !== '' && names.indexOf(name) !== index);
  for (const name of new Set(repeated)) problems.push(`deployment "${name}" is declared twice; give each deployment once`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) problems.push(`seed must be a whole number, got ${String(seed)}`);
  const replyLength = options.replyLength ?? DEFAULT_REPLY_LENGTH;
  if (!(Number.isInteger(replyLength.minTokens) && replyLength.minTokens >= 1 && Number.isInteger(replyLength.maxTokens) && replyLength.maxTokens >= replyLength.minTokens)) {
    problems.push(`reply length must be whole numbers of tokens, 1 ≤ min ≤ max, got ${String(replyLength.minTokens)}-${String(replyLength.maxTokens)}`);
  }
  const replay = options.replay === undefined ? undefined : readRecordedAnswers(options.replay, problems);
  if (options.recordTo !== undefined && options.recordTo.trim() === '') problems.push('recordTo must be a file path');
  const region = options.region ?? 'East US';
  if (region.trim() === '') problems.push('region must not be empty; e.g. "East US"');
  if (options.apiKey !== undefined && options.apiKey === '') problems.push('apiKey must not be empty when given (leave it unset to accept any key)');

  let limiter: LimiterSpec | undefined;
  if (options.limiter !== undefined) {
    try {
      limiter = typeof options.limiter === 'string' ? parseLimiterSpec(options.limiter, 'limiter') : options.limiter;
      validateLimiterSpec(limiter);
    } catch (error) {
      if (error instanceof SimulatorConfigError) problems.push(...error.problems);
      else throw error;
    }
  }
  const realtime = resolveRealtimeSettings(profile, options.realtime);
  problems.push(...realtime.problems);
  if (problems.length > 0) throw new SimulatorConfigError(problems);

  const tpm = options.tpm ?? DEFAULT_TPM;
  const rpm = options.rpm ?? (RPM_PER_1K_TPM * tpm) / 1000;
  let deployments: Map<string, ResolvedDeployment> | undefined;
  if (options.deployments !== undefined || options.deploymentsFile !== undefined) {
    deployments = new Map();
    for (const item of given) {
      const resolved: ResolvedDeployment =
        typeof item === 'string' ? { name: item.trim(), model: undefined, kind: undefined, tpm, rpm } : resolveDeclaration({ ...item, name: item.name.trim() }, tpm, options.rpm);
      deployments.set(resolved.name, resolved);
    }
  }
  return {
    host,
    port,
    profile,
    tpm,
    rpm,
    requestWindowMs: options.requestWindowMs ?? (profile === 'openai' ? 60_000 : 10_000),
    tokenWindowMs: options.tokenWindowMs ?? 60_000,
    subsecondCap: options.subsecondCap ?? true,
    limiter,
    latency: options.latency,
    tokensPerSecond: options.tokensPerSecond,
    faultRate,
    faults,
    deployments,
    seed,
    replyLength,
    replay,
    recordTo: options.recordTo,
    region,
    apiKey: options.apiKey,
    requireKey: options.requireKey ?? true,
    clock: options.clock ?? (() => performance.now()),
    log: options.log,
    random: options.random ?? Math.random,
    slowBodyMs: options.slowBodyMs ?? 1000,
    realtime: realtime.settings,
  };
}
