/** The seeded answer text: one token per piece in both encodings, word counts asked for, cuts at max_tokens. */
import { describe, expect, it } from 'vitest';
import { REPLY_VOCABULARY, askedWordCount, replyTo } from '../../src/sim/index.js';
import { tiktokenCount } from './helpers.js';

describe('answer text', () => {
  it('uses only pieces that are one token in o200k_base and cl100k_base, in every form', () => {
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      for (const word of REPLY_VOCABULARY) {
        const capital = word[0]!.toUpperCase() + word.slice(1);
        for (const form of [word, ` ${word}`, capital, ` ${capital}`]) expect(tiktokenCount(encoding, form), `${encoding} "${form}"`).toBe(1);
      }
      for (const mark of ['.', ',']) expect(tiktokenCount(encoding, mark)).toBe(1);
    }
  });

  it('has as many tokens as pieces, whole or cut, in both encodings', () => {
    for (const prompt of ['hi', 'Write a long story about a harbour.', 'x'.repeat(50)]) {
      for (const maxTokens of [undefined, 1, 5, 33]) {
        const reply = replyTo(prompt, 3, maxTokens);
        for (const encoding of ['o200k_base', 'cl100k_base'] as const) expect(tiktokenCount(encoding, reply.text)).toBe(reply.pieces.length);
        if (maxTokens !== undefined && reply.finishReason === 'length') expect(reply.pieces).toHaveLength(maxTokens);
      }
    }
  });

  it('answers with the number of words a prompt asks for', () => {
    expect(askedWordCount('Reply with one word: ok')).toBe(1);
    expect(askedWordCount('Reply with the single word: ok')).toBe(1);
    expect(askedWordCount('Answer in 12 words, please')).toBe(12);
    expect(askedWordCount('Tell me a story')).toBeUndefined();
    expect(replyTo('Reply with three words.', 0, undefined).pieces).toHaveLength(3);
    expect(replyTo('Reply with three words.', 0, undefined).finishReason).toBe('stop');
  });
});
