/**
 * Reads the few fields of a request body the simulator needs (prompt size,
 * max_tokens, streaming, model) and says what is wrong when the body would get a
 * 400 from the real service: invalid JSON, no `messages`, no `input`, no `prompt`.
 */
import type { Operation, PromptMessage, RequestFacts } from './charge.js';

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
  let inputCharacters: number[] | undefined;
  let messages: PromptMessage[] | undefined;
  let inputs: Array<string | number> | undefined;
  if (operation === 'chat') {
    const list = fields.messages;
    if (!Array.isArray(list) || list.length === 0) {
      return missing('messages', list === undefined);
    }
    messages = [];
    for (const message of list) {
      if (typeof message !== 'object' || message === null) continue;
      const prompt = promptMessage(message as Record<string, unknown>);
      promptCharacters += prompt.text.length;
      messages.push(prompt);
    }
  } else if (operation === 'completions') {
    const prompt = fields.prompt;
    if (prompt === undefined || prompt === null || prompt === '') return missing('prompt', true);
    inputs = Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] !== 'number' ? prompt.map(inputOf) : [inputOf(prompt)];
    for (const item of inputs) promptCharacters += typeof item === 'number' ? item * 4 : item.length;
  } else {
    const input = fields.input;
    if (input === undefined || input === null || input === '') return missing('input', true);
    if (operation === 'embeddings') {
      const items = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input : [input];
      inputCount = items.length;
      inputs = items.map(inputOf);
      inputCharacters = items.map(embeddingInputCharacters);
      for (const characters of inputCharacters) promptCharacters += characters;
    } else {
      messages = [];
      if (typeof fields.instructions === 'string') {
        promptCharacters += fields.instructions.length;
        messages.push({ role: 'system', name: undefined, text: fields.instructions });
      }
      if (typeof input === 'string') {
        promptCharacters += input.length;
        messages.push({ role: 'user', name: undefined, text: input });
      } else if (Array.isArray(input)) {
        for (const item of input) {
          if (typeof item !== 'object' || item === null) continue;
          const prompt = promptMessage(item as Record<string, unknown>);
          promptCharacters += prompt.text.length;
          messages.push(prompt);
        }
      }
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
  const bestOf = typeof fields.best_of === 'number' && Number.isInteger(fields.best_of) && fields.best_of > 1 ? fields.best_of : 1;
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
      ...(inputCharacters !== undefined ? { inputCharacters } : {}),
      ...(messages !== undefined ? { messages } : {}),
      ...(inputs !== undefined ? { inputs } : {}),
      maxTokens,
      choices: n,
      bestOf,
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

/** A chat message as the tokenizer counts it: role, name, and the text of its content. */
function promptMessage(message: Record<string, unknown>): PromptMessage {
  return {
    role: typeof message.role === 'string' ? message.role : 'user',
    name: typeof message.name === 'string' && message.name !== '' ? message.name : undefined,
    text: contentText(message.content),
  };
}

/** The text of a message content: a string, or the `text` of its parts joined. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'string') text += part;
    else if (typeof part === 'object' && part !== null && typeof (part as Record<string, unknown>).text === 'string') {
      text += (part as Record<string, unknown>).text as string;
    }
  }
  return text;
}

/** One embeddings or completions input: its text, or a token array's length. */
function inputOf(input: unknown): string | number {
  if (typeof input === 'string') return input;
  if (Array.isArray(input)) return input.length;
  return '';
}

/** Characters of one embeddings input; a token array counts 4 characters per token so ceil(n/4) gives its length back. */
function embeddingInputCharacters(input: unknown): number {
  if (typeof input === 'string') return input.length;
  if (Array.isArray(input)) return input.length * 4;
  return 0;
}
