/**
 * The prompt side of `usage`: real tokens of the model's encoding, counted the
 * way the service bills them.
 *
 * Chat (and Responses) prompts pay for the chat format too: every message costs
 * 3 tokens of framing plus its role and content (and 1 more with its `name`),
 * and 3 more prime the reply, as OpenAI's cookbook documents for the gpt-3.5,
 * gpt-4 and gpt-4o families
 * (https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb).
 * Embeddings and legacy completions inputs are counted as they are; a token
 * array counts its length.
 */
import type { RequestFacts } from './charge.js';
import { countTokens, type EncodingName } from './tokenizer.js';

/** Framing tokens of each chat message. */
export const TOKENS_PER_MESSAGE = 3;
/** Extra tokens of a message that has a `name`. */
export const TOKENS_PER_NAME = 1;
/** Tokens that prime the assistant's reply. */
export const REPLY_PRIMING_TOKENS = 3;

/** The prompt tokens the service would bill for a request. */
export function promptTokens(facts: RequestFacts, encoding: EncodingName): number {
  if (facts.messages !== undefined) {
    let total = REPLY_PRIMING_TOKENS;
    for (const message of facts.messages) {
      total += TOKENS_PER_MESSAGE + countTokens(encoding, message.role) + countTokens(encoding, message.text);
      if (message.name !== undefined) total += TOKENS_PER_NAME + countTokens(encoding, message.name);
    }
    return total;
  }
  if (facts.inputs !== undefined) {
    let total = 0;
    for (const input of facts.inputs) total += typeof input === 'number' ? input : countTokens(encoding, input);
    return total;
  }
  return Math.ceil(facts.promptCharacters / 4);
}
