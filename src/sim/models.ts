/**
 * What the simulator knows about a model: its tokenizer encoding, the RPM Azure
 * grants per 1,000 TPM of quota, and what a request that leaves `max_tokens`
 * unset is charged at admission. Declared deployments (`--deployment
 * NAME:model=…`) take these from their model; undeclared ones guess the model
 * from the deployment name (charge.ts `modelForDeployment`).
 *
 * RPM per 1,000 TPM, from Azure's quota documentation
 * (https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota): 6 for the
 * older chat models (gpt-35-turbo, gpt-4, gpt-4o) and the embeddings models;
 * 1 for the gpt-4.1 series, o3 and o4-mini; 1/6 for o1; 1/10 for o1-mini,
 * o3-mini and o3-pro. Unknown models get 6, the ratio the simulator always used.
 */
import { encodingOfModel, type EncodingName } from './tokenizer.js';

/** What a deployment serves: chat models (chat completions and responses), embeddings models, or legacy completions models. */
export type DeploymentKind = 'chat' | 'embeddings' | 'completions';

/** Every DeploymentKind. */
export const DEPLOYMENT_KINDS: readonly DeploymentKind[] = ['chat', 'embeddings', 'completions'];

/** The facts of one model. */
export interface ModelFacts {
  name: string;
  encoding: EncodingName;
  rpmPer1kTpm: number;
  /** The kind a deployment of this model has when none is declared. */
  kind: DeploymentKind;
  /**
   * Chat charge when `max_tokens` is unset: `flat` (gpt-35-turbo: 16 tokens,
   * prompt not added) or the hidden completion estimate added to the prompt.
   */
  defaultCharge: { flat: number } | { completionEstimate: number };
}

/** Azure's hidden completion estimate for gpt-4-class chat models when max_tokens is unset (see charge.ts). */
export const DEFAULT_COMPLETION_ESTIMATE = 640;
/** Azure's flat charge for gpt-35-turbo chat when max_tokens is unset. */
export const GPT35_FLAT_CHARGE = 16;
/** The default `max_tokens` of the legacy completions API. */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

/** Whether a model name belongs to the gpt-35-turbo family (charged differently on Azure). */
export function isGpt35(model: string): boolean {
  return /gpt-?3\.?5/i.test(model);
}

/** The facts of a model, by name (case-insensitive; dated versions such as gpt-4o-2024-08-06 match their family). */
export function modelFacts(model: string): ModelFacts {
  const name = model.toLowerCase();
  const kind: DeploymentKind = /embedding|^ada/.test(name) ? 'embeddings' : /instruct|davinci|babbage/.test(name) ? 'completions' : 'chat';
  const defaultCharge = isGpt35(name) ? { flat: GPT35_FLAT_CHARGE } : { completionEstimate: DEFAULT_COMPLETION_ESTIMATE };
  return { name: model, encoding: encodingOfModel(model), rpmPer1kTpm: rpmPer1kTpm(name), kind, defaultCharge };
}

function rpmPer1kTpm(name: string): number {
  if (/^o1-mini|^o3-mini|^o3-pro/.test(name)) return 0.1;
  if (/^o1/.test(name)) return 1 / 6;
  if (/^o3|^o4-mini|^gpt-?4\.1/.test(name)) return 1;
  return 6;
}
