/**
 * How a policy of the catalogue describes itself: its name, one line for `--help`, its
 * parameters with their defaults, and how to build it from parameter values. The
 * parser (parse-policy.ts) and the help text read these; nothing else knows the list.
 */
import type { ParamValue, RetryPolicy } from './types.js';

/** The kinds of parameter value, each with its own syntax and error message. */
export type ParamKind = 'duration' | 'number' | 'count' | 'choice';

/** One settable parameter (`base=0.5s`). */
export interface ParamDefinition {
  name: string;
  kind: ParamKind;
  /** The default, in the parameter's own syntax (`500ms`, `2`, `full`). */
  defaultValue: string;
  /** For `choice`: the words accepted. */
  choices?: readonly string[];
  /** For `number`/`count`: the smallest value that makes sense. */
  min?: number;
  help: string;
}

/** Parameter values after parsing: durations in ms, numbers, choice words. */
export type ParamValues = Readonly<Record<string, number | string>>;

/** A catalogue entry. */
export interface PolicyDefinition {
  name: string;
  /** One line for `--help`. */
  summary: string;
  params: readonly ParamDefinition[];
  /** Builds the policy; `shown` are the values as run (durations written back as text). */
  create(values: ParamValues, shown: Readonly<Record<string, ParamValue>>, name: string): RetryPolicy;
}

/** Reads a parsed duration or number parameter (the parser guarantees it is present). */
export function numberParam(values: ParamValues, name: string): number {
  const value = values[name];
  if (typeof value !== 'number') throw new TypeError(`retry policy parameter ${name} is missing`);
  return value;
}

/** Reads a parsed choice parameter. */
export function choiceParam<T extends string>(values: ParamValues, name: string): T {
  const value = values[name];
  if (typeof value !== 'string') throw new TypeError(`retry policy parameter ${name} is missing`);
  return value as T;
}
