/**
 * Errors nobody caught (a throw in a timer, a rejected promise nobody awaited) end the
 * program like any other: one redacted line naming where to report it and exit 1 (or
 * the input-error path and exit 2), the stack only with AOAI_PROBE_DEBUG=1. In-process,
 * with a CliIo that hands the program's handler to the test.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { InputError } from '../../src/errors.js';

const KEY = 'sk-uncaughtFAKE0123456789';

async function programWithHandler(env: Record<string, string> = {}) {
  const stderr: string[] = [];
  const exits: number[] = [];
  let handler: ((error: unknown) => void) | null = null;
  const io: CliIo = {
    argv: ['--version', '--api-key', KEY],
    env,
    cwd: '/',
    stdout: { write: () => true },
    stderr: { write: (chunk) => stderr.push(chunk) > 0 },
    onInterrupt: () => () => undefined,
    setExitCode: () => undefined,
    exitNow: (code): never => {
      exits.push(code);
      return undefined as never;
    },
    onUncaughtError: (registered) => {
      handler = registered;
    },
  };
  await main(io);
  expect(handler).not.toBeNull();
  return { fire: (error: unknown) => handler!(error), stderr, exits };
}

describe('an uncaught error', () => {
  it('prints one redacted line with where to report it, and exits 1', async () => {
    const program = await programWithHandler();
    program.fire(new Error(`timer broke while holding ${KEY}\nsecond line`));
    expect(program.stderr.join('')).toBe(
      'aoai-probe: internal error: timer broke while holding REDACTED (a bug: please report it at https://github.com/aoai-probe/aoai-probe/issues with the command you ran; AOAI_PROBE_DEBUG=1 shows where it happened)\n',
    );
    expect(program.exits).toEqual([1]);
  });

  it('shows the stack, redacted, with AOAI_PROBE_DEBUG=1', async () => {
    const program = await programWithHandler({ AOAI_PROBE_DEBUG: '1' });
    program.fire(new Error(`rejected with ${KEY}`));
    const text = program.stderr.join('');
    expect(text).toMatch(/^\s+at /m);
    expect(text).not.toContain(KEY);
    expect(program.exits).toEqual([1]);
  });

  it('an input error found late still exits 2 with its message', async () => {
    const program = await programWithHandler();
    program.fire(new InputError('--record: the disk is full; free some space'));
    expect(program.stderr.join('')).toBe('aoai-probe: --record: the disk is full; free some space\n');
    expect(program.exits).toEqual([2]);
  });
});
