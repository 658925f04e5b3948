/**
 * What a request is charged at admission, per research/azure-limits-facts.md §1.3
 * and §2.2. The charge is an *estimate* taken when the request arrives, never
 * the real usage: `max_tokens` in full plus a character-based prompt estimate.
 *
 * Calibration (Azure Standard, measured in 2024):
 * - gpt-4 / gpt-4o chat: max_tokens 1000 with a ~90-character body → 1008; the
 *   same body without max_tokens → 648. With the prompt estimate ceil(chars/4) of
 *   the message contents (a ~90-character body holds ~30 characters of content,
 *   8 tokens), the hidden default is 648 − 8 = 640.
 * - gpt-35-turbo chat: max_tokens in full, prompt not added; unset → a flat 16.
 * - embeddings: exactly ceil(characters of input / 4).
 * - OpenAI: the larger of max_tokens and the character estimate.
 */

/** The API operations the simulator serves. */
export type Operation = 'chat' | 'embeddings' | 'responses';

/** Azure's hidden completion estimate for gpt-4-class chat models when max_tokens is unset. */
export const AZURE_DEFAULT_COMPLETION_ESTIMATE = 640;
/** Azure's flat charge for gpt-35-turbo chat when max_tokens is unset. */
export const AZURE_GPT35_DEFAULT_CHARGE = 16;
/** The flat charge of the azure-seed profile (PRODUCT §1). */
export const SEED_FLAT_CHARGE = 648;
/** Characters per token of the character-based estimates. */
export const CHARACTERS_PER_TOKEN = 4;

/** What the simulator needs to know about a request body. */
export interface RequestFacts {
  operation: Operation;
  /** `model` from the body, when present (the deployment on v1 paths). */
  model: string | undefined;
  /** Characters of the prompt: message contents, `input`, `instructions`. */
  promptCharacters: number;
  /** `max_tokens`, `max_completion_tokens` or `max_output_tokens`, when set. */
  maxTokens: number | undefined;
  /** `n` (chat choices), at least 1. */
  choices: number;
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

/** Whether a model name belongs to the gpt-35-turbo family (charged differently on Azure). */
export function isGpt35(model: string): boolean {
  return /gpt-?3\.?5/i.test(model);
}

/** The Azure Standard (and PTU) admission estimate, in tokens. */
export function azureCharge(facts: RequestFacts, model: string): number {
  const prompt = promptTokenEstimate(facts);
  if (facts.operation === 'embeddings') return Math.max(1, prompt);
  if (isGpt35(model)) return (facts.maxTokens ?? AZURE_GPT35_DEFAULT_CHARGE) * facts.choices;
  return prompt + (facts.maxTokens ?? AZURE_DEFAULT_COMPLETION_ESTIMATE) * facts.choices;
}

/** OpenAI's admission estimate: the larger of max_tokens and the character estimate. */
export function openaiCharge(facts: RequestFacts): number {
  const prompt = promptTokenEstimate(facts);
  if (facts.operation === 'embeddings') return Math.max(1, prompt);
  return Math.max(1, (facts.maxTokens ?? 0) * facts.choices, prompt);
}

/**
 * The model behind a deployment. Deployment names are free text on Azure; when a
 * name looks like a model (gpt-…, o1…, text-embedding-…) that model is assumed,
 * otherwise gpt-4o for chat and text-embedding-3-small for embeddings.
 */
export function modelForDeployment(deployment: string, operation: Operation): string {
  if (/^(gpt-|gpt3|gpt4|o\d|text-embedding|chatgpt|davinci|babbage)/i.test(deployment)) return deployment;
  return operation === 'embeddings' ? 'text-embedding-3-small' : 'gpt-4o';
}
