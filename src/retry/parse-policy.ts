/**
 * Reads policies as people write them: `exponential:base=0.5s,factor=2,cap=8s` on the
 * command line, a comma-separated list of those for `--policies` (a word with `=`
 * continues the policy before it), and a scenario-file entry for a user's own policy
 * (`{ name: my-backoff, policy: exponential-jitter, jitter: equal, base: 1s }`).
 * Every problem is collected and thrown at once as an InputError (exit 2).
 */
import { InputError } from '../errors.js';
import { parseDuration } from '../parse/units.js';
import { POLICY_NAMES, policyDefinition } from './catalogue.js';
import type { ParamDefinition, PolicyDefinition } from './definition.js';
import type { ParamValue, RetryPolicy } from './types.js';

/** Writes a duration back the way people write it: `500ms`, `8s`, `1.5s`. */
export function formatDurationParam(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** Reads one parameter value; a problem is pushed and undefined returned when it is not valid. */
function readParam(param: ParamDefinition, text: string, where: string, problems: string[]): { value: number | string; shown: ParamValue } | undefined {
  const value = text.trim();
  if (param.kind === 'duration') {
    try {
      const ms = parseDuration(value, `${where} ${param.name}`);
      return { value: ms, shown: formatDurationParam(ms) };
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  }
  if (param.kind === 'choice') {
    if (param.choices?.includes(value)) return { value, shown: value };
    problems.push(`${where} ${param.name}: "${text}" is not one of ${param.choices?.join(', ')}; e.g. ${param.name}=${param.defaultValue}`);
    return undefined;
  }
  const number = Number(value);
  const whole = param.kind === 'count';
  const min = param.min ?? 0;
  if (value === '' || !Number.isFinite(number) || number < min || (whole && !Number.isInteger(number))) {
    problems.push(`${where} ${param.name}: "${text}" is not ${whole ? 'a whole number' : 'a number'} ≥ ${min}; e.g. ${param.name}=${param.defaultValue}`);
    return undefined;
  }
  return { value: number, shown: number };
}

/** Builds a policy from its definition and raw `name=value` texts, collecting problems. */
function buildPolicy(definition: PolicyDefinition, raw: ReadonlyMap<string, string>, where: string, displayName: string, problems: string[]): RetryPolicy | null {
  const before = problems.length;
  const known = definition.params.map((param) => param.name);
  for (const name of raw.keys()) {
    if (!known.includes(name)) {
      const accepted = known.length === 0 ? 'it takes no parameters' : `its parameters are ${known.join(', ')}`;
      problems.push(`${where}: "${name}" is not a parameter of ${definition.name}; ${accepted}`);
    }
  }
  const values: Record<string, number | string> = {};
  const shown: Record<string, ParamValue> = {};
  for (const param of definition.params) {
    const read = readParam(param, raw.get(param.name) ?? param.defaultValue, where, problems);
    if (read === undefined) continue;
    values[param.name] = read.value;
    shown[param.name] = read.shown;
  }
  if (problems.length > before) return null;
  return definition.create(values, shown, displayName);
}

function unknownPolicy(name: string, where: string): string {
  return `${where}: "${name}" is not a retry policy; choose one of ${POLICY_NAMES.join(', ')} (parameters after a colon, e.g. exponential:base=0.5s,factor=2,cap=8s)`;
}

/** Parses one `name[:key=value,...]` into a policy, or pushes problems and returns null. */
function parseOne(text: string, where: string, problems: string[]): RetryPolicy | null {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).trim();
  const definition = policyDefinition(name);
  if (!definition) {
    problems.push(unknownPolicy(name, where));
    return null;
  }
  const raw = new Map<string, string>();
  if (colon >= 0) {
    for (const part of text.slice(colon + 1).split(',')) {
      const equals = part.indexOf('=');
      if (equals <= 0) {
        problems.push(`${where}: "${part}" in "${text}" is not key=value; write it like ${name}:${definition.params[0]?.name ?? 'key'}=${definition.params[0]?.defaultValue ?? 'value'}`);
        continue;
      }
      raw.set(part.slice(0, equals).trim(), part.slice(equals + 1));
    }
  }
  const canonical = colon < 0 ? name : text.trim();
  return buildPolicy(definition, raw, where, canonical === name ? name : canonical, problems);
}

/** Parses one policy (`--retry exponential:cap=4s`); throws an InputError naming every problem. */
export function parsePolicy(text: string, where = '--retry'): RetryPolicy {
  const problems: string[] = [];
  const policy = parseOne(text, where, problems);
  if (policy === null || problems.length > 0) throw new InputError(problems);
  return policy;
}

/**
 * Parses a `--policies` list: `none,exponential:base=1s,cap=4s,header-jitter`. A part
 * with `=` and no colon continues the policy before it.
 */
export function parsePolicyList(text: string, where = '--policies'): RetryPolicy[] {
  const entries: string[] = [];
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const continues = trimmed.includes('=') && !trimmed.includes(':');
    if (continues && entries.length > 0) entries[entries.length - 1] += `,${trimmed}`;
    else entries.push(trimmed);
  }
  const problems: string[] = [];
  if (entries.length === 0) problems.push(`${where}: no policy given; e.g. ${where} none,exponential,header-jitter`);
  const policies: RetryPolicy[] = [];
  for (const entry of entries) {
    const policy = parseOne(entry, where, problems);
    if (policy !== null) policies.push(policy);
  }
  const seen = new Set<string>();
  for (const policy of policies) {
    if (seen.has(policy.name)) problems.push(`${where}: "${policy.name}" is listed twice; each policy runs once`);
    seen.add(policy.name);
  }
  if (problems.length > 0) throw new InputError(problems);
  return policies;
}

/**
 * A user's own policy from a scenario file: `name` (how it is reported), `policy` (the
 * catalogue policy it sets), and that policy's parameters as further keys.
 */
export function policyFromEntry(entry: unknown, where: string, problems: string[]): RetryPolicy | null {
  if (typeof entry === 'string') return parseOne(entry, where, problems);
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    problems.push(`${where}: a retry policy is a name (header-jitter) or an object like { name: mine, policy: exponential, base: 1s }`);
    return null;
  }
  const record = entry as Record<string, unknown>;
  const base = record.policy;
  if (typeof base !== 'string') {
    problems.push(`${where}.policy: missing; name the catalogue policy it sets, one of ${POLICY_NAMES.join(', ')}`);
    return null;
  }
  const definition = policyDefinition(base);
  if (!definition) {
    problems.push(unknownPolicy(base, `${where}.policy`));
    return null;
  }
  const name = record.name === undefined ? base : record.name;
  if (typeof name !== 'string' || name.trim() === '' || /[\s,:]/.test(name)) {
    problems.push(`${where}.name: "${String(name)}" must be one word without spaces, commas or colons, e.g. my-backoff`);
    return null;
  }
  const raw = new Map<string, string>();
  for (const [key, value] of Object.entries(record)) {
    if (key === 'name' || key === 'policy') continue;
    raw.set(key, String(value));
  }
  return buildPolicy(definition, raw, where, name, problems);
}
