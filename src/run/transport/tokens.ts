/**
 * Token arithmetic for payloads: which encoding a model uses, prompts
 * of an exact token count, and the `max_tokens` the service assumes when a request
 * leaves it unset.
 *
 * Why tiktoken is loaded lazily and synchronously: loading costs ~20 ms for the
 * module and ~80 ms (cl100k_base) to ~240 ms (o200k_base) to build an encoder on
 * this machine, plus ~30 MB of memory. Most runs use the fixed default prompt and
 * never need it. When they do, the payload is built before the first request, and
 * a synchronous `require` lets payload variants be built on the same code path the
 * transport uses (no await between a burst's requests). The encoder is freed
 * (WASM memory) right after use.
 */
import { createRequire } from 'node:module';
import type { Tiktoken, TiktokenEncoding } from 'tiktoken';

/** The two encodings of current OpenAI models. */
export type EncodingName = Extract<TiktokenEncoding, 'o200k_base' | 'cl100k_base'>;

/**
 * The default prompt: asks for a one-word reply, so the limiter charges the
 * estimate (prompt + `max_tokens`) while the bill stays tiny.
 */
export const DEFAULT_PROMPT = 'Reply with one word: ok';

/**
 * Tokens of {@link DEFAULT_PROMPT} in both encodings (the same for both). A constant
 * so the default payload needs no tokenizer; test/transport/tokens.test.ts checks it
 * against tiktoken.
 */
export const DEFAULT_PROMPT_TOKENS = 6;

/**
 * The encoding of a model or deployment name. `o200k_base` for the gpt-4o, gpt-4.1,
 * gpt-4.5, gpt-5 and o-series families; `cl100k_base` for gpt-35-turbo, gpt-4 (not
 * 4o/4.1) and the text-embedding models. Unknown names (deployments are often
 * named freely) get `o200k_base`, the encoding of every model released since 2024.
 */
export function encodingForModel(model: string | null | undefined): EncodingName {
  const name = (model ?? '').toLowerCase();
  if (/gpt-?4o|gpt-?4\.[15]|gpt-?5|chatgpt|(^|[^a-z0-9])o[1-9]/.test(name)) return 'o200k_base';
  if (/gpt-?35|gpt-?3\.5|gpt-?4|text-embedding|ada-00/.test(name)) return 'cl100k_base';
  return 'o200k_base';
}

/**
 * The `max_tokens` Azure Standard charges at admission when a chat request leaves
 * it unset. This mirrors what Azure was measured to do (in 2024):
 * a flat 16 for the gpt-35-turbo family; about 600+ for gpt-4 and gpt-4o (648 for a
 * short body), rounded here to 650. Newer families (gpt-4.1, gpt-5, o-series) were
 * not measured and get the gpt-4 figure, the safer (larger) guess.
 */
export function defaultMaxTokensForModel(model: string | null | undefined): number {
  const name = (model ?? '').toLowerCase();
  return /gpt-?35|gpt-?3\.5/.test(name) ? 16 : 650;
}

/** A loaded encoder, valid only inside {@link withTokenizer}. */
export interface Tokenizer {
  readonly encoding: EncodingName;
  /** Tokens of `text`, special-token strings counted as ordinary text. */
  count(text: string): number;
  /** A text of exactly `tokens` tokens that asks for a one-word reply (see {@link buildPromptOfTokens}). */
  promptOfTokens(tokens: number): string;
}

interface TiktokenModule {
  get_encoding(encoding: TiktokenEncoding): Tiktoken;
}

let tiktokenModule: TiktokenModule | null = null;
let lastLoadMs: number | null = null;

/**
 * Runs `use` with an encoder for `encoding`, loading tiktoken on first use and
 * freeing the encoder afterwards (also when `use` throws).
 */
export function withTokenizer<T>(encoding: EncodingName, use: (tokenizer: Tokenizer) => T): T {
  const started = performance.now();
  tiktokenModule ??= createRequire(import.meta.url)('tiktoken') as TiktokenModule;
  const encoder = tiktokenModule.get_encoding(encoding);
  lastLoadMs = performance.now() - started;
  try {
    const count = (text: string): number => countInPieces(text, (piece) => encoder.encode_ordinary(piece).length);
    const tokenizer: Tokenizer = {
      encoding,
      count,
      promptOfTokens: (tokens) => buildPromptOfTokens(tokens, count, (text) => encoder.encode_ordinary(text), (ids) => encoder.decode(ids)),
    };
    return use(tokenizer);
  } finally {
    encoder.free();
  }
}

/** Longest piece of text handed to the encoder at once, characters. */
export const LONGEST_ENCODED_PIECE = 8192;

/** Piece length where a long text has no space to cut at, characters. */
const SPACELESS_PIECE = 256;

/**
 * Counts a long text piece by piece, each cut after a space where there is one.
 *
 * Why: tiktoken's byte-pair merge is quadratic in the length of a run without spaces, so
 * 100 KB of `a` took 14.6 s, and 1 MB ended in a panic of its Rust core ("attempted to
 * take ownership of Rust value while it was borrowed"). A cut can split one token in two,
 * so the count may be a token high per piece: under 0.1 % for text with spaces, a few
 * per cent for a long run without one (cut every 256 characters), which an estimate of a
 * limiter's charge can bear.
 */
export function countInPieces(text: string, countPiece: (piece: string) => number): number {
  if (text.length <= LONGEST_ENCODED_PIECE) return countPiece(text);
  let total = 0;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + LONGEST_ENCODED_PIECE);
    if (end < text.length) {
      // The last space in the piece's second half (searched there only: a search back through a
      // long run without spaces would itself be quadratic).
      const half = start + LONGEST_ENCODED_PIECE / 2;
      const space = text.slice(half, end).lastIndexOf(' ');
      // No space to cut at: a long run without one is the quadratic case, so cut it short.
      end = space >= 0 ? half + space : start + SPACELESS_PIECE;
      // Never split a surrogate pair: each half would count as a token of its own.
      const code = text.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    }
    total += countPiece(text.slice(start, end));
    start = end;
  }
  return total;
}

/** How long the last encoder took to load (module + encoder), ms; null before the first. For diagnostics. */
export function lastTokenizerLoadMs(): number | null {
  return lastLoadMs;
}

/**
 * Filler words for long prompts. Picked pseudo-randomly (fixed seed, so the same N
 * gives the same prompt in every run) rather than repeated: Azure refuses prompts
 * of "repetitive patterns" with 400 invalid_prompt.
 */
const FILLER_WORDS = (
  'apple river stone cloud garden window silver forest candle market bridge winter ' +
  'orange pencil harbor meadow rocket violet castle desert ladder mirror planet ' +
  'thunder blanket island coffee button dragon feather hammer jungle kitten lemon ' +
  'marble needle ocean pepper quiet rabbit saddle tunnel umbrella valley wagon yellow ' +
  'zebra anchor basket copper dolphin engine falcon ginger helmet insect jacket ' +
  'kettle lantern magnet napkin oyster parrot quilt ribbon sugar tomato velvet walnut'
).split(' ');

/**
 * A text of exactly `tokens` tokens: the one-word-reply instruction, then filler
 * words. Slicing the token list and decoding can cut a word in two, and re-encoding
 * the cut text can merge differently, so the result is re-counted and adjusted
 * until the count is exact (at most a handful of re-encodings).
 */
export function buildPromptOfTokens(
  tokens: number,
  count: (text: string) => number,
  encode: (text: string) => Uint32Array,
  decode: (ids: Uint32Array) => Uint8Array,
): string {
  if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError(`a prompt needs a whole number of tokens >= 1, got ${tokens}`);
  const instruction = `${DEFAULT_PROMPT}.`;
  let text = instruction;
  let seed = 12345;
  // One word is about one token: generate a few more words than missing tokens.
  const words: string[] = [];
  const missing = tokens - count(instruction);
  for (let index = 0; index < missing + 16; index++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    words.push(FILLER_WORDS[seed % FILLER_WORDS.length]!);
  }
  if (words.length > 0) text += ` ${words.join(' ')}`;

  const ids = encode(text);
  const decoder = new TextDecoder();
  for (let cut = Math.min(tokens, ids.length); cut >= Math.max(1, tokens - 8); cut--) {
    let candidate = decoder.decode(decode(ids.slice(0, cut)));
    let candidateCount = count(candidate);
    for (let pads = 0; candidateCount < tokens && pads < 16; pads++) {
      candidate += ' ok';
      candidateCount = count(candidate);
    }
    if (candidateCount === tokens) return candidate;
  }
  throw new Error(`could not build a prompt of exactly ${tokens} tokens`);
}
