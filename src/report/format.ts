/**
 * Number and duration formatting shared by every renderer, so the terminal table,
 * the markdown and the HTML page print the same figure the same way.
 *
 * Why a fixed locale: reports are compared across machines and pasted into pull
 * requests; `toLocaleString()` without a locale would print "50.000" on one laptop
 * and "50,000" on another.
 */

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** What every renderer prints where a figure was not measured. */
export const NOT_MEASURED = '—';

/** A whole count with thousands separators: 50000 → "50,000". */
export function formatCount(value: number | null): string {
  return value === null ? NOT_MEASURED : COUNT.format(value);
}

/** A figure with at most two decimals: 4.5 → "4.5", 4.5678 → "4.57". */
export function formatDecimal(value: number | null): string {
  return value === null ? NOT_MEASURED : DECIMAL.format(value);
}

const DAY_MS = 86_400_000;

/** Milliseconds as a person reads them: 812 → "812 ms", 2350 → "2.35 s", 0.4 → "0.4 ms", 172800000 → "2 days". */
export function formatMs(value: number | null): string {
  if (value === null) return NOT_MEASURED;
  // A day or more (a retry hint that means "never") reads in days, not in millions of seconds.
  if (Math.abs(value) >= DAY_MS) return `${DECIMAL.format(value / DAY_MS)} ${Math.abs(value) === DAY_MS ? 'day' : 'days'}`;
  if (Math.abs(value) >= 1000) return `${DECIMAL.format(value / 1000)} s`;
  if (Math.abs(value) >= 10) return `${COUNT.format(value)} ms`;
  return `${ONE_DECIMAL.format(value)} ms`;
}

/** Seconds: 10 → "10 s", 0.25 → "0.25 s". */
export function formatSeconds(value: number | null): string {
  return value === null ? NOT_MEASURED : `${DECIMAL.format(value)} s`;
}

/** A ratio as a percentage: 0.9167 → "91.7 %". */
export function formatRatio(value: number | null): string {
  return value === null ? NOT_MEASURED : `${ONE_DECIMAL.format(value * 100)} %`;
}

/** A rate in requests per second: 4.5 → "4.5/s". */
export function formatRate(value: number | null): string {
  return value === null ? NOT_MEASURED : `${DECIMAL.format(value)}/s`;
}

/** A time offset from run start, for axes and markers: 210 → "0.21 s", 65000 → "65 s". */
export function formatOffset(ms: number): string {
  return `${DECIMAL.format(ms / 1000)} s`;
}

/**
 * Text from a recording (phase names, URLs, verdict sentences built from server
 * messages) made safe for a terminal: control characters, and with them any escape
 * sequence a hostile server could plant, become spaces.
 */
export function terminalSafe(text: string): string {
  // C0 and C1 control characters (ESC included); printable text is left alone.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/**
 * Breaks text into lines of at most `width` characters at spaces (a word longer
 * than the width is cut), for legends under a terminal chart.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    let rest = word;
    while (rest.length > width) {
      if (line !== '') lines.push(line);
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      line = '';
    }
    if (line === '') line = rest;
    else if (line.length + 1 + rest.length <= width) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
