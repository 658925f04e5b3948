/**
 * Reads the few fields of a request body the simulator needs (prompt size,
 * max_tokens, streaming, model) and says what is wrong when the body would get a
 * 400 from the real service: invalid JSON, no `messages`, no `input`.
 */
import type { Operation, RequestFacts } from './charge.js';

/** A body the simulator can serve, or the 400 it deserves. */
export type FactsResult =
  | { ok: true; facts: RequestFacts }
  | { ok: false; message: string; param: string | null; code: string | null };

/** The fields that cap a reply's tokens, in the order they are looked for. */
const LIMIT_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/** Parses and checks a request body for `operation`. */
export function readRequestFacts(operation: Operation, bodyText: string): FactsResult {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return {
      ok: false,
      message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      param: null,
      code: null,
    };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'The request body must be a JSON object.', param: null, code: null };
  }
  const fields = body as Record<string, unknown>;
  const model = typeof fields.model === 'string' && fields.model !== '' ? fields.model : undefined;

  let promptCharacters = 0;
  let inputCount = 1;
  if (operation === 'chat') {
    const messages = fields.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return missing('messages', messages === undefined);
    }
    for (const message of messages) {
      if (typeof message === 'object' && message !== null) promptCharacters += contentCharacters((message as Record<string, unknown>).content);
    }
  } else {
    const input = fields.input;
    if (input === undefined || input === null || input === '') return missing('input', true);
    if (operation === 'embeddings') {
      const inputs = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input : [input];
      inputCount = inputs.length;
      for (const item of inputs) promptCharacters += embeddingInputCharacters(item);
    } else {
      promptCharacters += responsesInputCharacters(input);
      if (typeof fields.instructions === 'string') promptCharacters += fields.instructions.length;
    }
  }

  let limitField: string | undefined;
  for (const name of LIMIT_FIELDS) {
    if (fields[name] !== undefined && fields[name] !== null) {
      limitField = name;
      break;
    }
  }
  let maxTokens: number | undefined;
  if (limitField !== undefined) {
    const value = fields[limitField];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      return {
        ok: false,
        message: `Invalid '${limitField}': expected an integer greater than or equal to 1, but got ${JSON.stringify(value)} instead.`,
        param: limitField,
        code: 'invalid_value',
      };
    }
    maxTokens = value;
  }
  const n = typeof fields.n === 'number' && Number.isInteger(fields.n) && fields.n > 1 ? fields.n : 1;
  const streamOptions = fields.stream_options;
  const includeUsage =
    typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as Record<string, unknown>).include_usage === true;
  const dimensions = typeof fields.dimensions === 'number' && Number.isInteger(fields.dimensions) && fields.dimensions > 0 ? fields.dimensions : undefined;
  return {
    ok: true,
    facts: {
      operation,
      model,
      promptCharacters,
      maxTokens,
      choices: n,
      stream: fields.stream === true,
      includeUsage,
      inputCount,
      dimensions,
      encodingFormat: fields.encoding_format === 'base64' ? 'base64' : 'float',
    },
  };
}

function missing(param: string, absent: boolean): FactsResult {
  return absent
    ? { ok: false, message: `Missing required parameter: '${param}'.`, param, code: 'missing_required_parameter' }
    : { ok: false, message: `Invalid '${param}': expected a non-empty array.`, param, code: 'invalid_value' };
}

/** Characters of a chat message content: a string, or an array of parts with `text`. */
function contentCharacters(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const part of content) {
    if (typeof part === 'string') total += part.length;
    else if (typeof part === 'object' && part !== null && typeof (part as Record<string, unknown>).text === 'string') {
      total += ((part as Record<string, unknown>).text as string).length;
    }
  }
  return total;
}

/** Characters of one embeddings input; a token array counts 4 characters per token so ceil(n/4) gives its length back. */
function embeddingInputCharacters(input: unknown): number {
  if (typeof input === 'string') return input.length;
  if (Array.isArray(input)) return input.length * 4;
  return 0;
}

/** Characters of a Responses API `input`: a string or a list of messages. */
function responsesInputCharacters(input: unknown): number {
  if (typeof input === 'string') return input.length;
  if (!Array.isArray(input)) return 0;
  let total = 0;
  for (const item of input) {
    if (typeof item === 'object' && item !== null) total += contentCharacters((item as Record<string, unknown>).content);
  }
  return total;
}
