/**
 * Go-style durations as OpenAI writes them in `x-ratelimit-reset-*` headers and in
 * 429 messages: `12ms`, `6m0s`, `2m59.56s`, `23h47m36.648s`, `114h18m0s`.
 *
 * Hand-written rather than taken from a package: the duration packages on npm
 * (`ms`, `parse-duration`) accept prose such as "1 year" and differ on `m`; this
 * grammar is Go's `time.ParseDuration` and nothing more. It reads the outside world,
 * so it never throws: anything else gives null.
 */

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  'µs': 0.001,
  'μs': 0.001,
  ns: 0.000_001,
};

// `ms` must be tried before `m`, and `us`/`ns` before `s`, so longer units come first.
const PART = /(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|μs|ns|h|m|s)/y;

/** Parses a Go duration (`6m0s`, `12ms`, `1.5h`) into milliseconds; null when it is not one. */
export function parseGoDuration(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  const value = text.trim();
  if (value === '') return null;
  if (value === '0') return 0;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = PART.exec(value)) !== null) {
    const unit = UNIT_MS[match[2]!];
    if (unit === undefined) return null;
    total += Number(match[1]) * unit;
    consumed = PART.lastIndex;
  }
  if (consumed !== value.length || !Number.isFinite(total)) return null;
  return total;
}
