/**
 * Where requests go: flags and environment → a TargetSpec with the
 * full request URL and the credentials, or null when nothing was given (the CLI
 * then starts the embedded simulator).
 *
 * Environment names are those of the official `openai` SDK's `AzureOpenAI` client
 * (`AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_AD_TOKEN`,
 * `OPENAI_API_VERSION`) plus `AZURE_OPENAI_DEPLOYMENT`, a widespread convention
 * (Azure samples and many tools) that the SDK itself does not read. Flags win over
 * the environment.
 *
 * Why credentials from the environment are matched to the target: a key must only
 * go where it belongs. Azure variables are sent to Azure-looking targets only;
 * `OPENAI_API_KEY` only to api.openai.com or an OpenAI-compatible path
 * (`/chat/completions`, `/embeddings`, `/responses`, `/completions`). A generic
 * `--url` of some other API gets no credential unless a flag gives one.
 */
import { InputError } from '../errors.js';
import { redactUrl } from '../record/redact.js';
import type { TargetDescription, TargetKind } from '../record/types.js';
import type { TargetAuth, TargetSpec } from './types.js';

/** Dated API version used with `--endpoint` when none is given: the latest GA in the docs. */
export const DEFAULT_API_VERSION = '2024-10-21';
/** The classic Responses API exists only in preview versions; this is the documented one. */
export const DEFAULT_RESPONSES_API_VERSION = '2025-04-01-preview';

/** Which endpoint of the API a target calls. */
export type EndpointKind = 'chat' | 'embeddings' | 'responses';

/** The target flags, as the CLI or a scenario gives them (all optional). */
export interface TargetOptions {
  url?: string;
  endpoint?: string;
  deployment?: string;
  apiVersion?: string;
  api?: 'classic' | 'v1';
  apiKey?: string;
  bearer?: string;
  kind?: EndpointKind;
  /** Id of the target in the recording. Default "default". */
  id?: string;
}

/** The environment variables read here (a plain map, so tests pass their own). */
export type TargetEnvironment = Readonly<Record<string, string | undefined>>;

const API_STYLES = ['classic', 'v1'] as const;
const ENDPOINT_KINDS: readonly EndpointKind[] = ['chat', 'embeddings', 'responses'];
const AZURE_HOST_SUFFIXES = ['.openai.azure.com', '.cognitiveservices.azure.com', '.services.ai.azure.com', '.azure-api.net'];
const OPENAI_STYLE_PATH = /\/(?:chat\/completions|completions|embeddings|responses)\/?$/;
const AZURE_DEPLOYMENT_IN_PATH = /\/openai\/deployments\/([^/]+)\//;

/**
 * Builds the target from flags and environment. Returns null when no target was
 * given at all. Throws InputError listing every problem with its fix.
 */
export function resolveTarget(options: TargetOptions, env: TargetEnvironment): TargetSpec | null {
  const flags = cleanOptions(options);
  const environment = {
    endpoint: clean(env.AZURE_OPENAI_ENDPOINT),
    deployment: clean(env.AZURE_OPENAI_DEPLOYMENT),
    apiVersion: clean(env.OPENAI_API_VERSION),
    azureKey: clean(env.AZURE_OPENAI_API_KEY),
    azureToken: clean(env.AZURE_OPENAI_AD_TOKEN),
    openaiKey: clean(env.OPENAI_API_KEY),
  };
  const problems: string[] = [];
  const kind = flags.kind ?? 'chat';
  const api = flags.api ?? 'classic';
  if (flags.kind !== undefined && !ENDPOINT_KINDS.includes(flags.kind)) {
    problems.push(`--kind: "${flags.kind}" is not a kind; use one of ${ENDPOINT_KINDS.join(', ')}`);
  }
  if (flags.api !== undefined && !API_STYLES.includes(flags.api)) {
    problems.push(`--api: "${flags.api}" is not an API style; use classic (deployment in the path, dated api-version) or v1`);
  }
  if (flags.apiKey !== undefined && flags.bearer !== undefined) {
    problems.push('--api-key and --bearer were both given; a request carries one credential, so keep only one of them');
  }

  if (flags.url !== undefined && flags.endpoint !== undefined) {
    problems.push('--url and --endpoint were both given; use --url for a full request URL, or --endpoint with --deployment for Azure');
    throw new InputError(problems);
  }

  if (flags.url !== undefined) {
    const spec = resolveUrlTarget(flags, environment, problems);
    if (problems.length > 0) throw new InputError(problems);
    return spec;
  }

  const endpoint = flags.endpoint ?? environment.endpoint;
  if (endpoint === undefined) {
    const given = (['deployment', 'apiVersion', 'api', 'apiKey', 'bearer'] as const).filter((name) => flags[name] !== undefined);
    if (given.length > 0) {
      problems.push(
        `${given.map(flagName).join(', ')} ${given.length === 1 ? 'was' : 'were'} given without a target; add --endpoint URL --deployment NAME (or set AZURE_OPENAI_ENDPOINT), or --url URL. With no target at all, aoai-probe runs against its embedded simulator`,
      );
    }
    if (problems.length > 0) throw new InputError(problems);
    return null;
  }

  const source = flags.endpoint !== undefined ? '--endpoint' : 'AZURE_OPENAI_ENDPOINT';
  const spec = resolveEndpointTarget({ ...flags, endpoint, kind, api }, source, environment, problems);
  if (problems.length > 0) throw new InputError(problems);
  return spec;
}

/**
 * The target as written to the recording: same URL with secrets removed, never the credentials.
 */
export function describeTarget(spec: TargetSpec): TargetDescription {
  const description: TargetDescription = { id: spec.id, kind: spec.kind, url: redactUrl(spec.url), deployment: spec.deployment };
  if (spec.profile !== undefined) description.profile = spec.profile;
  return description;
}

/** Every credential of the targets, for the recording writer's redaction list. */
export function targetSecrets(specs: readonly TargetSpec[]): string[] {
  return specs.flatMap((spec) => [spec.auth.apiKey, spec.auth.bearer].filter((secret): secret is string => secret !== undefined));
}

/** Options of {@link simulatorTarget}. */
export interface SimulatorTargetOptions {
  /** Base URL the embedded simulator listens on, e.g. `http://127.0.0.1:41234`. */
  endpoint: string;
  deployment: string;
  profile: string;
  kind?: EndpointKind;
  apiVersion?: string;
  id?: string;
  /** A key to send, for a simulator that requires one (it answers 401 without a key unless told otherwise). */
  apiKey?: string;
}

/**
 * The embedded simulator as a target: Azure-shaped URL (the simulator serves the
 * classic Azure paths), kind "simulator", and no credentials unless `apiKey` is given.
 */
export function simulatorTarget(options: SimulatorTargetOptions): TargetSpec {
  const kind = options.kind ?? 'chat';
  const apiVersion = options.apiVersion ?? (kind === 'responses' ? DEFAULT_RESPONSES_API_VERSION : DEFAULT_API_VERSION);
  return {
    id: options.id ?? 'default',
    kind: 'simulator',
    url: classicUrl(trimSlashes(options.endpoint), options.deployment, kind, apiVersion),
    deployment: options.deployment,
    auth: options.apiKey !== undefined ? { apiKey: options.apiKey } : {},
    profile: options.profile,
  };
}

/** TargetOptions with blank values left out (see cleanOptions): the same fields. */
type CleanOptions = TargetOptions;

interface CleanEnvironment {
  endpoint?: string;
  deployment?: string;
  apiVersion?: string;
  azureKey?: string;
  azureToken?: string;
  openaiKey?: string;
}

function resolveUrlTarget(flags: CleanOptions, environment: CleanEnvironment, problems: string[]): TargetSpec | null {
  const url = parseHttpUrl(flags.url!);
  if (url === null) {
    problems.push(`--url: "${redactUrl(flags.url!)}" is not an absolute http(s) URL; write it like https://host/path`);
    return null;
  }
  if (flags.api === 'v1') problems.push('--api v1 applies to --endpoint; with --url, write the full path (e.g. https://host/openai/v1/chat/completions)');
  if (flags.apiVersion !== undefined) problems.push('--api-version applies to --endpoint; with --url, put ?api-version=... in the URL itself');

  const kind = kindOfUrl(url);
  const deploymentInPath = AZURE_DEPLOYMENT_IN_PATH.exec(url.pathname)?.[1];
  const deployment = deploymentInPath !== undefined ? decodeURIComponent(deploymentInPath) : (flags.deployment ?? null);
  let auth: TargetAuth;
  if (kind === 'azure') {
    auth = credentials(flags, environment.azureKey, environment.azureToken);
  } else {
    const openaiStyle = kind === 'openai' || OPENAI_STYLE_PATH.test(url.pathname);
    auth = credentials(flags, undefined, openaiStyle ? environment.openaiKey : undefined);
  }
  return { id: flags.id ?? 'default', kind, url: url.href, deployment, auth };
}

function resolveEndpointTarget(
  flags: CleanOptions & { endpoint: string; kind: EndpointKind; api: 'classic' | 'v1' },
  source: '--endpoint' | 'AZURE_OPENAI_ENDPOINT',
  environment: CleanEnvironment,
  problems: string[],
): TargetSpec | null {
  const endpoint = parseHttpUrl(flags.endpoint);
  if (endpoint === null) {
    problems.push(`${source}: "${redactUrl(flags.endpoint)}" is not an absolute http(s) URL; write it like https://NAME.openai.azure.com`);
  } else if (endpoint.search !== '' || endpoint.hash !== '') {
    problems.push(`${source}: "${redactUrl(flags.endpoint)}" has a query string; give the resource URL only (https://NAME.openai.azure.com), or use --url for a full request URL`);
  } else if (/\/openai(\/|$)/.test(endpoint.pathname)) {
    problems.push(`${source}: "${redactUrl(flags.endpoint)}" looks like a full request URL; give the resource URL only (https://NAME.openai.azure.com), or pass it as --url`);
  }
  const deployment = flags.deployment ?? environment.deployment;
  if (deployment === undefined) {
    problems.push(`${source} needs a deployment: add --deployment NAME (or set AZURE_OPENAI_DEPLOYMENT)`);
  }
  if (flags.api === 'v1' && flags.apiVersion !== undefined) {
    problems.push('--api-version does not apply to --api v1 (the v1 API has no dated versions); drop one of them');
  }
  if (problems.length > 0 || endpoint === null || deployment === undefined) return null;

  const base = trimSlashes(`${endpoint.origin}${endpoint.pathname}`);
  const url =
    flags.api === 'v1'
      ? `${base}/openai/v1/${pathOf(flags.kind)}`
      : classicUrl(base, deployment, flags.kind, flags.apiVersion ?? environment.apiVersion ?? defaultApiVersion(flags.kind));
  return {
    id: flags.id ?? 'default',
    kind: 'azure',
    url,
    deployment,
    auth: credentials(flags, environment.azureKey, environment.azureToken),
  };
}

/** Classic Azure paths: the deployment in the path, except the Responses API (deployment in `model`). */
function classicUrl(base: string, deployment: string, kind: EndpointKind, apiVersion: string): string {
  const version = `api-version=${encodeURIComponent(apiVersion)}`;
  if (kind === 'responses') return `${base}/openai/responses?${version}`;
  return `${base}/openai/deployments/${encodeURIComponent(deployment)}/${pathOf(kind)}?${version}`;
}

function pathOf(kind: EndpointKind): string {
  return kind === 'chat' ? 'chat/completions' : kind;
}

function defaultApiVersion(kind: EndpointKind): string {
  return kind === 'responses' ? DEFAULT_RESPONSES_API_VERSION : DEFAULT_API_VERSION;
}

/** Flags first; then the environment's key; then its bearer token. */
function credentials(flags: CleanOptions, environmentKey: string | undefined, environmentBearer: string | undefined): TargetAuth {
  if (flags.apiKey !== undefined) return { apiKey: flags.apiKey };
  if (flags.bearer !== undefined) return { bearer: flags.bearer };
  if (environmentKey !== undefined) return { apiKey: environmentKey };
  if (environmentBearer !== undefined) return { bearer: environmentBearer };
  return {};
}

function kindOfUrl(url: URL): TargetKind {
  const host = url.hostname.toLowerCase();
  if (host === 'api.openai.com') return 'openai';
  if (AZURE_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix))) return 'azure';
  if (url.pathname.includes('/openai/deployments/') || url.pathname.startsWith('/openai/v1/')) return 'azure';
  return 'http';
}

function parseHttpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function trimSlashes(text: string): string {
  return text.replace(/\/+$/, '');
}

function clean(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function cleanOptions(options: TargetOptions): CleanOptions {
  const result: CleanOptions = {};
  for (const [name, value] of Object.entries(options) as [keyof TargetOptions, string | undefined][]) {
    const cleaned = clean(value);
    if (cleaned !== undefined) (result as Record<string, string>)[name] = cleaned;
  }
  return result;
}

function flagName(name: 'deployment' | 'apiVersion' | 'api' | 'apiKey' | 'bearer'): string {
  return { deployment: '--deployment', apiVersion: '--api-version', api: '--api', apiKey: '--api-key', bearer: '--bearer' }[name];
}
