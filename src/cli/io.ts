/**
 * Everything the program needs from the outside world, in one object. Only
 * `processIo()` reads `process`; tests can pass their own CliIo and call `main`
 * in-process.
 */
export interface OutputStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** Data: the summary JSON with --json, the rendered report with --format. */
  stdout: OutputStream;
  /** People: tables, progress, messages. */
  stderr: OutputStream;
  /** Calls `handler` on every Ctrl-C (SIGINT) and SIGTERM; returns a function that unsubscribes. */
  onInterrupt(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  /** Sets the process exit code (never exits abruptly: open files get flushed). */
  setExitCode(code: number): void;
  /** Exits at once: the second Ctrl-C. */
  exitNow(code: number): never;
  /**
   * Calls `handler` for an error nothing caught (a throw in a timer, a rejected promise
   * nobody awaited), instead of Node's default of printing a stack trace. Optional: an
   * in-process test's CliIo may leave it out.
   */
  onUncaughtError?(handler: (error: unknown) => void): void;
}

/** The real process, for bin/aoai-probe.js. */
export function processIo(): CliIo {
  return {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: quietWhenReaderLeaves(process.stdout),
    stderr: quietWhenReaderLeaves(process.stderr),
    onInterrupt(handler) {
      const onSigint = (): void => handler('SIGINT');
      const onSigterm = (): void => handler('SIGTERM');
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigterm);
      return () => {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
      };
    },
    setExitCode(code) {
      process.exitCode = code;
    },
    exitNow(code) {
      process.exit(code);
    },
    onUncaughtError(handler) {
      process.on('uncaughtException', handler);
      process.on('unhandledRejection', handler);
    },
  };
}

/**
 * A process stream that goes quiet once nobody reads it (`aoai-probe report x | head`):
 * the broken pipe (EPIPE) is not an error of the run, which still finishes and closes its
 * recording. Without a listener Node turns it into an uncaught error with a stack trace.
 */
function quietWhenReaderLeaves(stream: NodeJS.WriteStream): OutputStream {
  let readerLeft = false;
  // Any error of a standard stream means there is nowhere left to write to.
  stream.on('error', () => {
    readerLeft = true;
  });
  return {
    write: (chunk: string) => (readerLeft ? true : stream.write(chunk)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}
