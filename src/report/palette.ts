/**
 * Colour for terminal renderers, decided by the caller. Renderers never look at the
 * terminal themselves (only src/cli knows about TTYs, `--no-color` and `NO_COLOR`), so
 * they build their own chalk instance at the level they are given; level 0 writes
 * no escape codes at all.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Tone } from './summary-rows.js';

/** The colours a renderer uses, by meaning rather than by hue. */
export interface Palette {
  chalk: ChalkInstance;
  /** Colours `text` for its meaning: refusals red, admitted green, paths dim. */
  tone(text: string, tone: Tone): string;
  heading(text: string): string;
  admitted(text: string): string;
  refused(text: string): string;
  marker(text: string): string;
}

/**
 * Builds a palette. `color` true means basic 16-colour ANSI (level 1), which every
 * terminal that is a TTY understands; a number picks a chalk level directly.
 */
export function createPalette(color: boolean | 0 | 1 | 2 | 3): Palette {
  const level = color === true ? 1 : color === false ? 0 : color;
  const chalk = new Chalk({ level });
  return {
    chalk,
    tone(text, tone) {
      if (tone === 'good') return chalk.green(text);
      if (tone === 'bad') return chalk.red(text);
      if (tone === 'muted') return chalk.dim(text);
      return text;
    },
    heading: (text) => chalk.bold(text),
    admitted: (text) => chalk.green(text),
    refused: (text) => chalk.red(text),
    marker: (text) => chalk.yellow.bold(text),
  };
}
