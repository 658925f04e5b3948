/**
 * The text of the simulator's answers: plain English-looking sentences from a
 * seeded generator, as long as the request lets them be.
 *
 * - Each answer has a natural length: what the prompt asks for when it asks for
 *   a number of words ("Reply with one word", the prober's own prompt), and
 *   otherwise a length drawn from a range (16–256 tokens by default).
 * - `max_tokens` cuts it: then the answer is exactly `max_tokens` tokens and its
 *   `finish_reason` is "length"; otherwise it ends with a full stop and "stop".
 * - Deterministic: the draw depends only on the seed and the prompt, so the
 *   same seed and prompt give the same text in every run, and a smaller
 *   `max_tokens` gives a prefix of the same answer.
 *
 * Why every piece is one token: each word of the vocabulary, with or without
 * its leading space and capital, and each punctuation mark, is one token in
 * both o200k_base and cl100k_base (test/sim/reply-text.test.ts checks it with
 * tiktoken), and tiktoken splits text into words before merging, so a stream
 * sends one token per chunk as the service does, and cutting at N pieces cuts
 * at N tokens. Answers are kept in a bounded cache: a load generator asks the
 * same thing thousands of times.
 */

/** A generated answer, with the JSON pieces the bodies splice in. */
export interface Reply {
  /** The answer's tokens in order (words with their leading space, punctuation). */
  pieces: readonly string[];
  /** Each piece as a JSON string literal, for stream chunks. */
  piecesJson: readonly string[];
  /** The whole text as a JSON string literal (quotes included). */
  textJson: string;
  /** The whole text. */
  text: string;
  finishReason: 'stop' | 'length';
}

/** How answer lengths are drawn when the prompt does not ask for one. */
export interface ReplyLength {
  minTokens: number;
  maxTokens: number;
}

/** The default natural length range, in tokens. */
export const DEFAULT_REPLY_LENGTH: ReplyLength = { minTokens: 16, maxTokens: 256 };
/** The longest answer a prompt can ask for by word count. */
const MAX_ASKED_WORDS = 4096;

const VOCABULARY = (
  'the of and to in is that it for on with as was at by this be from or have an are not but all were when we there can ' +
  'which their one so if will has more about would out up them some what time no into only than then its also other our ' +
  'new just like over any these first well may people way even most after made many good back through where much before ' +
  'must each right such work long great same world still own under last never while part year day place found small large ' +
  'high old every thing help system water light point form hand word end city open early important change number state ' +
  'house group area course plan level river stone cloud window silver forest market bridge winter orange castle mirror ' +
  'planet coffee engine basket anchor simple clear quiet signal answer model limit token rate budget request minute second ' +
  'reply value test result short'
).split(' ');

/** The words of the vocabulary (exported so a test can check each is one token). */
export const REPLY_VOCABULARY: readonly string[] = VOCABULARY;

const NUMBER_WORDS: Record<string, number> = { a: 1, one: 1, single: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };
const ASKED_WORDS = /\b(a single|single|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,4})\s+words?\b/i;

/** How many words a prompt asks the answer to have, or undefined when it does not say. */
export function askedWordCount(prompt: string): number | undefined {
  const match = ASKED_WORDS.exec(prompt);
  if (match === null) return undefined;
  const said = match[1]!.toLowerCase().replace(/^a /, '');
  const count = NUMBER_WORDS[said] ?? Number(said);
  return Number.isInteger(count) && count >= 1 ? Math.min(count, MAX_ASKED_WORDS) : undefined;
}

/** FNV-1a over a string: the prompt's part of the seed. */
function hashText(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: a small, fast, seedable generator of [0, 1). */
function generator(state: number): () => number {
  let value = state >>> 0;
  return () => {
    value = (value + 0x6d2b79f5) >>> 0;
    let mixed = value;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const cache = new Map<string, Reply>();
const MAX_CACHED_REPLIES = 2048;

/**
 * The answer to `prompt` under `seed`, cut at `maxTokens` (undefined: no cut).
 * `prompt` is the text the answer depends on (the messages' text); `length`
 * bounds answers whose prompt asks for no word count.
 */
export function replyTo(prompt: string, seed: number, maxTokens: number | undefined, length: ReplyLength = DEFAULT_REPLY_LENGTH): Reply {
  const hash = hashText(prompt, seed);
  const key = `${hash}|${seed}|${maxTokens ?? ''}|${length.minTokens}|${length.maxTokens}|${prompt.length}`;
  let reply = cache.get(key);
  if (reply === undefined) {
    reply = buildReply(prompt, hash, maxTokens, length);
    if (cache.size >= MAX_CACHED_REPLIES) cache.clear();
    cache.set(key, reply);
  }
  return reply;
}

function buildReply(prompt: string, hash: number, maxTokens: number | undefined, length: ReplyLength): Reply {
  const random = generator(hash);
  const asked = askedWordCount(prompt);
  const natural = asked ?? length.minTokens + Math.floor(random() * (length.maxTokens - length.minTokens + 1));
  const count = maxTokens === undefined ? natural : Math.min(natural, maxTokens);
  const pieces: string[] = [];
  let wordsInSentence = 0;
  let sentenceLength = 6 + Math.floor(random() * 9);
  for (let index = 0; index < count; index++) {
    const lastOfNatural = asked === undefined && index === natural - 1;
    if (lastOfNatural || (asked === undefined && wordsInSentence >= sentenceLength && index < natural - 2)) {
      pieces.push('.');
      wordsInSentence = 0;
      sentenceLength = 6 + Math.floor(random() * 9);
      continue;
    }
    const word = VOCABULARY[Math.floor(random() * VOCABULARY.length)]!;
    const capital = wordsInSentence === 0;
    const text = capital ? word[0]!.toUpperCase() + word.slice(1) : word;
    pieces.push(index === 0 ? text : ` ${text}`);
    wordsInSentence++;
    if (asked === undefined && wordsInSentence > 3 && wordsInSentence < sentenceLength - 1 && random() < 0.08 && index < natural - 2) {
      if (++index < count) pieces.push(',');
    }
  }
  const text = pieces.join('');
  return {
    pieces,
    piecesJson: pieces.map((piece) => JSON.stringify(piece)),
    textJson: JSON.stringify(text),
    text,
    finishReason: count < natural ? 'length' : 'stop',
  };
}
