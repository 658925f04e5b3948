/**
 * Turns the shared flags of a sending command (and, for `run`, the scenario file's
 * globals) into one typed RunSettings, collecting every problem before anything is
 * sent. Flags win over the scenario file; the environment fills what neither gives.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PayloadSpec } from '../run/types.js';
import { resolveTarget, type TargetOptions } from '../run/target.js';
import { proxyUrlProblem, type ProxySettings } from '../run/proxy.js';
import { DEFAULT_TRANSPORT_KIND, TRANSPORT_KINDS, type TransportKind } from '../run/transport-choice.js';
import { parseExpectations } from '../expect/parse.js';
import { Problems, optionalChoice, optionalCount, optionalDuration, optionalNumber, type RawOptions } from './options.js';

/** Simulator profiles the embedded target can start with. */
export const SIM_PROFILES = ['azure-standard', 'azure-seed', 'azure-ptu', 'openai'] as const;

/** The target flags, as src/run/target.ts reads them. */
export type TargetFlags = TargetOptions;

/** Everything a sending command needs to know, validated. */
export interface RunSettings {
  targetFlags: TargetFlags;
  /** Embedded simulator profile: from --sim, or the default when no target is given. */
  simProfile: string | null;
  payload: PayloadSpec;
  advertised: { tpm: number | null; rpm: number | null; rpmPer1kTpm: number; source: 'flags' | 'scenario' | 'none' };
  recordPath: string | null;
  json: boolean;
  format: 'table' | 'json' | 'markdown' | 'html' | null;
  /** Which transport sends the requests (src/run/transport-choice.ts). */
  transport: TransportKind;
  /** `--proxy` and the proxy environment variables, as given (src/run/proxy.ts decides per target). */
  proxy: ProxySettings;
  outPath: string | null;
  expectations: string[];
  junitPath: string | null;
  maxRequests: number;
  /** Token budget of the consent check: plans estimated above it need --yes against real targets. */
  maxEstimatedTokens: number;
  maxInFlight: number | null;
  timeoutMs: number;
  yes: boolean;
  dryRun: boolean;
  quiet: boolean;
  color: boolean;
}

/** What a scenario file may contribute (src/scenario), before flags override it. */
export interface ScenarioDefaults {
  target?: TargetFlags;
  advertised?: { tpm?: number | null; rpm?: number | null; rpmPer1kTpm?: number | null };
  payload?: { maxTokens?: number | null; promptTokens?: number | null; stream?: boolean; model?: string | null };
  maxInFlight?: number | null;
  expect?: string[];
}

const DEFAULT_RPM_PER_1K_TPM = 6;
const DEFAULT_MAX_REQUESTS = 500;
/**
 * Why one million: the default plan (500 requests at ≈670 estimated tokens) stays far
 * below it, while a plan with large prompts or max_tokens (e.g. 300 requests of 4,000
 * tokens) asks first: such a plan can hold a deployment's whole token budget for minutes.
 */
const DEFAULT_MAX_ESTIMATED_TOKENS = 1_000_000;
/** The largest context window of any current model (gpt-4.1: 1,047,576): a larger prompt or max_tokens is a typo. */
const MAX_TOKENS_PER_REQUEST = 1_048_576;
const DEFAULT_TIMEOUT_MS = 60_000;

/** Reads and validates the shared flags; throws one InputError listing every problem. */
export function readRunSettings(raw: RawOptions, cwd: string, env: Record<string, string | undefined>, scenario: ScenarioDefaults = {}): RunSettings {
  const problems = new Problems();
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);

  const targetFlags: TargetFlags = { ...scenario.target };
  for (const key of ['url', 'endpoint', 'deployment', 'apiVersion', 'apiKey', 'bearer'] as const) {
    const value = text(key);
    if (value !== undefined) targetFlags[key] = value;
  }
  if (raw.entra === true) targetFlags.entra = true;
  const api = optionalChoice(problems, raw.api, '--api', ['classic', 'v1'] as const);
  if (api !== null) targetFlags.api = api;
  const kind = optionalChoice(problems, raw.kind, '--kind', ['chat', 'embeddings', 'responses'] as const) ?? 'chat';
  targetFlags.kind = kind;

  const simProfile = text('sim') ?? null;
  if (simProfile !== null && !(SIM_PROFILES as readonly string[]).includes(simProfile)) {
    problems.add(`--sim: "${simProfile}" is not a simulator profile; choose one of ${SIM_PROFILES.join(', ')}`);
  }
  if (simProfile !== null && (targetFlags.url || targetFlags.endpoint)) {
    problems.add('--sim cannot be combined with --url or --endpoint: --sim starts the embedded simulator as the target; drop one of them');
  }

  const maxTokens = tokenCount(problems, raw.maxTokens, '--max-tokens') ?? scenario.payload?.maxTokens ?? null;
  const promptTokens = tokenCount(problems, raw.promptTokens, '--prompt-tokens') ?? scenario.payload?.promptTokens ?? null;
  const bodyPath = text('body');
  let body: unknown;
  if (bodyPath !== undefined) {
    try {
      body = JSON.parse(readFileSync(resolve(cwd, bodyPath), 'utf8'));
    } catch (error) {
      problems.add(`--body: ${bodyPath}: ${bodyProblem(error)}; give a file holding the JSON request body`);
    }
  }
  const model = text('model') ?? scenario.payload?.model ?? targetFlags.deployment ?? env.AZURE_OPENAI_DEPLOYMENT ?? 'gpt-4o';
  const payload: PayloadSpec = {
    kind: bodyPath !== undefined ? 'body' : kind,
    model,
    maxTokens,
    promptTokens,
    stream: raw.stream === true || scenario.payload?.stream === true,
    ...(body !== undefined ? { body } : {}),
  };

  const tpmFlag = optionalCount(problems, raw.tpm, '--tpm');
  const rpmFlag = optionalCount(problems, raw.rpm, '--rpm');
  const ratio = optionalNumber(problems, raw.rpmPer1kTpm, '--rpm-per-1k-tpm') ?? scenario.advertised?.rpmPer1kTpm ?? DEFAULT_RPM_PER_1K_TPM;
  const tpm = tpmFlag ?? scenario.advertised?.tpm ?? null;
  const explicitRpm = rpmFlag ?? scenario.advertised?.rpm ?? null;
  // Azure derives RPM from TPM (6 per 1,000 TPM for gpt-4o-era models): azure-limits-facts.md §1.1.
  const rpm = explicitRpm ?? (tpm !== null ? (ratio * tpm) / 1000 : null);
  const fromFlags = tpmFlag !== null || rpmFlag !== null;
  const fromScenario = scenario.advertised?.tpm != null || scenario.advertised?.rpm != null;

  const format = optionalChoice(problems, raw.format, '--format', ['table', 'json', 'markdown', 'html'] as const);
  const transport = optionalChoice(problems, raw.transport, '--transport', TRANSPORT_KINDS) ?? DEFAULT_TRANSPORT_KIND;
  const proxy = readProxySettings(problems, text('proxy'), env);
  if (proxy.explicit !== undefined && transport === 'lean') {
    problems.add('--proxy cannot be used with --transport lean (the lean transport opens its own direct connections); drop --transport lean, or drop --proxy');
  }
  if (targetFlags.entra === true && transport === 'lean') {
    problems.add('--entra cannot be used with --transport lean (its request bytes are fixed before the run, and Entra ID tokens change during it); drop --transport lean, or use --bearer TOKEN with a token you fetched');
  }
  if (targetFlags.entra === true && simProfile !== null) {
    problems.add('--entra cannot be used with --sim: the embedded simulator takes any key and knows nothing of Entra ID; drop one of them');
  }
  const json = raw.json === true;
  if (json && format !== null && format !== 'json') {
    problems.add(`--json and --format ${format} both want stdout; use one of them (or --out FILE for the --format output)`);
  }

  const settings: RunSettings = {
    targetFlags,
    simProfile,
    payload,
    advertised: { tpm, rpm, rpmPer1kTpm: ratio, source: fromFlags ? 'flags' : fromScenario ? 'scenario' : 'none' },
    recordPath: text('record') ?? null,
    json,
    format,
    transport,
    proxy,
    outPath: text('out') ?? null,
    expectations: [...(scenario.expect ?? []), ...((raw.expect as string[] | undefined) ?? [])],
    junitPath: text('junit') ?? null,
    maxRequests: optionalCount(problems, raw.maxRequests, '--max-requests') ?? DEFAULT_MAX_REQUESTS,
    maxEstimatedTokens: optionalCount(problems, raw.maxEstimatedTokens, '--max-estimated-tokens') ?? DEFAULT_MAX_ESTIMATED_TOKENS,
    maxInFlight: optionalCount(problems, raw.maxInFlight, '--max-in-flight') ?? scenario.maxInFlight ?? null,
    timeoutMs: positiveDuration(problems, raw.timeout, '--timeout', 'e.g. --timeout 30s') ?? DEFAULT_TIMEOUT_MS,
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    quiet: raw.quiet === true,
    color: raw.color !== false && env.NO_COLOR === undefined,
  };
  if (settings.outPath !== null && settings.format === null) {
    problems.add(`--out ${settings.outPath} takes the --format output; add --format html, markdown, json or table (or leave --out out)`);
  }
  // Files written after the run are checked now, so a typo cannot waste a measurement.
  for (const [flag, path] of [['--record', settings.recordPath], ['--out', settings.outPath], ['--junit', settings.junitPath], ['GITHUB_STEP_SUMMARY', env.GITHUB_STEP_SUMMARY || null]] as const) {
    const problem = path === null ? null : outputPathProblem(resolve(cwd, path));
    if (problem !== null) problems.add(`${flag}: ${path} ${problem}; give a file path in a folder you can write to`);
  }
  // The target and the expectations are checked here too, so one message lists every
  // problem of the command line (the session resolves them again from valid input).
  if (simProfile === null) problems.attempt(() => resolveTarget({ ...targetFlags }, env));
  problems.attempt(() => parseExpectations(settings.expectations));
  problems.throwIfAny();
  return settings;
}

/**
 * `--proxy` (checked now) and the environment's proxy variables, upper- or lower-case
 * (lower-case wins, as in curl and undici). The environment's URLs are checked when a
 * target would use them (src/cli/session.ts), so a stale variable only matters then.
 */
function readProxySettings(problems: Problems, flag: string | undefined, env: Record<string, string | undefined>): ProxySettings {
  const settings: ProxySettings = {};
  if (flag !== undefined) {
    const problem = proxyUrlProblem(flag);
    if (problem !== null) problems.add(`--proxy: the value ${problem}; write it like --proxy http://proxy.example.com:3128`);
    else settings.explicit = flag;
  }
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY;
  const noProxy = env.no_proxy ?? env.NO_PROXY;
  if (httpProxy !== undefined && httpProxy.trim() !== '') settings.httpProxy = httpProxy;
  if (httpsProxy !== undefined && httpsProxy.trim() !== '') settings.httpsProxy = httpsProxy;
  if (noProxy !== undefined) settings.noProxy = noProxy;
  return settings;
}

/** A token count flag: a whole number no larger than any model's context window. */
function tokenCount(problems: Problems, raw: unknown, flag: string): number | null {
  const value = optionalCount(problems, raw, flag);
  if (value !== null && value > MAX_TOKENS_PER_REQUEST) {
    problems.add(`${flag}: ${value.toLocaleString('en-US')} is more tokens than any model accepts in one request (at most ${MAX_TOKENS_PER_REQUEST.toLocaleString('en-US')}); e.g. ${flag} 1000`);
    return null;
  }
  return value;
}

/** A duration flag that must be above zero when given. */
function positiveDuration(problems: Problems, raw: unknown, flag: string, example: string): number | null {
  const value = optionalDuration(problems, raw, flag);
  if (value === 0) {
    problems.add(`${flag}: the duration must be above zero; ${example}`);
    return null;
  }
  return value;
}

/**
 * Why a file the run will write cannot be written, or null when it can: the path is a
 * folder, a file stands where a folder must be, or the nearest existing folder is not
 * writable. Missing folders are fine (they are created).
 */
export function outputPathProblem(path: string): string | null {
  let existing = path;
  for (;;) {
    let info;
    try {
      info = statSync(existing);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return null;
      existing = parent;
      continue;
    }
    if (existing === path) {
      if (info.isDirectory()) return 'is a folder';
      return writable(path) ? null : 'cannot be written (no permission)';
    }
    if (!info.isDirectory()) return `cannot be created: ${existing} is a file, not a folder`;
    return writable(existing) ? null : `cannot be created: no permission to write in ${existing}`;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why a --body file could not be used, in a few words. */
function bodyProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder';
  if (code !== undefined) return `cannot be read (${code})`;
  return 'not valid JSON';
}
