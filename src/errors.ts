/**
 * Errors that mean something to the user, and how the CLI turns them into exit codes.
 * Every module below the CLI throws these; only src/cli prints them.
 */

/** Bad input (flags, scenario files, expectations, recordings): exit 2, all problems listed. */
export class InputError extends Error {
  /** Each problem names what is wrong and how to fix it, e.g. `--size: "ten" is not a whole number; use e.g. --size 20`. */
  readonly problems: string[];
  constructor(problems: string[] | string) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.join('\n'));
    this.name = 'InputError';
    this.problems = list;
  }
}

/** Expectations (--expect) not met: exit 3. The message lists each failing expression with its value. */
export class ExpectationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectationError';
  }
}

/** Exit codes, a contract with users' CI scripts. */
export const EXIT = {
  ok: 0,
  internal: 1,
  input: 2,
  expectations: 3,
  interrupted: 130,
} as const;
