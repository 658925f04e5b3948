/**
 * Reads a scenario file (YAML or JSON) into a validated Scenario, or throws one
 * InputError (exit 2) listing every problem, each with its place in the file:
 *
 *     ramp.yaml:7:13: phases[2].steady.rate: "fast" is not a rate; e.g. rate: 5/s
 *
 * JSON goes through the same YAML parser (JSON is YAML 1.2), so both get the same
 * positions and the same refusal of duplicate keys (JSON.parse keeps the last silently).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node as YamlNode } from 'yaml';
import type { $ZodIssue } from 'zod/v4/core';
import { InputError } from '../errors.js';
import type { Phase, PayloadOverrides, RealtimePhase } from '../schedule/types.js';
import { phaseRequestCount } from '../schedule/plan.js';
import type { Scenario } from './types.js';
import {
  ALLOWED_KEYS,
  MAX_PLANNED_REQUESTS,
  PHASE_KINDS,
  crossFieldProblems,
  defaultPhaseName,
  scenarioSchema,
  type PathProblem,
  type ScenarioFile,
} from './schema.js';
import { closestWord } from './closest-word.js';

/** File name endings `run` accepts. */
export const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** Reads and validates a scenario file; the path is kept in the Scenario and in messages as given. */
export async function loadScenario(path: string): Promise<Scenario> {
  const extension = extname(path).toLowerCase();
  if (!(SCENARIO_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new InputError(`${path}: a scenario file ends in .yaml, .yml or .json; see scenarios/README.md`);
  }
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_SCENARIO_BYTES) {
      throw new InputError(`${path}: the file is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB, larger than the ${MAX_SCENARIO_BYTES / 1024 / 1024} MiB a scenario may be; merge its phases (a steady or ramp phase covers any length)`);
    }
    const encoding = wrongEncoding(bytes);
    if (encoding !== null) throw new InputError(`${path}: the file is ${encoding}; save it as UTF-8 (a scenario file is UTF-8 text)`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file; the examples are in scenarios/ (e.g. scenarios/seed-burst.yaml)`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a folder; give a scenario file, e.g. scenarios/seed-burst.yaml`);
    throw new InputError(`${path}: cannot be read (${code ?? 'unknown error'})`);
  }
  return parseScenario(text, path);
}

/** Largest scenario file: a real one is a few kilobytes; parsing tens of megabytes of YAML takes a minute. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/** Most phases one scenario may hold: far more than any real test, few enough to plan and show. */
export const MAX_PHASES = 10_000;

const TOO_DEEP = 'nested too deeply (thousands of [ or { inside each other); a scenario is a few levels deep, see scenarios/README.md';

/** The encoding of a file that is not UTF-8 text by its byte-order mark or NUL bytes, or null. */
function wrongEncoding(bytes: Buffer): string | null {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'UTF-16 (it starts with a UTF-16 byte-order mark)';
  if (bytes.subarray(0, 512).includes(0)) return 'not text (it holds NUL bytes: UTF-16 or binary)';
  return null;
}

/** Validates scenario text; `fileName` names it in messages. */
export function parseScenario(text: string, fileName: string): Scenario {
  const lineCounter = new LineCounter();
  let document;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(`${fileName}: ${TOO_DEEP}`);
    throw error;
  }
  // The parser's own stack ran out: say once what in the file caused it (its follow-on errors add nothing).
  const tooDeep = document.errors.find((error) => /Maximum call stack/.test(error.message));
  if (tooDeep !== undefined) {
    const position = tooDeep.linePos?.[0];
    throw new InputError(`${position ? `${fileName}:${position.line}:${position.col}` : fileName}: ${TOO_DEEP}`);
  }
  if (document.errors.length > 0) {
    throw new InputError(document.errors.map((error) => {
      const position = error.linePos?.[0];
      const where = position ? `${fileName}:${position.line}:${position.col}` : fileName;
      const firstLine = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return `${where}: ${firstLine}`;
    }));
  }
  let raw: unknown;
  try {
    raw = document.toJS();
    const phases = (raw as { phases?: unknown } | null)?.phases;
    if (Array.isArray(phases) && phases.length > MAX_PHASES) {
      throw new InputError(`${fileName}: holds ${phases.length.toLocaleString('en-US')} phases, more than the ${MAX_PHASES.toLocaleString('en-US')} one scenario may hold; merge them (a steady or ramp phase covers any length)`);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof RangeError) throw new InputError(`${fileName}: ${TOO_DEEP}`);
    // An alias to an anchor that does not exist, or so many aliases that expanding them
    // would exhaust memory (the yaml package refuses both when building the value).
    throw new InputError(`${fileName}: ${(error as Error).message}; define each &anchor before its *alias, or write the values out`);
  }
  if (raw === null || raw === undefined) {
    throw new InputError(`${fileName}: the file is empty; a scenario needs at least "phases:" (see scenarios/README.md)`);
  }

  const problems: (PathProblem & { atKey?: boolean })[] = [];
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap(explainIssue));
  problems.push(...crossFieldProblems(raw));
  if (problems.length === 0 && parsed.success) {
    const scenario = toScenario(parsed.data, fileName);
    problems.push(...planProblems(scenario.phases));
    if (problems.length === 0) return scenario;
  }
  const located = problems.map((problem) => ({ ...problem, position: locate(document, lineCounter, problem.path, problem.atKey ?? false) }));
  located.sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.col ?? 0) - (b.position?.col ?? 0));
  throw new InputError(
    located.map(({ path, message, position }) => {
      const where = position ? `${fileName}:${position.line}:${position.col}` : fileName;
      return path.length > 0 ? `${where}: ${pathText(path)}: ${message}` : `${where}: ${message}`;
    }),
  );
}

/** Turns a zod issue into problems; an unknown-keys issue becomes one problem per key. */
function explainIssue(issue: $ZodIssue): (PathProblem & { atKey?: boolean })[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
  const allowed = ALLOWED_KEYS[path.map((part) => (typeof part === 'number' ? '*' : part)).join('.')] ?? [];
  return issue.keys.map((key) => ({ path: [...path, key], atKey: true, message: unknownKeyMessage(key, allowed) }));
}

/**
 * Keys that look like secrets (apiKey, api-key, bearer, token, password...). A secret in a
 * scenario file would end up in version control; say where it goes instead. Checked after
 * "did you mean", so `maxToken` is a typo of maxTokens, not a secret.
 */
const SECRET_KEY = /api[-_]?key|^key$|bearer|secret|password|credential|^auth|access[-_]?token|^token$|subscription[-_]?key/i;

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestWord(key, allowed);
  if (!suggestion && SECRET_KEY.test(key)) {
    return 'keys and tokens never go in a scenario file; set AZURE_OPENAI_API_KEY (or pass --api-key / --bearer) instead';
  }
  const list = allowed.join(', ');
  const payloadKeys = ALLOWED_KEYS.payload ?? [];
  if (allowed.includes('payload') && payloadKeys.includes(key)) {
    return `unknown key; ${key} goes under payload, e.g. payload: { ${key}: ${key === 'stream' ? 'true' : key === 'maxTokens' ? 4000 : 20} }`;
  }
  if ((PHASE_KINDS as readonly string[]).includes(key)) return `unknown key; ${key} is a phase kind and goes in a list item of phases (allowed here: ${list})`;
  return suggestion ? `unknown key; did you mean ${suggestion}? (allowed: ${list})` : `unknown key (allowed: ${list})`;
}

/** `['phases', 2, 'steady', 'rate']` → `phases[2].steady.rate`. */
function pathText(path: readonly (string | number)[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/**
 * Where a path sits in the file: the value's node, or for an unknown key the key itself;
 * a missing field points at the nearest mapping that exists.
 */
function locate(document: Document, lineCounter: LineCounter, path: readonly (string | number)[], atKey: boolean): { line: number; col: number } | null {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    if (atKey && length === path.length) {
      const parent = document.getIn(prefix.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === prefix.at(-1));
        const range = (pair?.key as YamlNode | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]);
      }
      continue;
    }
    const node = length === 0 ? document.contents : document.getIn(prefix, true);
    const range = (node as YamlNode | null | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]);
  }
  return null;
}

/** The schema's output as the program's types, with default phase names. */
function toScenario(file: ScenarioFile, fileName: string): Scenario {
  const realtimePhases: RealtimePhase[] = [];
  file.phases.forEach((phase, index) => {
    if (phase.sessions) {
      const { count, rate, hold, turns } = phase.sessions;
      realtimePhases.push({ kind: 'sessions', name: phase.name ?? defaultPhaseName('sessions', index), count: count!, ratePerSecond: rate ?? null, holdMs: hold ?? 0, turns: turns ?? 0 });
    } else if (phase['session-ramp']) {
      const { step, every, max, holdAfter } = phase['session-ramp'];
      realtimePhases.push({ kind: 'session-ramp', name: phase.name ?? defaultPhaseName('session-ramp', index), step: step!, everyMs: every!, max: max!, holdAfterMs: holdAfter ?? 0 });
    } else if (phase.turns) {
      const { sessions, turns, gap, maxOutputTokens } = phase.turns;
      realtimePhases.push({ kind: 'turns', name: phase.name ?? defaultPhaseName('turns', index), sessions: sessions ?? 1, turns: turns!, turnGapMs: gap ?? 0, maxOutputTokens: maxOutputTokens ?? 16, purpose: 'turns' });
    }
  });
  const httpPhases = realtimePhases.length > 0 ? [] : file.phases;
  const phases = httpPhases.map((phase, index): Phase => {
    const payload = phasePayload(phase.payload);
    const spread = phase.spread === undefined ? null : { mode: phase.spread, ...(phase.weights !== undefined ? { weights: phase.weights } : {}) };
    const base = { ...(payload ? { payload } : {}), ...(spread ? { spread } : {}) };
    if (phase.burst) {
      const name = phase.name ?? defaultPhaseName('burst', index);
      return { kind: 'burst', name, size: phase.burst.size!, bursts: phase.burst.bursts ?? 1, gapMs: phase.burst.gap ?? 0, ...base };
    }
    if (phase.steady) {
      const name = phase.name ?? defaultPhaseName('steady', index);
      return { kind: 'steady', name, ratePerSecond: phase.steady.rate!, durationMs: phase.steady.duration!, ...base };
    }
    if (phase.ramp) {
      const name = phase.name ?? defaultPhaseName('ramp', index);
      return { kind: 'ramp', name, fromPerSecond: phase.ramp.from!, toPerSecond: phase.ramp.to!, durationMs: phase.ramp.duration!, ...base };
    }
    return { kind: 'pause', name: phase.name ?? defaultPhaseName('pause', index), durationMs: phase.pause!, ...base };
  });
  return {
    name: file.name ?? baseName(fileName),
    description: file.description ?? null,
    file: fileName,
    target: file.target ? dropUndefined(file.target) : null,
    ...(file.targets !== undefined ? { targets: Object.entries(file.targets).map(([id, target]) => ({ id, ...dropUndefined(target) })) } : {}),
    advertised: {
      tpm: file.advertised?.tpm ?? null,
      rpm: file.advertised?.rpm ?? null,
      rpmPer1kTpm: file.advertised?.rpmPer1kTpm ?? null,
    },
    payload: file.payload ? dropUndefined(file.payload) : {},
    maxInFlight: file.maxInFlight ?? null,
    expect: file.expect,
    phases,
    realtimePhases,
  };
}

function phasePayload(payload: { maxTokens?: number | undefined; promptTokens?: number | undefined; stream?: boolean | undefined } | undefined): PayloadOverrides | null {
  if (!payload) return null;
  const overrides = dropUndefined(payload);
  return Object.keys(overrides).length > 0 ? overrides : null;
}

/** Problems only visible once every phase is valid: ramps that send nothing, plans too large. */
function planProblems(phases: Phase[]): PathProblem[] {
  const problems: PathProblem[] = [];
  let total = 0;
  phases.forEach((phase, index) => {
    if (phase.kind === 'ramp' && phase.fromPerSecond === 0 && phase.toPerSecond === 0) {
      problems.push({ path: ['phases', index, 'ramp'], message: 'goes from 0/s to 0/s and sends nothing; use a pause to wait' });
    }
    total += phaseRequestCount(phase);
  });
  if (total > MAX_PLANNED_REQUESTS) {
    problems.push({
      path: ['phases'],
      message: `plan ${total.toLocaleString('en-US')} requests, more than the ${MAX_PLANNED_REQUESTS.toLocaleString('en-US')} a scenario may hold; shorten or slow the phases`,
    });
  }
  return problems;
}

function dropUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function baseName(fileName: string): string {
  const last = fileName.split(/[\\/]/).at(-1) ?? fileName;
  return last.replace(/\.(ya?ml|json)$/i, '') || 'scenario';
}
