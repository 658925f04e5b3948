/**
 * The published summary schema (docs/summary.schema.json) holds for what every command
 * prints: burst, steady, ramp, run, probe, retry (and burst --retry), realtime (the embedded
 * simulator's realtime endpoint) and report, each run through the real CLI with a tiny plan.
 * (`audit --json` prints the path audit, a document of its own, not a summary.) The schema is checked strictly here (no
 * property it does not list), so a field added to the summary without documenting it
 * fails too; and the checks are shown to fail on a renamed, retyped or missing field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, runCli, temporaryFolder } from '../support/spawn-cli.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SCHEMA_PATH = join(ROOT, 'docs', 'summary.schema.json');
const DOCS_PATH = join(ROOT, 'docs', 'summary.md');
const published = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as JsonObject;

/** A copy of the schema where every object lists all its properties: `additionalProperties: false` throughout. */
function closed(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as JsonObject).map(([name, child]) => [name, closed(child)])) : closed(value);
  if (copy.type === 'object' && copy.properties !== undefined) copy.additionalProperties = false;
  return copy;
}

function compile(schema: Json): ValidateFunction {
  return new Ajv2020({ allErrors: true, strict: true }).compile(schema as object);
}

const validatePublished = compile(published);
const validateClosed = compile(closed(published));

/** Ajv's findings as one readable line each, for failure messages. */
function problems(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`).join('\n');
}

/** Every property path the schema describes, e.g. "effective.requests", "effective.requests.burst", "retry.policies[].name". */
function schemaPaths(schema: JsonObject, prefix = ''): string[] {
  const properties = schema.properties as JsonObject | undefined;
  if (properties === undefined) return [];
  return Object.entries(properties).flatMap(([name, child]) => {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const items = (child as JsonObject).items as JsonObject | undefined;
    return [path, ...schemaPaths(child as JsonObject, path), ...(items === undefined ? [] : schemaPaths(items, `${path}[]`))];
  });
}

const commands = {
  burst: ['burst', '--size', '3'],
  steady: ['steady', '--rate', '4/s', '--duration', '1s'],
  ramp: ['ramp', '--from', '2/s', '--to', '6/s', '--duration', '1s'],
  run: ['run', 'tiny.yaml'],
  probe: ['probe', '--budget-requests', '12', '--budget-time', '5s'],
  retry: ['retry', '--policies', 'none,exponential', '--callers', '6', '--give-up-after', '5s'],
  'burst --retry': ['burst', '--size', '6', '--retry', 'exponential'],
  realtime: ['realtime', '--sim', 'speech', '--sessions', '4', '--open-rate', '20/s'],
} as const;

let folder: string;
const outputs = new Map<string, JsonObject>();
beforeAll(async () => {
  ensureBuilt();
  folder = temporaryFolder('summary-schema');
  writeFileSync(join(folder, 'tiny.yaml'), 'phases:\n  - burst: 2\n  - pause: 200ms\n  - steady: { rate: 4/s, duration: 1s }\n');
  const runs = await Promise.all(
    Object.entries(commands).map(async ([name, args]) => {
      const run = await runCli([...args, '--json', '--quiet', '--record', join(folder, `${name.replace(/\W+/g, '-')}.ndjson`)], { cwd: folder, timeoutMs: 120_000 });
      return [name, run] as const;
    }),
  );
  for (const [name, run] of runs) {
    expect(run.code, `${name}: ${run.stderr}`).toBe(0);
    outputs.set(name, JSON.parse(run.stdout) as JsonObject);
  }
  const report = await runCli(['report', join(folder, 'burst.ndjson'), join(folder, 'steady.ndjson'), '--format', 'json'], { cwd: folder });
  expect(report.code, report.stderr).toBe(0);
  outputs.set('report', JSON.parse(report.stdout) as JsonObject);
}, 180_000);

describe('every command prints a summary the published schema accepts', () => {
  for (const name of [...Object.keys(commands), 'report']) {
    it(`${name} --json`, () => {
      const summary = outputs.get(name)!;
      expect(validatePublished(summary), problems(validatePublished)).toBe(true);
      expect(validateClosed(summary), `a property the schema does not list:\n${problems(validateClosed)}`).toBe(true);
      expect(summary.command).toBe(name === 'report' ? 'burst' : name.split(' ')[0]);
    });
  }
});

describe('the schema is strict enough to notice a broken contract', () => {
  const broken = (change: (summary: JsonObject) => void): JsonObject => {
    const copy = structuredClone(outputs.get('burst')!);
    change(copy);
    return copy;
  };
  const requests = (summary: JsonObject): JsonObject => summary.requests as JsonObject;
  const effectiveRequests = (summary: JsonObject): JsonObject => (summary.effective as JsonObject).requests as JsonObject;
  const rename = (object: JsonObject, from: string, to: string): void => {
    object[to] = object[from]!;
    delete object[from];
  };

  it.each([
    ['a renamed top-level field', (summary: JsonObject) => rename(summary, 'throttled', 'throttledSummary')],
    ['a renamed nested field', (summary: JsonObject) => rename(requests(summary), 'sent', 'sentCount')],
    ['a number turned into text', (summary: JsonObject) => (requests(summary).ok = String(requests(summary).ok))],
    ['a null where a count must be', (summary: JsonObject) => (requests(summary).failed = null)],
    ['an unknown shape', (summary: JsonObject) => (effectiveRequests(summary).shape = 'leaky-bucket')],
    ['another schema version', (summary: JsonObject) => (summary.schema = 'aoai-probe/summary@2')],
    ['a missing refusal class', (summary: JsonObject) => delete ((summary.throttled as JsonObject).byClass as JsonObject).never],
  ])('%s fails', (_what, change) => {
    expect(validatePublished(broken(change))).toBe(false);
    expect(validateClosed(broken(change))).toBe(false);
  });

  it('a field nobody documented passes the published schema (it is additive) but not the closed check', () => {
    const extended = broken((summary) => (requests(summary).retried = 0));
    expect(validatePublished(extended)).toBe(true);
    expect(validateClosed(extended)).toBe(false);
  });

  it('the optional fields may be absent (recordings analysed by an older build lack them)', () => {
    const older = broken((summary) => {
      delete effectiveRequests(summary).kneePerSecond;
      delete (summary.tokens as JsonObject).estimatedSent;
    });
    expect(validatePublished(older), problems(validatePublished)).toBe(true);
  });
});

describe('docs/summary.md describes the same fields as the schema', () => {
  it('names every property path of the schema, and no path the schema lacks', () => {
    const text = readFileSync(DOCS_PATH, 'utf8');
    const documented = new Set([...text.matchAll(/^\| `([a-zA-Z0-9.[\]]+)` \|/gm)].map((match) => match[1]!));
    const described = schemaPaths(published);
    expect(described.filter((path) => !documented.has(path))).toEqual([]);
    expect([...documented].filter((path) => !described.includes(path))).toEqual([]);
  });
});
