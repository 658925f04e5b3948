/** A CliIo for running the program in-process: captures stdout, stderr and the exit code. */
import type { CliIo } from '../../src/cli/io.js';

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
  /** The exit code set by the program; 0 when it set none. */
  exitCode(): number;
}

/** `tty`/`columns` describe stdout; `stderrTty`/`stderrColumns` stderr (a terminal a person watches). */
export function fakeIo(argv: string[], options: { cwd: string; env?: Record<string, string>; tty?: boolean; columns?: number; stderrTty?: boolean; stderrColumns?: number }): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let code = 0;
  return {
    argv,
    env: options.env ?? {},
    cwd: options.cwd,
    stdout: { write: (chunk) => stdout.push(chunk) > 0, isTTY: options.tty ?? false, columns: options.columns },
    stderr: { write: (chunk) => stderr.push(chunk) > 0, isTTY: options.stderrTty ?? false, columns: options.stderrColumns },
    onInterrupt: () => () => undefined,
    setExitCode: (value) => {
      code = value;
    },
    exitNow: (value): never => {
      throw new Error(`exitNow(${value}) called`);
    },
    out: () => stdout.join(''),
    err: () => stderr.join(''),
    exitCode: () => code,
  };
}
