/**
 * Token counts of the simulator's answers (`usage`), with tiktoken, the
 * encodings OpenAI's models use: the real service bills real tokens, so a
 * 100-token prompt must come back as 100 prompt tokens, not as a character
 * estimate.
 *
 * Why its own copy and not the prober's (src/run/tokens.ts): the simulator is
 * the stand-in the prober is judged against; if both counted with one function,
 * a bug in it would hide on both sides (docs/ARCHITECTURE.md).
 *
 * Why the encoders are loaded before the server listens and kept for the
 * process: building one costs ~80 ms (cl100k_base) to ~250 ms (o200k_base), far
 * longer on a loaded machine, all of it synchronous. Loaded on a first request,
 * that time would stall every request queued behind it, and the limiter would
 * see a burst arrive seconds late and spread over windows it never spanned.
 * Counts are memoised by text, because a load generator sends the same prompt
 * again and again and the simulator is measured in tens of thousands of answers
 * per second.
 */
import { createRequire } from 'node:module';
import type { Tiktoken, TiktokenEncoding } from 'tiktoken';

/** The two encodings of current OpenAI models. */
export type EncodingName = Extract<TiktokenEncoding, 'o200k_base' | 'cl100k_base'>;

interface TiktokenModule {
  get_encoding(encoding: TiktokenEncoding): Tiktoken;
}

let tiktokenModule: TiktokenModule | undefined;
const encoders = new Map<EncodingName, Tiktoken>();

/** Counts already made, per encoding, by text. Emptied when full so endless distinct prompts cannot grow it. */
const counts: Record<EncodingName, Map<string, number>> = { o200k_base: new Map(), cl100k_base: new Map() };
const MAX_MEMOISED_COUNTS = 4096;
/** Texts longer than this are counted every time rather than kept as map keys. */
const MAX_MEMOISED_LENGTH = 64 * 1024;

/**
 * The encoding of a model: `o200k_base` for gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and
 * the o-series; `cl100k_base` for gpt-35-turbo, gpt-4 (not 4o/4.1), davinci /
 * babbage and the text-embedding models. Unknown names get `o200k_base`, the
 * encoding of every model released since 2024.
 */
export function encodingOfModel(model: string): EncodingName {
  const name = model.toLowerCase();
  if (/gpt-?4o|gpt-?4\.[15]|gpt-?5|chatgpt|(^|[^a-z0-9])o[1-9]/.test(name)) return 'o200k_base';
  if (/gpt-?35|gpt-?3\.5|gpt-?4|text-embedding|ada|davinci|babbage/.test(name)) return 'cl100k_base';
  return 'o200k_base';
}

/** Builds the encoders now (see the note at the top), so no request pays for them. */
export function loadEncodings(encodings: Iterable<EncodingName>): void {
  for (const encoding of encodings) encoderOf(encoding);
}

function encoderOf(encoding: EncodingName): Tiktoken {
  let encoder = encoders.get(encoding);
  if (encoder === undefined) {
    tiktokenModule ??= createRequire(import.meta.url)('tiktoken') as TiktokenModule;
    encoder = tiktokenModule.get_encoding(encoding);
    encoders.set(encoding, encoder);
  }
  return encoder;
}

/** Tokens of `text` (special-token strings counted as ordinary text, as the API does for user content). */
export function countTokens(encoding: EncodingName, text: string): number {
  if (text === '') return 0;
  const memo = counts[encoding];
  const known = memo.get(text);
  if (known !== undefined) return known;
  const count = encoderOf(encoding).encode_ordinary(text).length;
  if (text.length <= MAX_MEMOISED_LENGTH) {
    if (memo.size >= MAX_MEMOISED_COUNTS) memo.clear();
    memo.set(text, count);
  }
  return count;
}
