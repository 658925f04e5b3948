/**
 * Declared deployments: a name, the model behind it, what kind of model it is
 * and its limits, as an Azure resource has them. Declared on the command line
 * (`--deployment NAME:model=gpt-4o-mini,kind=chat,tpm=100000`, repeatable) or
 * in a small YAML file (`--deployments-file`):
 *
 * ```yaml
 * deployments:
 *   - name: chat
 *     model: gpt-4o-mini
 *     tpm: 100000        # rpm defaults to the model's ratio (6 per 1,000 TPM here)
 *   - name: embed
 *     model: text-embedding-3-small
 *     kind: embeddings   # default: from the model
 *     tpm: 350000
 * ```
 *
 * A declared model decides the encoding of `usage`, the RPM per 1,000 TPM
 * (models.ts) and the charge of a request without `max_tokens`; its kind decides
 * which operations it serves: the others get Azure's 400 `OperationNotSupported`.
 * Names given without a model (`--deployments a,b`) keep the old behaviour:
 * the model is guessed from the name per operation, every operation is served,
 * and the limits are the simulator's own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DEPLOYMENT_KINDS, modelFacts, type DeploymentKind, type ModelFacts } from './models.js';

/**
 * yaml, loaded when a deployments file is read. Why lazily: it is 72 modules (~35 ms wall,
 * ~50 ms CPU to load on the 2-core test machine), and every simulator (the embedded one of
 * each run, on its own thread, included) resolves its settings through this module, while
 * few are given a file. Why with `require`: the
 * settings are resolved synchronously, and under Node yaml is a CommonJS package, so
 * `require` returns the same module an `import` would.
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

/** One deployment as a user declares it. */
export interface DeploymentDeclaration {
  name: string;
  model: string;
  /** Default: the model's kind (text-embedding-… → embeddings, …-instruct → completions, else chat). */
  kind?: DeploymentKind;
  /** Default: the simulator's TPM. */
  tpm?: number;
  /** Default: the model's RPM per 1,000 TPM × TPM / 1000 (or the simulator's --rpm when given). */
  rpm?: number;
}

/** A deployment the simulator serves, every value settled. */
export interface ResolvedDeployment {
  name: string;
  /** undefined for a deployment named without a model: guessed per operation from the name. */
  model: ModelFacts | undefined;
  /** undefined: every operation is served. */
  kind: DeploymentKind | undefined;
  tpm: number;
  rpm: number;
}

const SPEC_KEYS = ['model', 'kind', 'tpm', 'rpm'] as const;

/** Parses `NAME:model=M,kind=K,tpm=N,rpm=N`; problems are pushed to `problems` (named after `what`). */
export function parseDeploymentSpec(text: string, what: string, problems: string[]): DeploymentDeclaration | undefined {
  const example = `${what} chat:model=gpt-4o-mini,kind=chat,tpm=100000`;
  const colon = text.indexOf(':');
  const name = (colon === -1 ? text : text.slice(0, colon)).trim();
  if (name === '' || colon === -1) {
    problems.push(`${what}: "${text}" needs a name and a model, e.g. ${example}`);
    return undefined;
  }
  const fields: Record<string, unknown> = { name };
  for (const pair of text.slice(colon + 1).split(',')) {
    const [key, ...rest] = pair.split('=');
    const field = (key ?? '').trim();
    const value = rest.join('=').trim();
    if (!(SPEC_KEYS as readonly string[]).includes(field) || value === '') {
      problems.push(`${what}: "${pair.trim()}" in "${text}" is not one of ${SPEC_KEYS.map((item) => `${item}=…`).join(', ')}; e.g. ${example}`);
      continue;
    }
    fields[field] = field === 'tpm' || field === 'rpm' ? parseAmount(value) ?? value : value;
  }
  return checkDeclaration(fields, `${what} ${name}`, problems);
}

/** "100000", "100k", "1.5m" → a number; undefined when it is none of these. */
function parseAmount(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.replace(/[_,]/g, ''));
  if (match === null) return undefined;
  const scale = match[2]!.toLowerCase() === 'k' ? 1000 : match[2]!.toLowerCase() === 'm' ? 1_000_000 : 1;
  return Number(match[1]) * scale;
}

/** Checks one declaration's fields (from a spec or a file entry); problems are pushed, named after `where`. */
function checkDeclaration(fields: Record<string, unknown>, where: string, problems: string[]): DeploymentDeclaration | undefined {
  const before = problems.length;
  const name = typeof fields.name === 'string' ? fields.name.trim() : '';
  if (name === '') problems.push(`${where}: a deployment needs a name`);
  const model = typeof fields.model === 'string' ? fields.model.trim() : '';
  if (model === '') problems.push(`${where}: needs a model, e.g. model=gpt-4o-mini`);
  let kind: DeploymentKind | undefined;
  if (fields.kind !== undefined) {
    if ((DEPLOYMENT_KINDS as readonly unknown[]).includes(fields.kind)) kind = fields.kind as DeploymentKind;
    else problems.push(`${where}: kind "${String(fields.kind)}" is not one of ${DEPLOYMENT_KINDS.join(', ')}`);
  }
  const amount = (field: 'tpm' | 'rpm'): number | undefined => {
    const value = fields[field];
    if (value === undefined) return undefined;
    const number = typeof value === 'string' ? parseAmount(value) : value;
    if (typeof number === 'number' && Number.isFinite(number) && number > 0) return number;
    problems.push(`${where}: ${field} must be a positive number (e.g. ${field}=${field === 'tpm' ? '100000' : '600'}), got ${String(value)}`);
    return undefined;
  };
  const tpm = amount('tpm');
  const rpm = amount('rpm');
  for (const key of Object.keys(fields)) {
    if (key !== 'name' && !(SPEC_KEYS as readonly string[]).includes(key)) problems.push(`${where}: unknown field "${key}"; use ${SPEC_KEYS.join(', ')}`);
  }
  if (problems.length > before) return undefined;
  return { name, model, ...(kind !== undefined ? { kind } : {}), ...(tpm !== undefined ? { tpm } : {}), ...(rpm !== undefined ? { rpm } : {}) };
}

/**
 * Reads a deployments file (YAML or JSON): `deployments:` as a list of entries
 * with `name`, or as a mapping from name to entry. Problems are pushed, named
 * after the file.
 */
export function readDeploymentsFile(path: string, problems: string[]): DeploymentDeclaration[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(`deployments file ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}; give the path of a YAML file with a "deployments:" list`);
    return [];
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    problems.push(`deployments file ${path}: not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return [];
  }
  const list = typeof document === 'object' && document !== null ? (document as Record<string, unknown>).deployments : undefined;
  const entries: Array<Record<string, unknown>> = [];
  if (Array.isArray(list)) {
    for (const item of list) entries.push(typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {});
  } else if (typeof list === 'object' && list !== null) {
    for (const [name, item] of Object.entries(list)) entries.push({ name, ...(typeof item === 'object' && item !== null ? item : {}) });
  } else {
    problems.push(`deployments file ${path}: needs a "deployments:" list, e.g. "deployments: [{ name: chat, model: gpt-4o-mini, tpm: 100000 }]"`);
    return [];
  }
  const declarations: DeploymentDeclaration[] = [];
  entries.forEach((entry, index) => {
    const declaration = checkDeclaration(entry, `deployments file ${path}, entry ${index + 1}`, problems);
    if (declaration !== undefined) declarations.push(declaration);
  });
  if (entries.length === 0) problems.push(`deployments file ${path}: the "deployments:" list is empty`);
  return declarations;
}

/** Settles a declaration: the model's facts, its kind, TPM (default `tpm`) and RPM (given, `rpm` when the simulator's was set, else the model's ratio). */
export function resolveDeclaration(declaration: DeploymentDeclaration, tpm: number, rpm: number | undefined): ResolvedDeployment {
  const model = modelFacts(declaration.model);
  const ownTpm = declaration.tpm ?? tpm;
  return {
    name: declaration.name,
    model,
    kind: declaration.kind ?? model.kind,
    tpm: ownTpm,
    rpm: declaration.rpm ?? (declaration.tpm === undefined && rpm !== undefined ? rpm : (model.rpmPer1kTpm * ownTpm) / 1000),
  };
}
