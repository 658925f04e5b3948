/**
 * Measuring terminal output in tests: printable width of a line once ANSI escape
 * codes are removed (every character the renderers use is one column wide).
 */
import { stripVTControlCharacters } from 'node:util';

/** Printable characters on a line, escape codes excluded. */
export function printableWidth(line: string): number {
  return [...stripVTControlCharacters(line)].length;
}

/** The widest line of a block of text. */
export function widestLine(text: string): number {
  return Math.max(0, ...text.split('\n').map(printableWidth));
}

/** True when the text holds any ANSI escape sequence. */
export function hasAnsi(text: string): boolean {
  return text.includes('\u001b[');
}
