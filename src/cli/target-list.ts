/**
 * Several targets in one run: `--target NAME=URL` or `--target NAME=azure:ENDPOINT/DEPLOYMENT`
 * (repeatable) and `--target-key NAME=ENV_VAR`. Each becomes the target options of one
 * named target (its name is the `target` field of every line); src/run/target.ts then
 * resolves each like a single `--url` or `--endpoint` target.
 *
 * Why keys come from environment variables: a key on a command line lands in shell
 * history and process lists. Only the variable's name is given; its value is read here,
 * in src/cli, and goes into the target's credentials, which the recording never holds.
 */
import type { TargetOptions } from '../run/target.js';
import type { Problems } from './options.js';

/** One named target as given, before src/run/target.ts resolves it. */
export type NamedTargetOptions = TargetOptions & { id: string };

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const AZURE_PREFIX = 'azure:';

/**
 * Reads `--target` and `--target-key` values. `shared` (the `--api-key`, `--bearer`,
 * `--api-version`, `--kind` flags) applies to every target that has no key of its own.
 * Problems are added to `problems`, each naming the fix.
 */
export function readTargetList(problems: Problems, rawTargets: unknown, rawKeys: unknown, shared: TargetOptions, env: Readonly<Record<string, string | undefined>>): NamedTargetOptions[] {
  const targets: NamedTargetOptions[] = [];
  const values = Array.isArray(rawTargets) ? (rawTargets as string[]) : [];
  for (const value of values) {
    const split = splitPair(value);
    if (split === null || !TARGET_NAME.test(split.name) || split.rest.trim() === '') {
      problems.add(`--target "${value}" is not NAME=URL; give e.g. --target eastus=https://east.example.com/v1/chat/completions or --target eastus=azure:https://NAME.openai.azure.com/gpt-4o (the name: letters, digits, . _ -)`);
      continue;
    }
    if (targets.some((target) => target.id === split.name)) {
      problems.add(`--target: the name "${split.name}" is given twice; give every target its own name`);
      continue;
    }
    const common: NamedTargetOptions = { id: split.name, ...pick(shared) };
    if (split.rest.startsWith(AZURE_PREFIX)) {
      const azure = split.rest.slice(AZURE_PREFIX.length).replace(/\/+$/, '');
      const cut = azure.lastIndexOf('/');
      const endpoint = cut < 0 ? '' : azure.slice(0, cut);
      const deployment = cut < 0 ? '' : azure.slice(cut + 1);
      if (!/^https?:\/\/[^/]+/.test(endpoint) || deployment === '') {
        problems.add(`--target ${split.name}: "${split.rest}" is not azure:ENDPOINT/DEPLOYMENT; give e.g. ${split.name}=azure:https://NAME.openai.azure.com/gpt-4o`);
        continue;
      }
      targets.push({ ...common, endpoint, deployment });
    } else {
      targets.push({ ...common, url: split.rest });
    }
  }
  const keys = Array.isArray(rawKeys) ? (rawKeys as string[]) : [];
  for (const value of keys) {
    const split = splitPair(value);
    if (split === null || split.rest === '') {
      problems.add(`--target-key "${value}" is not NAME=ENV_VAR; give e.g. --target-key eastus=EASTUS_KEY (the name of an environment variable holding the key)`);
      continue;
    }
    const target = targets.find((candidate) => candidate.id === split.name);
    if (target === undefined) {
      const names = targets.map((candidate) => candidate.id);
      problems.add(`--target-key ${split.name}: no --target is named "${split.name}"; ${names.length > 0 ? `the targets are ${names.join(', ')}` : 'add --target NAME=URL first'}`);
      continue;
    }
    const key = env[split.rest];
    if (key === undefined || key.trim() === '') {
      problems.add(`--target-key ${split.name}: the environment variable ${split.rest} is not set (or empty); export it with the key of target ${split.name}`);
      continue;
    }
    delete target.bearer;
    target.apiKey = key;
  }
  return targets;
}

/** A scenario's named target as it comes to the CLI: `keyEnv` names the variable holding its key. */
export type ScenarioTargetOptions = Omit<TargetOptions, 'apiKey' | 'bearer'> & { id: string; keyEnv?: string };

/** A scenario's `targets:` with their keys read from the variables they name; the shared flags fill the rest. */
export function readScenarioTargets(problems: Problems, list: readonly ScenarioTargetOptions[], shared: TargetOptions, env: Readonly<Record<string, string | undefined>>): NamedTargetOptions[] {
  return list.map(({ keyEnv, ...where }) => {
    const target: NamedTargetOptions = { ...pick(shared), ...where };
    if (keyEnv !== undefined) {
      const key = env[keyEnv];
      if (key === undefined || key.trim() === '') problems.add(`targets.${where.id}.keyEnv: the environment variable ${keyEnv} is not set (or empty); export it with the key of target ${where.id}`);
      else {
        delete target.bearer;
        target.apiKey = key;
      }
    }
    return target;
  });
}

function splitPair(value: string): { name: string; rest: string } | null {
  const at = value.indexOf('=');
  if (at <= 0) return null;
  return { name: value.slice(0, at).trim(), rest: value.slice(at + 1).trim() };
}

/** The shared flags a named target inherits. */
function pick(shared: TargetOptions): TargetOptions {
  const inherited: TargetOptions = {};
  for (const key of ['apiVersion', 'api', 'apiKey', 'bearer', 'kind'] as const) {
    if (shared[key] !== undefined) (inherited as Record<string, unknown>)[key] = shared[key];
  }
  return inherited;
}
