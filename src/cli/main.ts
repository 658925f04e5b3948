/**
 * The command-line program. The only module that touches process (through CliIo):
 * it parses argv with commander, runs one command, and maps errors to exit codes:
 * 0 ok, 1 internal error, 2 bad input, 3 expectations failed, 130 interrupted.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, ExpectationError, InputError } from '../errors.js';
import { processIo, type CliIo } from './io.js';
import { TOOL_VERSION } from './version.js';
import { COMMANDS } from './commands/index.js';
import { knownSecrets, redactingIo } from './secret-guard.js';

const REPORT_URL = 'https://github.com/aoai-probe/aoai-probe/issues';

/** Builds the commander program without running it (tests parse argv with it directly). */
export function createProgram(io: CliIo): Command {
  const program = new Command('aoai-probe')
    .description('Finds where the effective rate limit of an Azure OpenAI deployment (or any HTTP API) sits, compared with the advertised TPM/RPM.')
    .version(TOOL_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`aoai-probe: ${text.replace(/^error: /, '')}`),
    });
  for (const register of COMMANDS) register(program, io);
  return program;
}

/**
 * Runs the program against `io` (the real process by default) and sets the exit code.
 * Every byte written to stdout and stderr passes the secret guard first.
 */
export async function main(processStreams: CliIo = processIo()): Promise<void> {
  const io = redactingIo(processStreams, knownSecrets(processStreams.argv, processStreams.env));
  // The last net: an error nothing caught still gets one redacted line and its exit code, not a raw stack.
  io.onUncaughtError?.((error) => io.exitNow(exitCodeFor(error, io)));
  if (io.argv.length === 0) {
    // A usage error (exit 2), not help and exit 0: a CI step that lost its arguments must fail.
    io.stderr.write('aoai-probe: no command given; e.g. aoai-probe burst (aoai-probe --help lists the commands)\n');
    io.setExitCode(EXIT.input);
    return;
  }
  const program = createProgram(io);
  try {
    await program.parseAsync(io.argv, { from: 'user' });
  } catch (error) {
    io.setExitCode(exitCodeFor(error, io));
  }
}

function exitCodeFor(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version "errors" are normal exits; commander has already printed its message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.input;
  }
  if (error instanceof InputError) {
    const [first, ...rest] = error.problems;
    io.stderr.write(`aoai-probe: ${first}\n`);
    for (const problem of rest) io.stderr.write(`aoai-probe: ${problem}\n`);
    return EXIT.input;
  }
  if (error instanceof ExpectationError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT.expectations;
  }
  // One line and where to report it; the stack only on request (io redacts both).
  const message = firstLine(error instanceof Error ? error.message : String(error));
  io.stderr.write(`aoai-probe: internal error: ${message} (a bug: please report it at ${REPORT_URL} with the command you ran; AOAI_PROBE_DEBUG=1 shows where it happened)\n`);
  if (io.env.AOAI_PROBE_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT.internal;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.trim() === '' ? '(no message)' : line;
}
