/**
 * "Did you mean" for unknown field paths: `latency.p96` → `latency.p95`,
 * `perSecond` → `effective.requests.perSecond`.
 *
 * Hand-written because the packages for it (leven, fastest-levenshtein) are a
 * one-function dependency for a dozen lines, and commander's own suggester is not
 * part of its public API.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const distance: number[][] = Array.from({ length: rows }, (_, row) => Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)));
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1;
      let best = Math.min(distance[row - 1]![column]! + 1, distance[row]![column - 1]! + 1, distance[row - 1]![column - 1]! + cost);
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1]) {
        best = Math.min(best, distance[row - 2]![column - 2]! + 1);
      }
      distance[row]![column] = best;
    }
  }
  return distance[a.length]![b.length]!;
}

/**
 * Up to `limit` candidates close to `word`, closest first: candidates whose last
 * segment matches the word's last segment (someone wrote `p95` for `latency.p95`;
 * shorter paths first among them), then candidates within an edit distance of about a third of the word's length.
 */
export function closeMatches(word: string, candidates: readonly string[], limit = 3): string[] {
  const lowerWord = word.toLowerCase();
  const lastSegment = lowerWord.split('.').pop() ?? lowerWord;
  const scored = candidates
    .map((candidate) => {
      const lowerCandidate = candidate.toLowerCase();
      const candidateLast = lowerCandidate.split('.').pop() ?? lowerCandidate;
      const whole = editDistance(lowerWord, lowerCandidate);
      const last = editDistance(lastSegment, candidateLast);
      // A matching last segment counts as close whatever the prefix was.
      const score = Math.min(whole, last === 0 ? 0.5 : last + 1);
      return { candidate, score };
    })
    .filter((entry) => entry.score <= Math.max(2, Math.ceil(lowerWord.length / 3)))
    // Among equals, the shorter path first: `p95` means latency.p95 before latency.firstToken.p95.
    .sort((left, right) => left.score - right.score || left.candidate.length - right.candidate.length || left.candidate.localeCompare(right.candidate));
  return scored.slice(0, limit).map((entry) => entry.candidate);
}
