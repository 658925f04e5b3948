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
import { DEFAULT_TRANSPORT_KIND, TRANSPORT_KINDS, type TransportKind } from '../run/transport/transport-kinds.js';
import { parseExpectations } from '../expect/parse.js';
import { readScenarioTargets, readTargetList, type NamedTargetOptions, type ScenarioTargetOptions } from './target-list.js';
import { clockSkewMs, readShardSettings, type ShardSettings } from './shard-options.js';
import { Problems, optionalChoice, optionalCount, optionalDuration, optionalNumber, type RawOptions } from './options.js';

/** Simulator profiles the embedded target can start with. */
export const SIM_PROFILES = ['azure-standard', 'azure-seed', 'azure-ptu', 'openai', 'azure-realtime', 'speech'] as const;

/** The target flags, as src/run/target.ts reads them. */
export type TargetFlags = TargetOptions;

/** Everything a sending command needs to know, validated. */
export interface RunSettings {
  targetFlags: TargetFlags;
  /** Several named targets (--target, or a scenario's `targets:`); empty for a one-target run. */
  targets: NamedTargetOptions[];
  /** Embedded simulator profile: from --sim, or the default when no target is given. */
  simProfile: string | null;
  payload: PayloadSpec;
  advertised: { tpm: number | null; rpm: number | null; rpmPer1kTpm: number; source: 'flags' | 'scenario' | 'none' };
  recordPath: string | null;
  json: boolean;
  format: 'table' | 'json' | 'markdown' | 'html' | null;
  /** Which transport sends the requests (src/run/transport/transport-choice.ts). */
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
  /** The shard flags (docs/sharding.md); null for a run that is neither split nor timed. */
  shard: ShardSettings | null;
  /** Test-only skew of this process's wall clock, ms (shard-options.ts: CLOCK_SKEW_ENV). */
  clockSkewMs: number;
}

/** What a scenario file may contribute (src/scenario), before flags override it. */
export interface ScenarioDefaults {
  target?: TargetFlags;
  /** A scenario's `targets:`; --target flags replace them. */
  targets?: ScenarioTargetOptions[];
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

/**
 * Flags whose empty value is refused, with the fix to name. Why: `--url "$AZURE_URL"` with
 * the variable unset arrives as `--url ""`; taken as "no target", it measured the embedded
 * simulator and passed a CI check against a fake. An empty key sent no key at all.
 */
const EMPTY_VALUE_FIXES: readonly (readonly [key: string, flag: string, fix: string])[] = [
  ['url', '--url', 'give the full request URL, or leave --url out to run against the embedded simulator'],
  ['endpoint', '--endpoint', 'give the resource URL (https://NAME.openai.azure.com), or leave --endpoint out to run against the embedded simulator'],
  ['deployment', '--deployment', 'give the deployment name, e.g. --deployment gpt-4o'],
  ['apiVersion', '--api-version', 'give a dated version, e.g. --api-version 2024-10-21, or leave it out for the default'],
  ['apiKey', '--api-key', 'give the key, or leave --api-key out (AZURE_OPENAI_API_KEY is read then)'],
  ['bearer', '--bearer', 'give the token, or leave --bearer out (AZURE_OPENAI_AD_TOKEN is read then)'],
  ['sim', '--sim', 'give a profile, e.g. --sim azure-seed'],
  ['model', '--model', 'give a model name, e.g. --model gpt-4o, or leave --model out'],
  ['body', '--body', 'give a file holding the JSON request body'],
  ['record', '--record', 'give a file path, or leave --record out for a new file under ./aoai-probe-runs/'],
  ['out', '--out', 'give a file path, or leave --out out to print on stdout'],
  ['junit', '--junit', 'give a file path, e.g. --junit results.xml'],
];

/** Reads and validates the shared flags; throws one InputError listing every problem. */
export function readRunSettings(raw: RawOptions, cwd: string, env: Record<string, string | undefined>, scenario: ScenarioDefaults = {}): RunSettings {
  const problems = new Problems();
  for (const [key, flag, fix] of EMPTY_VALUE_FIXES) {
    const value = raw[key];
    if (typeof value === 'string' && value.trim() === '') problems.add(`${flag} is empty (an unset variable?); ${fix}`);
  }
  // An empty value was named above; it then counts as absent, so it gets one message, not two.
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' && (raw[key] as string).trim() !== '' ? (raw[key] as string) : undefined);

  const targetFlags: TargetFlags = { ...scenario.target };
  for (const key of ['url', 'endpoint', 'deployment', 'apiVersion', 'apiKey', 'bearer'] as const) {
    const value = text(key);
    if (value !== undefined) targetFlags[key] = value;
  }
  if (raw.entra === true) targetFlags.entra = true;
  for (const [key, flag] of [['url', '--url'], ['endpoint', '--endpoint']] as const) {
    if (hasUserInformation(targetFlags[key])) {
      problems.add(`${flag} holds a user name or password (user:password@host); aoai-probe sends no basic auth, so it would be dropped: give the key with --api-key or --bearer and remove it from the URL`);
    }
  }
  const api = optionalChoice(problems, raw.api, '--api', ['classic', 'v1'] as const);
  if (api !== null) targetFlags.api = api;
  const kind = optionalChoice(problems, raw.kind, '--kind', ['chat', 'embeddings', 'responses'] as const) ?? 'chat';
  targetFlags.kind = kind;

  const flagTargets = readTargetList(problems, raw.target, raw.targetKey, targetFlags, env);
  const targets = flagTargets.length > 0 ? flagTargets : readScenarioTargets(problems, scenario.targets ?? [], targetFlags, env);
  if (targets.length > 0 && (targetFlags.url !== undefined || targetFlags.endpoint !== undefined || text('sim') !== undefined)) {
    problems.add('--target cannot be combined with --url, --endpoint or --sim: with several targets each --target names its own; drop one of them');
  }

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
    for (const [key, flag] of [['maxTokens', '--max-tokens'], ['promptTokens', '--prompt-tokens']] as const) {
      if (raw[key] !== undefined) problems.add(`${flag} does not change a --body file (it is sent as is); put the value in the file, or leave --body out`);
    }
    try {
      const bytes = statSync(resolve(cwd, bodyPath)).size;
      if (bytes > LARGEST_BODY_BYTES) {
        throw new BodyTooLarge(`is ${(bytes / 1024 / 1024).toFixed(1)} MiB, larger than the ${LARGEST_BODY_BYTES / 1024 / 1024} MiB one request may carry (every request sends it, and it is held in memory for the run)`);
      }
      body = JSON.parse(readFileSync(resolve(cwd, bodyPath), 'utf8'));
    } catch (error) {
      problems.add(`--body: ${bodyPath}: ${bodyProblem(error)}; give a file holding the JSON request body`);
    }
  }
  const model = text('model') ?? scenario.payload?.model ?? targetFlags.deployment ?? (env.AZURE_OPENAI_DEPLOYMENT?.trim() || undefined) ?? 'gpt-4o';
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
  // Azure derives RPM from TPM (6 per 1,000 TPM for gpt-4o-era models).
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
    targets,
    simProfile,
    payload,
    advertised: { tpm, rpm, rpmPer1kTpm: ratio, source: fromFlags ? 'flags' : fromScenario ? 'scenario' : 'none' },
    recordPath: text('record') ?? null,
    json,
    format,
    transport,
    proxy,
    outPath: text('out') ?? null,
    // The file's checks and the flags' together, each expression once (given in both, it was evaluated and reported twice).
    expectations: [...new Set([...(scenario.expect ?? []), ...((raw.expect as string[] | undefined) ?? [])])],
    junitPath: text('junit') ?? null,
    maxRequests: optionalCount(problems, raw.maxRequests, '--max-requests') ?? DEFAULT_MAX_REQUESTS,
    maxEstimatedTokens: optionalCount(problems, raw.maxEstimatedTokens, '--max-estimated-tokens') ?? DEFAULT_MAX_ESTIMATED_TOKENS,
    maxInFlight: optionalCount(problems, raw.maxInFlight, '--max-in-flight') ?? scenario.maxInFlight ?? null,
    timeoutMs: positiveDuration(problems, raw.timeout, '--timeout', 'e.g. --timeout 30s') ?? DEFAULT_TIMEOUT_MS,
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    quiet: raw.quiet === true,
    // --no-color only; NO_COLOR, FORCE_COLOR and TERM are read per stream by src/cli/terminal.ts.
    color: raw.color !== false,
    shard: readShardSettings(problems, raw, env),
    clockSkewMs: clockSkewMs(problems, env),
  };
  if (settings.outPath !== null && settings.format === null) {
    problems.add(`--out ${settings.outPath} takes the --format output; add --format html, markdown, json or table (or leave --out out)`);
  }
  // Files written after the run are checked now, so a typo cannot waste a measurement.
  for (const [flag, path] of [['--record', settings.recordPath], ['--out', settings.outPath], ['--junit', settings.junitPath], ['GITHUB_STEP_SUMMARY', env.GITHUB_STEP_SUMMARY || null]] as const) {
    const problem = path === null ? null : flag === '--record' ? recordingPathProblem(resolve(cwd, path)) : outputPathProblem(resolve(cwd, path));
    if (problem !== null) problems.add(`${flag}: ${path} ${problem}; give a file path in a folder you can write to`);
  }
  // The target and the expectations are checked here too, so one message lists every
  // problem of the command line (the session resolves them again from valid input).
  const emptyTarget = ['url', 'endpoint'].some((key) => typeof raw[key] === 'string' && text(key) === undefined);
  if (targets.length > 0) {
    for (const target of targets) {
      problems.attempt(() => resolveTarget({ ...target }, env));
    }
  } else if (simProfile === null && !emptyTarget) problems.attempt(() => resolveTarget({ ...targetFlags }, env));
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

/** Whether a URL carries `user:password@` (silently dropped by the transports). */
function hasUserInformation(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
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
 * {@link outputPathProblem}, and the recording must be a regular file: the run reads it
 * back for its analysis, so a device such as /dev/full (or /dev/null) or a pipe cannot
 * hold it. Found before sending, rather than an internal error after.
 */
function recordingPathProblem(path: string): string | null {
  try {
    const info = statSync(path);
    if (!info.isFile() && !info.isDirectory()) return 'is not a regular file (a device or a pipe); the recording is read back for the analysis';
  } catch {
    // Missing: outputPathProblem decides whether it can be created.
  }
  return outputPathProblem(path);
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

/**
 * The largest --body file. Azure OpenAI refuses request bodies above about 20 MB (images
 * included); a larger file is a mistake, not a measurement.
 */
const LARGEST_BODY_BYTES = 16 * 1024 * 1024;

class BodyTooLarge extends Error {}

/** Why a --body file could not be used, in a few words. */
function bodyProblem(error: unknown): string {
  if (error instanceof BodyTooLarge) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder';
  if (code !== undefined) return `cannot be read (${code})`;
  return 'not valid JSON';
}
