/**
 * What a terminal can show: whether a stream gets colour, whether it takes cursor
 * escapes (the progress line's erase-to-end-of-line), and how wide a table may be.
 *
 * The colour rule, in order:
 * 1. `--no-color` → none;
 * 2. `NO_COLOR` present and not empty → none (https://no-color.org: an empty value
 *    does not count);
 * 3. `FORCE_COLOR`: `0` or `false` → none; `1`, `true` or empty → colour even when not
 *    a TTY; `2`/`3` the same (the renderers use basic colours only);
 * 4. not a TTY → none; `TERM=dumb` → none;
 * 5. otherwise basic 16-colour ANSI.
 *
 * Why written here rather than taken from chalk's own detection (supports-color): it
 * reads `process.env` and `process.argv` once, when first imported, and so cannot judge
 * the environment a command is given (in-process runs and tests hand `main()` their own),
 * and it ignores NO_COLOR altogether. Steps 3 and 4 follow its rules for FORCE_COLOR and
 * TERM=dumb.
 */
import type { CliIo, OutputStream } from './io.js';

/** Whether `stream` gets colour (see the module comment for the rule). `flagColor` is false for `--no-color`. */
export function colorFor(stream: OutputStream, env: CliIo['env'], flagColor: boolean): boolean {
  if (!flagColor) return false;
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return false;
    if (force === '' || force === 'true' || /^[1-3]$/.test(force)) return true;
  }
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Whether `stream` takes cursor escapes such as erase-to-end-of-line: a TTY that is not `TERM=dumb`. */
export function takesEscapes(stream: OutputStream, env: CliIo['env']): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** The width tables are drawn at when nothing says otherwise. */
export const DEFAULT_TABLE_WIDTH = 80;

/**
 * How wide `stream`'s tables may be: a TTY's own width; otherwise `COLUMNS` when it is a
 * whole number (a pipe or a CI log has no width of its own, and COLUMNS is how a user
 * or a script says one); otherwise 80.
 */
export function tableWidth(stream: OutputStream, env: CliIo['env']): number {
  if (stream.isTTY === true && stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const columns = env.COLUMNS?.trim();
  if (columns !== undefined && /^\d{1,4}$/.test(columns) && Number(columns) > 0) return Number(columns);
  return DEFAULT_TABLE_WIDTH;
}
