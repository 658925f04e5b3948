/**
 * Small formatting and parsing helpers of the simulator: limiter-spec durations
 * and rates, Go-style durations (OpenAI's reset headers) and thousands separators.
 *
 * Why not src/parse/units.ts: the simulator is the ground truth the prober is
 * judged against and shares no code with it (ARCHITECTURE.md), so a parsing bug
 * cannot hide on both sides at once.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `250ms`, `10s`, `2m`, `1m30s` into milliseconds; undefined when it is not a duration. */
export function parseSimulatorDuration(text: string): number | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(value)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = part.lastIndex;
  }
  return consumed === value.length && Number.isFinite(total) ? total : undefined;
}

/** Parses `5/s`, `300/m`, `50/10s` or a bare number (per second) into units per second; undefined when invalid. */
export function parseSimulatorRate(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  const match = /^(\d+(?:\.\d+)?)\/(\S+)$/.exec(value);
  if (!match) return undefined;
  const period = match[2]!;
  const periodMs = parseSimulatorDuration(/^\d/.test(period) ? period : `1${period}`);
  if (periodMs === undefined || periodMs <= 0) return undefined;
  return (Number(match[1]) * 1000) / periodMs;
}

/**
 * Formats milliseconds the way Go's time.Duration prints them, as OpenAI's
 * `x-ratelimit-reset-*` headers and 429 messages do: `12ms`, `1s`, `6.596s`,
 * `6m0s`, `1h2m3.5s`. Rounded to whole milliseconds.
 */
export function formatGoDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

/** `50000` → `50,000`; fractions kept to one decimal. */
export function formatThousands(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return rounded.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** A duration for people: `10 s`, `1 s`, `500 ms`, `1.5 min`. */
export function formatWindow(milliseconds: number): string {
  if (milliseconds < 1000) return `${formatThousands(milliseconds)} ms`;
  if (milliseconds < 120_000 || milliseconds % 60_000 !== 0) return `${formatThousands(milliseconds / 1000)} s`;
  return `${formatThousands(milliseconds / 60_000)} min`;
}
