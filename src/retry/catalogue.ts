/**
 * Every policy the lab knows, in the order `--help` and the default `--policies` list
 * show them: from no retry at all, through the textbook backoffs, to the two SDKs.
 */
import type { PolicyDefinition } from './definition.js';
import { nonePolicy } from './policies/none.js';
import { immediatePolicy } from './policies/immediate.js';
import { fixedPolicy } from './policies/fixed.js';
import { exponentialPolicy } from './policies/exponential.js';
import { exponentialJitterPolicy } from './policies/exponential-jitter.js';
import { headerPolicy } from './policies/header.js';
import { headerJitterPolicy } from './policies/header-jitter.js';
import { openaiSdkPolicy } from './policies/openai-sdk.js';
import { azureSdkPolicy } from './policies/azure-sdk.js';

/** The catalogue, in display order. */
export const POLICY_DEFINITIONS: readonly PolicyDefinition[] = [
  nonePolicy,
  immediatePolicy,
  fixedPolicy,
  exponentialPolicy,
  exponentialJitterPolicy,
  headerPolicy,
  headerJitterPolicy,
  openaiSdkPolicy,
  azureSdkPolicy,
];

/** The catalogue names, in display order: the default `--policies` list. */
export const POLICY_NAMES: readonly string[] = POLICY_DEFINITIONS.map((definition) => definition.name);

/** The definition called `name`, or undefined. */
export function policyDefinition(name: string): PolicyDefinition | undefined {
  return POLICY_DEFINITIONS.find((definition) => definition.name === name);
}

/** The policies and their parameters as `--help` lists them. */
export function policiesHelp(): string {
  const lines = ['Policies (parameters after a colon, e.g. exponential:base=0.5s,factor=2,cap=8s):'];
  for (const definition of POLICY_DEFINITIONS) {
    lines.push(`  ${definition.name.padEnd(19)} ${definition.summary}`);
    for (const param of definition.params) {
      const choices = param.choices ? ` (${param.choices.join('|')})` : '';
      lines.push(`  ${''.padEnd(19)}   ${param.name}=${param.defaultValue}${choices}  ${param.help}`);
    }
  }
  return lines.join('\n');
}
