/**
 * Zod schemas for the leaf values of a scenario file (rates, durations, counts, text,
 * URLs), each with a message that names the value, what was expected and an example.
 *
 * Why every leaf starts from z.unknown(): zod's own type errors ("Invalid input:
 * expected number, received string") say nothing about the fix. Taking any value and
 * checking it here lets each field say, e.g., `"twenty" is not a whole number; write it
 * like size: 20`. A missing required field is reported the same way, with its example.
 * Rates and durations go through src/parse/units.ts, so a scenario accepts exactly what
 * the command-line flags accept, with the same wording.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseDuration, parseRate } from '../parse/units.js';

/** A leaf's verdict: the value, or a problem sentence (without the path; the caller adds it). */
type Verdict<T> = { value: T } | { problem: string };

/** How a value looks in a message: text quoted, numbers as is, structures by kind (never their content). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/**
 * Builds a leaf schema from a check. `example` is how the field is written correctly,
 * key included (e.g. `rate: 5/s`); a required field that is missing says "is required; e.g. <example>".
 * The output type keeps `undefined` even for required fields: a parse that succeeded
 * has them, and the code that reads the output says so.
 */
function leaf<T>(check: (value: unknown) => Verdict<T>, example: string, required = false): z.ZodType<T | undefined> {
  return z.unknown().optional().transform((value, context) => {
    if (value === undefined) {
      if (required) context.addIssue({ code: 'custom', message: `is required; e.g. ${example}` });
      return undefined;
    }
    const verdict = check(value);
    if ('problem' in verdict) {
      context.addIssue({ code: 'custom', message: `${verdict.problem}; e.g. ${example}` });
      return z.NEVER;
    }
    return verdict.value;
  }) as z.ZodType<T | undefined>;
}

/** Placeholder for the "what" of the unit parsers, whose message starts with `what: `. */
const WHAT = '\u0000';

/** Runs a unit parser and turns its InputError into a verdict without the `what: ` prefix. */
function fromUnits(parse: (text: string, what: string) => number, value: unknown, kind: string): Verdict<number> {
  if (typeof value !== 'string' && typeof value !== 'number') return { problem: `${show(value)} is not ${kind}` };
  try {
    return { value: parse(String(value), WHAT) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // "…: "fast" is not a rate; write it like 5/s, 300/m or 50/10s" → keep the part before the advice.
    const message = error.problems[0]!.replace(`${WHAT}: `, '');
    return { problem: message.split(';')[0]! };
  }
}

/** A rate like `5/s`, `300/m`, `50/10s`, in requests per second; `positive` refuses 0/s. */
export function rate(example: string, options: { required?: boolean; positive?: boolean } = {}) {
  return leaf((value) => {
    const verdict = fromUnits(parseRate, value, 'a rate');
    if ('value' in verdict && options.positive && !(verdict.value > 0)) return { problem: `${show(value)} sends nothing; a rate must be above 0/s` };
    return verdict;
  }, example, options.required);
}

/** A duration like `500ms`, `10s`, `1m30s`, in ms; `positive` refuses 0. */
export function duration(example: string, options: { required?: boolean; positive?: boolean } = {}) {
  return leaf((value) => {
    const verdict = fromUnits(parseDuration, value, 'a duration');
    if ('value' in verdict && options.positive && !(verdict.value > 0)) return { problem: `${show(value)} is no time at all; a duration must be longer than 0` };
    return verdict;
  }, example, options.required);
}

/** A whole number ≥ `min` written as a number (not text). */
export function wholeNumber(example: string, options: { min?: number; max?: number; required?: boolean } = {}) {
  const min = options.min ?? 1;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return leaf<number>((value) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return { problem: `${show(value)} is not a whole number` };
    if (value < min) return { problem: `${value} is below the least allowed, ${min}` };
    if (value > max) return { problem: `${value} is above the most allowed, ${max}` };
    return { value };
  }, example, options.required);
}

/** A number above 0 (decimals allowed). */
export function positiveNumber(example: string) {
  return leaf<number>((value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return { problem: `${show(value)} is not a number above 0` };
    return { value };
  }, example);
}

/** true or false. */
export function boolean(example: string) {
  return leaf<boolean>((value) => (typeof value === 'boolean' ? { value } : { problem: `${show(value)} is not true or false` }), example);
}

/** Non-empty text of at most `maxLength` characters, without control characters. */
export function text(example: string, maxLength = 200) {
  return leaf<string>((value) => {
    if (typeof value !== 'string') return { problem: `${show(value)} is not text` };
    const trimmed = value.trim();
    if (trimmed === '') return { problem: 'is empty' };
    if (trimmed.length > maxLength) return { problem: `is ${trimmed.length} characters long, more than ${maxLength}` };
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(trimmed)) return { problem: 'holds control characters' };
    return { value: trimmed };
  }, example);
}

/** One of a few words. */
export function choice<T extends string>(values: readonly T[], example: string) {
  return leaf<T>((value) => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return { value: value as T };
    return { problem: `${show(value)} is not one of ${values.join(', ')}` };
  }, example);
}

/** Query parameters that carry secrets in the wild (Azure api-key, Functions code, SAS sig, tokens). */
const SECRET_QUERY = /^(api[-_]?key|key|code|sig|token|access[-_]?token|subscription[-_]?key)$/i;

/**
 * An absolute http(s) URL with no secret in it. The value itself is never repeated in a
 * message: if it held a key, the message would leak it.
 */
export function url(example: string, options: { webSocket?: boolean } = {}) {
  const protocols = options.webSocket ? ['http:', 'https:', 'ws:', 'wss:'] : ['http:', 'https:'];
  return leaf<string>((value) => {
    if (typeof value !== 'string') return { problem: `${show(value)} is not a URL` };
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return { problem: 'is not an absolute URL' };
    }
    if (!protocols.includes(parsed.protocol)) return { problem: `uses ${parsed.protocol}; only ${protocols.join(', ')} are supported` };
    if (parsed.username || parsed.password) {
      return { problem: 'holds a user name or password; secrets never go in a scenario file (use --api-key, --bearer or the environment)' };
    }
    for (const name of parsed.searchParams.keys()) {
      if (SECRET_QUERY.test(name)) {
        return { problem: `has a query parameter named "${name}"; secrets never go in a scenario file (use --api-key, --bearer or the environment)` };
      }
    }
    return { value };
  }, example);
}

/** A list of non-empty strings (the `expect` expressions). */
export function textList(example: string) {
  return z.unknown().optional().transform((value, context) => {
    if (value === undefined) return [] as string[];
    if (!Array.isArray(value)) {
      context.addIssue({ code: 'custom', message: `${show(value)} is not a list; write it like\n  expect:\n    - "${example}"` });
      return z.NEVER;
    }
    const list: string[] = [];
    value.forEach((item, index) => {
      if (typeof item !== 'string' || item.trim() === '') {
        context.addIssue({ code: 'custom', path: [index], message: `${show(item)} is not an expression; write it like "${example}"` });
      } else {
        list.push(item.trim());
      }
    });
    return list;
  });
}
