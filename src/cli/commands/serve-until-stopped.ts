/**
 * Serving a simulator (plain or gateway) from `aoai-probe sim` until Ctrl-C: the same ready
 * line on stdout, the same hints and warnings on stderr, the same clean stop, whichever
 * server it is. One place, so the two `sim` modes cannot drift apart in what they print.
 */
import { EXIT, InputError } from '../../errors.js';
import { SimulatorConfigError } from '../../sim/config-error.js';
import { DEFAULT_API_VERSION } from '../../sim/names.js';
import type { CliIo } from '../io.js';

/** What `serveUntilStopped` needs of a running server. */
export interface ServedSimulator {
  url: string;
  describe(): string;
  close(): Promise<void>;
}

/**
 * Starts the server, prints its ready line, waits for Ctrl-C or SIGTERM, stops it and sets
 * exit code 130 (interrupted), as for every other command. A configuration the
 * simulator refuses becomes an InputError (exit 2). `whileServing` runs once the server is
 * up and returns what to undo before it closes (a stats timer, for example).
 */
export async function serveUntilStopped<T extends ServedSimulator>(io: CliIo, host: string, start: () => Promise<T>, whileServing: (server: T) => () => void = () => () => {}): Promise<void> {
  let server: T;
  try {
    server = await start();
  } catch (error) {
    if (error instanceof SimulatorConfigError) throw new InputError(error.problems);
    throw error;
  }
  const stopped = new Promise<void>((resolve) => {
    const unsubscribe = io.onInterrupt(() => {
      unsubscribe();
      resolve();
    });
  });
  io.stdout.write(`aoai-probe sim: ${server.describe()}, listening on ${server.url}\n`);
  if (!/^(127\.|::1$|localhost$)/.test(host)) {
    io.stderr.write(`aoai-probe sim: warning: ${host} is not a loopback address; other machines can reach this simulator\n`);
  }
  io.stderr.write(`aoai-probe sim: try POST ${server.url}/openai/deployments/gpt-4o/chat/completions?api-version=${DEFAULT_API_VERSION}; Ctrl-C stops\n`);
  const undo = whileServing(server);
  await stopped;
  undo();
  await server.close();
  io.stderr.write('aoai-probe sim: stopped\n');
  // Why 130 and not 0: every command stopped by Ctrl-C or SIGTERM exits 130 (interrupted,
  // docs in README "Exit codes"); a server is no exception, so a script can tell a simulator
  // that was stopped from one that ended by itself.
  io.setExitCode(EXIT.interrupted);
}
