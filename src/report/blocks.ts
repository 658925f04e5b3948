/**
 * Bar charts and sparklines out of Unicode block elements (▁▂▃▄▅▆▇█), for timelines
 * that must fit a terminal and stay readable without colour.
 *
 * Why hand-written: the charting packages for terminals (asciichart and friends)
 * draw line plots with box-drawing characters; counts per time slice read better as
 * bars, and a bar row is one lookup per column.
 */

/** Eighth blocks from empty to full: index n is n eighths of a character cell. */
const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** Sparkline levels: the lowest value still shows as a thin bar, unlike an empty cell. */
const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * Vertical bars `height` rows tall, one character per value, scaled so `peak` fills
 * every row. Returns the rows from top to bottom. Any value above zero shows at least
 * one eighth, so a single refusal among hundreds of admissions stays visible.
 */
export function barRows(values: readonly number[], peak: number, height: number): string[] {
  const totalEighths = height * 8;
  const heights = values.map((value) => {
    if (value <= 0 || peak <= 0) return 0;
    return Math.max(1, Math.round((value / peak) * totalEighths));
  });
  const rows: string[] = [];
  for (let row = height - 1; row >= 0; row -= 1) {
    const floor = row * 8;
    rows.push(heights.map((eighths) => EIGHTHS[Math.min(8, Math.max(0, eighths - floor))]).join(''));
  }
  return rows;
}

/**
 * One-row sparkline: each value becomes one of eight levels between 0 and `max`;
 * null (nothing seen in that column) becomes a space, so "no data" differs from "zero".
 */
export function sparkline(values: readonly (number | null)[], max: number): string {
  return values
    .map((value) => {
      if (value === null) return ' ';
      if (max <= 0) return LEVELS[0];
      const level = Math.round((Math.min(Math.max(value, 0), max) / max) * (LEVELS.length - 1));
      return LEVELS[level];
    })
    .join('');
}
