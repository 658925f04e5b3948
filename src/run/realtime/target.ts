/**
 * Realtime targets: a `ws://` / `wss://` URL, or `--endpoint … --deployment …`
 * built into a realtime URL by `--api`:
 * - `classic` (default): Azure's `/openai/realtime?api-version=…&deployment=…`;
 * - `v1`: Azure's `/openai/v1/realtime?model=…`;
 * - `voice-live`: Azure Voice Live's `/voice-live/realtime?api-version=…&model=…`;
 * - `openai` (the default for an api.openai.com endpoint): `/v1/realtime?model=…`.
 * OpenAI's can as well be given as a URL: `wss://api.openai.com/v1/realtime?model=…`.
 *
 * Credentials as for HTTP targets (src/run/target.ts): flags first; the Azure
 * variables only go to Azure-looking hosts, `OPENAI_API_KEY` only to
 * api.openai.com; any other URL gets a credential only from a flag.
 */
import { InputError } from '../../errors.js';
import { redactUrl } from '../../record/redact.js';
import type { TargetAuth, TargetSpec } from '../types.js';

/** The realtime API version used with --endpoint when none is given. */
export const DEFAULT_REALTIME_API_VERSION = '2025-04-01-preview';

/** The Voice Live API version used with `--api voice-live` when none is given (docs/realtime.md). */
export const DEFAULT_VOICE_LIVE_API_VERSION = '2025-10-01';

/** The URL shapes `--api` picks between for an --endpoint. */
export const REALTIME_API_STYLES = ['classic', 'v1', 'voice-live', 'openai'] as const;
type RealtimeApiStyle = (typeof REALTIME_API_STYLES)[number];

const OPENAI_HOST = 'api.openai.com';

const AZURE_HOST_SUFFIXES = ['.openai.azure.com', '.cognitiveservices.azure.com', '.services.ai.azure.com', '.azure-api.net'];

/** The target flags of a realtime run. */
export interface RealtimeTargetOptions {
  url?: string;
  endpoint?: string;
  deployment?: string;
  apiVersion?: string;
  api?: string;
  apiKey?: string;
  bearer?: string;
  id?: string;
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function parse(text: string, protocols: readonly string[]): URL | null {
  try {
    const url = new URL(text);
    return protocols.includes(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

/** Builds the target, or null when none was given (the embedded simulator then serves). Throws InputError listing every problem. */
export function resolveRealtimeTarget(options: RealtimeTargetOptions, env: Readonly<Record<string, string | undefined>>): TargetSpec | null {
  const problems: string[] = [];
  const url = clean(options.url);
  const endpoint = clean(options.endpoint) ?? (url === undefined ? clean(env.AZURE_OPENAI_ENDPOINT) : undefined);
  const apiKey = clean(options.apiKey);
  const bearer = clean(options.bearer);
  if (apiKey !== undefined && bearer !== undefined) problems.push('--api-key and --bearer were both given; a session carries one credential, so keep only one of them');
  if (url !== undefined && clean(options.endpoint) !== undefined) problems.push('--url and --endpoint were both given; use --url for a ws:// or wss:// URL, or --endpoint with --deployment for Azure');
  if (problems.length > 0) throw new InputError(problems);
  if (url === undefined && endpoint === undefined) return null;

  let target: URL;
  let deployment: string | null = null;
  if (url !== undefined) {
    const parsed = parse(url, ['ws:', 'wss:']);
    if (parsed === null) throw new InputError(`--url: "${redactUrl(url)}" is not a ws:// or wss:// URL; write it like wss://NAME.openai.azure.com/openai/realtime?api-version=${DEFAULT_REALTIME_API_VERSION}&deployment=gpt-realtime`);
    target = parsed;
    deployment = parsed.searchParams.get('deployment') ?? parsed.searchParams.get('model');
  } else {
    const parsed = parse(endpoint!, ['https:', 'http:', 'wss:', 'ws:']);
    deployment = clean(options.deployment) ?? clean(env.AZURE_OPENAI_DEPLOYMENT) ?? null;
    if (parsed === null) problems.push(`--endpoint: "${redactUrl(endpoint!)}" is not an absolute URL; write it like https://NAME.openai.azure.com`);
    if (deployment === null) problems.push('--endpoint needs a deployment: add --deployment NAME (or set AZURE_OPENAI_DEPLOYMENT)');
    const openAiHost = parsed?.hostname.toLowerCase() === OPENAI_HOST;
    const api = clean(options.api) ?? (openAiHost ? 'openai' : 'classic');
    if (!(REALTIME_API_STYLES as readonly string[]).includes(api)) problems.push(`--api: "${api}" is not an API style; use ${REALTIME_API_STYLES.join(', ')}`);
    if ((api === 'v1' || api === 'openai') && clean(options.apiVersion) !== undefined) problems.push(`--api-version does not apply to --api ${api}; drop one of them`);
    if (problems.length > 0 || parsed === null || deployment === null) throw new InputError(problems);
    const base = `${parsed.protocol === 'http:' || parsed.protocol === 'ws:' ? 'ws:' : 'wss:'}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
    target = new URL(`${base}${realtimePathAndQuery(api as RealtimeApiStyle, deployment, clean(options.apiVersion) ?? clean(env.OPENAI_API_VERSION))}`);
  }

  const host = target.hostname.toLowerCase();
  // An --endpoint counts as Azure (a loopback simulator, a gateway) unless it is OpenAI's own host: Azure keys never go there.
  const azure = AZURE_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix)) || (url === undefined && host !== OPENAI_HOST);
  let auth: TargetAuth = {};
  if (apiKey !== undefined) auth = { apiKey };
  else if (bearer !== undefined) auth = { bearer };
  else if (azure && clean(env.AZURE_OPENAI_API_KEY) !== undefined) auth = { apiKey: clean(env.AZURE_OPENAI_API_KEY)! };
  else if (azure && clean(env.AZURE_OPENAI_AD_TOKEN) !== undefined) auth = { bearer: clean(env.AZURE_OPENAI_AD_TOKEN)! };
  else if (host === OPENAI_HOST && clean(env.OPENAI_API_KEY) !== undefined) auth = { bearer: clean(env.OPENAI_API_KEY)! };
  return { id: clean(options.id) ?? 'default', kind: 'realtime', url: target.href, deployment, auth };
}

/** The path and query of each API style, for `deployment` (the model, for the styles that name a model). */
function realtimePathAndQuery(api: RealtimeApiStyle, deployment: string, apiVersion: string | undefined): string {
  const name = encodeURIComponent(deployment);
  if (api === 'v1') return `/openai/v1/realtime?model=${name}`;
  if (api === 'openai') return `/v1/realtime?model=${name}`;
  if (api === 'voice-live') return `/voice-live/realtime?api-version=${encodeURIComponent(apiVersion ?? DEFAULT_VOICE_LIVE_API_VERSION)}&model=${name}`;
  return `/openai/realtime?api-version=${encodeURIComponent(apiVersion ?? DEFAULT_REALTIME_API_VERSION)}&deployment=${name}`;
}

/** The embedded simulator's realtime URL (Azure path) with the key it wants. */
export function simulatorRealtimeTarget(baseUrl: string, deployment: string, profile: string): TargetSpec {
  const url = `${baseUrl.replace(/^http/, 'ws')}/openai/realtime?api-version=${DEFAULT_REALTIME_API_VERSION}&deployment=${encodeURIComponent(deployment)}`;
  return { id: 'default', kind: 'realtime', url, deployment, auth: { apiKey: 'embedded-simulator-key' }, profile };
}
