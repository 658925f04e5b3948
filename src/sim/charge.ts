/**
 * What a request is charged at admission, per research on Azure's limits
 * (docs/probe.md tells the story). The charge is an *estimate* taken when the
 * request arrives, never the real usage: `max_tokens` in full plus a
 * character-based prompt estimate. Azure documents the estimate as "based in
 * part on the character count" and bills real tokens afterwards, so the
 * simulator keeps the two apart on purpose: admission counts characters,
 * `usage` in the answer counts tiktoken tokens (usage.ts). The prober's own
 * estimate of each request's charge is compared with these figures, so the
 * arithmetic here stays what it was measured to be.
 *
 * Calibration (Azure Standard, measured in 2024):
 * - gpt-4 / gpt-4o chat: max_tokens 1000 with a ~90-character body → 1008; the
 *   same body without max_tokens → 648. With the prompt estimate ceil(chars/4) of
 *   the message contents (a ~90-character body holds ~30 characters of content,
 *   8 tokens), the hidden default is 648 − 8 = 640.
 * - gpt-35-turbo chat: max_tokens in full, prompt not added; unset → a flat 16.
 * - embeddings: ceil(characters / 4) of each input, summed (a list of inputs is
 *   rounded per input, as each is embedded on its own).
 * - legacy completions: prompt + `max_tokens` (16 when unset, the API's
 *   default) for each of `max(n, best_of)` candidates.
 * - OpenAI: the larger of max_tokens and the character estimate.
 */
import { COMPLETIONS_DEFAULT_MAX_TOKENS, DEFAULT_COMPLETION_ESTIMATE, GPT35_FLAT_CHARGE, isGpt35, modelFacts, type ModelFacts } from './models.js';

/** The API operations the simulator serves. */
export type Operation = 'chat' | 'embeddings' | 'responses' | 'completions';

/** Azure's hidden completion estimate for gpt-4-class chat models when max_tokens is unset. */
export const AZURE_DEFAULT_COMPLETION_ESTIMATE = DEFAULT_COMPLETION_ESTIMATE;
/** Azure's flat charge for gpt-35-turbo chat when max_tokens is unset. */
export const AZURE_GPT35_DEFAULT_CHARGE = GPT35_FLAT_CHARGE;
/** The flat charge of the azure-seed profile (PRODUCT §1). */
export const SEED_FLAT_CHARGE = 648;
/** Characters per token of the character-based estimates. */
export const CHARACTERS_PER_TOKEN = 4;

/** One message of a prompt, as the tokenizer counts it. */
export interface PromptMessage {
  role: string;
  /** The message's `name`, when given (it costs tokens too). */
  name: string | undefined;
  text: string;
}

/** What the simulator needs to know about a request body. */
export interface RequestFacts {
  operation: Operation;
  /** `model` from the body, when present (the deployment on v1 paths). */
  model: string | undefined;
  /** Characters of the prompt: message contents, `input`, `prompt`, `instructions`. */
  promptCharacters: number;
  /** Characters of each embeddings input (absent: one input of promptCharacters). */
  inputCharacters?: readonly number[];
  /** Chat and responses: the messages, for the real token count of `usage`. */
  messages?: readonly PromptMessage[];
  /** Embeddings and completions: each input as text, or a token array's length. */
  inputs?: ReadonlyArray<string | number>;
  /** `max_tokens`, `max_completion_tokens` or `max_output_tokens`, when set. */
  maxTokens: number | undefined;
  /** `n` (chat choices), at least 1. */
  choices: number;
  /** Legacy completions: `best_of`, at least 1. */
  bestOf?: number;
  stream: boolean;
  /** `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Embeddings: how many inputs, the requested dimensions and encoding. */
  inputCount: number;
  dimensions: number | undefined;
  encodingFormat: 'float' | 'base64';
}

/** The character-based prompt estimate, ceil(characters / 4). */
export function promptTokenEstimate(facts: RequestFacts): number {
  return Math.ceil(facts.promptCharacters / CHARACTERS_PER_TOKEN);
}

/** The embeddings estimate: ceil(characters / 4) per input, summed; at least 1. */
export function embeddingsEstimate(facts: RequestFacts): number {
  const inputs = facts.inputCharacters;
  if (inputs === undefined) return Math.max(1, promptTokenEstimate(facts));
  let total = 0;
  for (const characters of inputs) total += Math.ceil(characters / CHARACTERS_PER_TOKEN);
  return Math.max(1, total);
}

export { isGpt35 } from './models.js';

/** The Azure Standard (and PTU) admission estimate, in tokens, for a model (its name or its facts). */
export function azureCharge(facts: RequestFacts, model: string | ModelFacts): number {
  if (facts.operation === 'embeddings') return embeddingsEstimate(facts);
  const prompt = promptTokenEstimate(facts);
  if (facts.operation === 'completions') {
    return prompt + (facts.maxTokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS) * Math.max(facts.choices, facts.bestOf ?? 1);
  }
  const defaultCharge = typeof model === 'string' ? (isGpt35(model) ? { flat: GPT35_FLAT_CHARGE } : undefined) : model.defaultCharge;
  if (defaultCharge !== undefined && 'flat' in defaultCharge) return (facts.maxTokens ?? defaultCharge.flat) * facts.choices;
  const estimate = defaultCharge?.completionEstimate ?? DEFAULT_COMPLETION_ESTIMATE;
  return prompt + (facts.maxTokens ?? estimate) * facts.choices;
}

/** OpenAI's admission estimate: the larger of max_tokens and the character estimate. */
export function openaiCharge(facts: RequestFacts): number {
  if (facts.operation === 'embeddings') return embeddingsEstimate(facts);
  const prompt = promptTokenEstimate(facts);
  const maxTokens = facts.maxTokens ?? (facts.operation === 'completions' ? COMPLETIONS_DEFAULT_MAX_TOKENS : 0);
  return Math.max(1, maxTokens * Math.max(facts.choices, facts.bestOf ?? 1), prompt);
}

/**
 * The model behind an undeclared deployment. Deployment names are free text on
 * Azure; when a name looks like a model (gpt-…, o1…, text-embedding-…) that
 * model is assumed, otherwise gpt-4o for chat, text-embedding-3-small for
 * embeddings and gpt-35-turbo-instruct for legacy completions. Declared
 * deployments (`--deployment NAME:model=…`) need no guess.
 */
export function modelForDeployment(deployment: string, operation: Operation): string {
  if (/^(gpt-|gpt3|gpt4|o\d|text-embedding|chatgpt|davinci|babbage)/i.test(deployment)) return deployment;
  if (operation === 'embeddings') return 'text-embedding-3-small';
  return operation === 'completions' ? 'gpt-35-turbo-instruct' : 'gpt-4o';
}

/** The facts of the model an undeclared deployment is guessed to serve. */
export function guessedModelFacts(deployment: string, operation: Operation): ModelFacts {
  return modelFacts(modelForDeployment(deployment, operation));
}
