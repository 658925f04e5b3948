/**
 * "Did you mean" for unknown keys in scenario files (`maxToken` → `maxTokens`).
 *
 * Hand-written because it is a dozen lines: commander has the same helper but does not
 * export it, and no edit-distance package is installed.
 */

/** Levenshtein distance between two words, case-insensitive. */
function editDistance(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo: at most
 * a third of the word's letters changed (at least one), or the same word in another case
 * or with dashes/underscores (`max_tokens`, `max-tokens` → `maxTokens`).
 */
export function closestWord(word: string, candidates: readonly string[]): string | null {
  const squash = (value: string): string => value.toLowerCase().replace(/[-_\s]/g, '');
  const exact = candidates.find((candidate) => squash(candidate) === squash(word));
  if (exact) return exact;
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
