/**
 * Peer clients are small child processes (so each can be pinned and measured alone).
 * They take one JSON argument and print one JSON result line on stdout.
 */

/** The JSON options given as the first command-line argument. */
export function readOptions() {
  return JSON.parse(process.argv[2] ?? '{}');
}

/** Prints the result line the bench reads. */
export function report(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
