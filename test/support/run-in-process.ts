/**
 * Runs the program in-process — `main()` with a captured CliIo — and answers in the shape
 * of a spawned run ({@link CliResult}), so one assertion can check either.
 *
 * Why: a spawned CLI costs a Node start and the bin's whole import graph (about a second
 * of CPU on a 2-core machine), which dominates a test that only checks how an input is
 * refused. The bin itself is `main(processIo())`; tables of refusals run here, and a few
 * of their rows still run through {@link runCli} to prove the real executable does the
 * same. The environment is only what the test passes (nothing is inherited), so no real
 * endpoint or key can reach the program; the test's loopback server counts what was sent.
 */
import { main } from '../../src/cli/main.js';
import { fakeIo } from '../report/fake-io.js';
import type { CliResult } from './spawn-cli.js';

/** Runs `main()` on `args` in `cwd` with exactly `env`; resolves when the command has finished. */
export async function runInProcess(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const io = fakeIo([...args], { cwd: options.cwd, env: options.env ?? {} });
  const started = performance.now();
  await main(io);
  return { code: io.exitCode(), signal: null, stdout: io.out(), stderr: io.err(), elapsedMs: performance.now() - started };
}
