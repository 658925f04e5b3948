/**
 * Request bodies: chat completions by default, embeddings, responses,
 * or a fixed JSON body from `--body FILE`; each with the token charge the limiter
 * will estimate for it.
 *
 * Why pre-serialised: a run sends thousands of identical bodies. Each distinct
 * variant (max tokens × prompt tokens × stream) is built, serialised and measured
 * once, and the same Buffer goes out with every request of that variant, so a burst
 * spends no time in JSON.stringify or tiktoken.
 */
import type { PayloadDescription } from '../../record/types.js';
import type { PayloadOverrides, PayloadSpec } from '../types.js';
import {
  DEFAULT_PROMPT,
  DEFAULT_PROMPT_TOKENS,
  defaultMaxTokensForModel,
  encodingForModel,
  withTokenizer,
  type Tokenizer,
} from './tokens.js';

/** Which API operation the body is for; decides its shape and how the charge is estimated. */
export type PayloadEndpoint = 'chat' | 'embeddings' | 'responses';

/** One body ready to send, with what the recording needs to know about it. */
export interface PreparedPayload {
  body: Buffer;
  /** The limiter's expected charge at admission: prompt estimate + max tokens (see {@link estimateCharge}). */
  estimatedTokens: number;
  /** The output-token cap sent in the body, or null when the body leaves it unset. */
  maxTokens: number | null;
  stream: boolean;
  /** Exact prompt content tokens when the prompt was built to a size, else null. */
  promptTokens: number | null;
}

/** What the catalog needs to know about the target to shape bodies. */
export interface PayloadContext {
  /** The operation the target URL calls. For kind "body" it decides only the estimate. */
  endpoint: PayloadEndpoint;
  /**
   * Name sent as `model` when the payload has none: the deployment, for targets
   * whose URL does not name it (Azure v1, Responses API, OpenAI). Null = no `model` field.
   */
  fallbackModel: string | null;
}

/**
 * The catalog's context read from the target URL, the same for every transport:
 * the operation from the path's last segment, and the deployment as `model` unless
 * the path already names it (classic Azure `/deployments/NAME/` URLs).
 */
export function payloadContextOf(url: URL, deployment: string | null): PayloadContext {
  return { endpoint: endpointOfPath(url.pathname), fallbackModel: url.pathname.includes('/deployments/') ? null : deployment };
}

function endpointOfPath(pathname: string): PayloadEndpoint {
  if (/\/embeddings\/?$/.test(pathname)) return 'embeddings';
  if (/\/responses\/?$/.test(pathname)) return 'responses';
  return 'chat';
}

/**
 * Stands in for a payload variant that could not be built (e.g. an impossible
 * prompt size): the request is recorded as failed with these figures and never sent.
 */
export const UNBUILDABLE_PAYLOAD: PreparedPayload = { body: Buffer.alloc(0), estimatedTokens: 0, maxTokens: null, stream: false, promptTokens: null };

/**
 * All payload variants of a run, built on first use and reused. `get` is
 * synchronous so the transport can call it inside a burst's loop; `warm` builds
 * variants ahead of time so the first request of a variant pays nothing.
 */
export class PayloadCatalog {
  private readonly byKey = new Map<string, PreparedPayload>();
  private readonly byOverrides = new WeakMap<PayloadOverrides, PreparedPayload>();
  private defaultPayload: PreparedPayload | null = null;
  /** A --body prompt is counted once, whatever the overrides (loading an encoder costs ~100-250 ms). */
  private readonly promptCounts = new Map<string, number>();

  constructor(
    private readonly spec: PayloadSpec,
    private readonly context: PayloadContext,
  ) {}

  /** The payload for a request; `overrides` objects are cached by identity (one per phase). */
  get(overrides?: PayloadOverrides): PreparedPayload {
    if (overrides === undefined) return (this.defaultPayload ??= this.build(undefined));
    const known = this.byOverrides.get(overrides);
    if (known !== undefined) return known;
    const payload = this.build(overrides);
    this.byOverrides.set(overrides, payload);
    return payload;
  }

  /** Builds the default variant and the given ones now, loading tiktoken at most once. */
  warm(variants: readonly PayloadOverrides[] = []): void {
    const needTokenizer = [undefined, ...variants].some((overrides) => this.settingsOf(overrides).promptTokens !== null);
    if (!needTokenizer) {
      this.get();
      for (const overrides of variants) this.get(overrides);
      return;
    }
    withTokenizer(encodingForModel(this.modelName()), (tokenizer) => {
      this.defaultPayload ??= this.build(undefined, tokenizer);
      for (const overrides of variants) {
        if (!this.byOverrides.has(overrides)) this.byOverrides.set(overrides, this.build(overrides, tokenizer));
      }
    });
  }

  private build(overrides: PayloadOverrides | undefined, tokenizer?: Tokenizer): PreparedPayload {
    const settings = this.settingsOf(overrides);
    const key = `${settings.maxTokens}|${settings.promptTokens}|${settings.stream}`;
    const cached = this.byKey.get(key);
    if (cached !== undefined) return cached;
    if (settings.promptTokens !== null && (!Number.isInteger(settings.promptTokens) || settings.promptTokens < 1)) {
      throw new RangeError(`a prompt needs a whole number of tokens >= 1, got ${settings.promptTokens}`);
    }
    const payload =
      this.spec.kind === 'body'
        ? buildFixedBody(this.spec.body, overrides, this.context, this.modelName(), this.promptCounts)
        : tokenizer !== undefined || settings.promptTokens === null
          ? buildGeneratedBody(this.spec, settings, this.context, this.modelName(), tokenizer)
          : withTokenizer(encodingForModel(this.modelName()), (loaded) => buildGeneratedBody(this.spec, settings, this.context, this.modelName(), loaded));
    this.byKey.set(key, payload);
    return payload;
  }

  private settingsOf(overrides: PayloadOverrides | undefined): Settings {
    return {
      maxTokens: overrides?.maxTokens !== undefined ? overrides.maxTokens : this.spec.maxTokens,
      promptTokens: this.spec.kind === 'body' ? null : overrides?.promptTokens !== undefined ? overrides.promptTokens : this.spec.promptTokens,
      stream: overrides?.stream ?? this.spec.stream,
    };
  }

  private modelName(): string | null {
    return this.spec.model ?? this.context.fallbackModel;
  }
}

interface Settings {
  maxTokens: number | null;
  promptTokens: number | null;
  stream: boolean;
}

/**
 * The payload as the run line describes it: the spec without a `--body` file's
 * content (which can be large and is the user's data, not a parameter).
 */
export function describePayload(spec: PayloadSpec): PayloadDescription {
  return { kind: spec.kind, model: spec.model, maxTokens: spec.maxTokens, promptTokens: spec.promptTokens, stream: spec.stream };
}

/**
 * The charge Azure Standard estimates at admission:
 * chat and responses: prompt tokens + `max_tokens` (the model default when unset);
 * embeddings: ceil(characters of input / 4), which is what Azure was measured to
 * charge, not the real token count.
 */
export function estimateCharge(endpoint: PayloadEndpoint, promptTokens: number, promptCharacters: number, maxTokens: number | null, model: string | null): number {
  if (endpoint === 'embeddings') return Math.ceil(promptCharacters / 4);
  return promptTokens + (maxTokens ?? defaultMaxTokensForModel(model));
}

/**
 * Reasoning models (o-series, gpt-5) refuse `max_tokens` and take
 * `max_completion_tokens`; every other chat model takes `max_tokens`.
 */
function maxTokensField(model: string | null): 'max_tokens' | 'max_completion_tokens' {
  return /(^|[^a-z0-9])o[1-9]|gpt-?5/i.test(model ?? '') ? 'max_completion_tokens' : 'max_tokens';
}

function buildGeneratedBody(spec: PayloadSpec, settings: Settings, context: PayloadContext, model: string | null, tokenizer: Tokenizer | undefined): PreparedPayload {
  const endpoint = spec.kind === 'embeddings' || spec.kind === 'responses' ? spec.kind : 'chat';
  const content = settings.promptTokens === null ? DEFAULT_PROMPT : tokenizer!.promptOfTokens(settings.promptTokens);
  const promptTokens = settings.promptTokens ?? DEFAULT_PROMPT_TOKENS;
  const sentModel = spec.model ?? context.fallbackModel;
  const body: Record<string, unknown> = {};
  if (sentModel !== null) body.model = sentModel;
  let stream = false;
  let maxTokens: number | null = null;
  if (endpoint === 'embeddings') {
    body.input = content;
  } else if (endpoint === 'responses') {
    body.input = content;
    maxTokens = settings.maxTokens;
    if (maxTokens !== null) body.max_output_tokens = maxTokens;
    stream = settings.stream;
    if (stream) body.stream = true;
  } else {
    body.messages = [{ role: 'user', content }];
    maxTokens = settings.maxTokens;
    if (maxTokens !== null) body[maxTokensField(model)] = maxTokens;
    stream = settings.stream;
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
  }
  return {
    body: Buffer.from(JSON.stringify(body), 'utf8'),
    estimatedTokens: estimateCharge(endpoint, promptTokens, content.length, maxTokens, model),
    maxTokens,
    stream,
    promptTokens: settings.promptTokens,
  };
}

/**
 * A `--body FILE` body, sent as is except for explicit overrides (max tokens,
 * stream). Its prompt is counted with tiktoken once, from the text fields the APIs
 * read (`messages[].content`, `input`, `prompt`).
 */
function buildFixedBody(
  source: unknown,
  overrides: PayloadOverrides | undefined,
  context: PayloadContext,
  model: string | null,
  promptCounts: Map<string, number>,
): PreparedPayload {
  const body: Record<string, unknown> = isObject(source) ? { ...source } : {};
  const maxField = (['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const).find((name) => typeof body[name] === 'number');
  if (overrides?.maxTokens !== undefined) {
    const field = maxField ?? (context.endpoint === 'responses' ? 'max_output_tokens' : maxTokensField(model));
    if (overrides.maxTokens === null) delete body[field];
    else body[field] = overrides.maxTokens;
  }
  if (overrides?.stream !== undefined) body.stream = overrides.stream;
  const currentField = (['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const).find((name) => typeof body[name] === 'number');
  const maxTokens = currentField !== undefined ? (body[currentField] as number) : null;
  const text = promptTextOf(body);
  const bodyModel = typeof body.model === 'string' ? body.model : model;
  let promptTokens = promptCounts.get(text);
  if (promptTokens === undefined) {
    promptTokens = text.length === 0 ? 0 : withTokenizer(encodingForModel(bodyModel), (tokenizer) => tokenizer.count(text));
    promptCounts.set(text, promptTokens);
  }
  return {
    body: Buffer.from(JSON.stringify(isObject(source) ? body : source), 'utf8'),
    estimatedTokens: estimateCharge(context.endpoint, promptTokens, text.length, maxTokens, bodyModel),
    maxTokens,
    stream: body.stream === true,
    promptTokens: null,
  };
}

/** The prompt text of a body, as the APIs read it. */
function promptTextOf(body: Record<string, unknown>): string {
  const parts: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (isObject(value)) {
      if (typeof value.text === 'string') parts.push(value.text);
      if (value.content !== undefined) collect(value.content);
    }
  };
  collect(body.messages);
  collect(body.input);
  collect(body.prompt);
  collect(body.instructions);
  return parts.join('\n');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
