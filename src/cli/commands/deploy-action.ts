/**
 * What `aoai-probe deploy k8s|github` do (their flags are in deploy.ts): validate the
 * scenario and the shard count, then print (or write) a Kubernetes Indexed Job or a
 * GitHub Actions matrix workflow that runs the scenario split over N machines.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import type { CliIo } from '../io.js';
import { InputError } from '../../errors.js';
import { loadScenario } from '../../scenario/parse.js';
import type { Scenario } from '../../scenario/types.js';
import { Problems, type RawOptions } from '../options.js';
import { kubernetesObjects } from '../deploy/kubernetes.js';
import { githubWorkflow, MAX_MATRIX_JOBS } from '../deploy/github-actions.js';

/** More pods than this in one Job is a typo. */
const MAX_KUBERNETES_SHARDS = 1000;

/** A Kubernetes object name: a DNS label (lower case, digits, dashes), at most 52 characters so `NAME-recordings` still fits 63. */
function dnsLabel(text: string): string {
  const label = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return label === '' ? 'aoai-probe' : label;
}

/** `--shards N`: a whole number from 2 to `max` (one shard needs no deployment). */
function readShards(problems: Problems, raw: unknown, max: number, why: string): number {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const shards = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (raw === undefined) problems.add('--shards is required: how many machines share the plan, e.g. --shards 3');
  else if (!(shards >= 2 && shards <= max)) problems.add(`--shards: "${text}" is not a shard count from 2 to ${max} (${why})`);
  return shards;
}

/** Loads the scenario (every problem of the file is bad input, exit 2). */
async function readScenario(io: CliIo, raw: unknown): Promise<{ scenario: Scenario; path: string; text: string }> {
  if (typeof raw !== 'string' || raw.trim() === '') throw new InputError('--scenario is required: the scenario file every shard runs, e.g. --scenario scenarios/seed-burst.yaml');
  const path = resolve(io.cwd, raw);
  const scenario = await loadScenario(path);
  if (scenario.target?.simulator !== undefined) {
    throw new InputError(`${raw}: its target is the embedded simulator (target: simulator), which every shard would start on its own; give the scenario a real target (target: endpoint/deployment) first`);
  }
  return { scenario, path, text: readFileSync(path, 'utf8') };
}

/** The scenario, or undefined with its problems added to the flags' (one message for all). */
async function readScenarioListing(problems: Problems, io: CliIo, raw: unknown): Promise<Awaited<ReturnType<typeof readScenario>> | undefined> {
  try {
    return await readScenario(io, raw);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.list.push(...error.problems);
    return undefined;
  }
}

/** Target flags every shard gets; refuses a plan that would only measure each shard's own embedded simulator. */
function targetArgs(raw: RawOptions, scenario: Scenario, scenarioName: string): string[] {
  const args: string[] = [];
  for (const [key, flag] of [['url', '--url'], ['endpoint', '--endpoint'], ['deployment', '--deployment']] as const) {
    if (typeof raw[key] === 'string' && (raw[key] as string).trim() !== '') args.push(flag, (raw[key] as string).trim());
  }
  const scenarioTarget = scenario.target !== null || (scenario.targets?.length ?? 0) > 0;
  if (!scenarioTarget && !args.includes('--url') && !args.includes('--endpoint')) {
    throw new InputError(`${scenarioName} names no target, so every shard would measure an embedded simulator of its own; add --endpoint https://NAME.openai.azure.com --deployment NAME (or --url URL), or a target: to the scenario`);
  }
  return args;
}

/** Prints the text, or writes it to --out. */
function emit(io: CliIo, text: string, out: unknown, what: string): void {
  if (typeof out !== 'string' || out === '') {
    io.stdout.write(text);
    return;
  }
  try {
    writeFileSync(resolve(io.cwd, out), text);
  } catch (error) {
    throw new InputError(`--out ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)}); check that the folder exists and is writable`);
  }
  io.stderr.write(`aoai-probe: wrote ${what} to ${out}\n`);
}

/** Runs `deploy k8s` with the flags commander parsed: prints (or writes) the Kubernetes objects. */
export async function writeKubernetesJob(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const shards = readShards(problems, raw.shards, MAX_KUBERNETES_SHARDS, 'one pod each');
  const loaded = await readScenarioListing(problems, io, raw.scenario);
  problems.throwIfAny();
  const { scenario, text } = loaded!;
  const target = targetArgs(raw, scenario, String(raw.scenario));
  const name = dnsLabel(typeof raw.name === 'string' ? raw.name : scenario.name);
  const objects = kubernetesObjects({
    name,
    namespace: typeof raw.namespace === 'string' ? raw.namespace : null,
    shards,
    scenarioText: text,
    image: String(raw.image),
    secretName: typeof raw.secret === 'string' ? raw.secret : `${name}-key`,
    secretKey: String(raw.secretKey),
    keyVariable: String(raw.keyVariable),
    volumeClaim: typeof raw.volumeClaim === 'string' ? raw.volumeClaim : null,
    extraArgs: [...target, ...(raw.yes === true ? ['--yes'] : [])],
  });
  const header = `# aoai-probe deploy k8s: ${scenario.name} split over ${shards} pods (docs/sharding.md).\n# kubectl apply -f this file; the API key comes from the Secret named below (never from this file).\n`;
  emit(io, header + objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n'), raw.out, 'the Kubernetes objects');
}

/** Runs `deploy github` with the flags commander parsed: prints (or writes) the workflow. */
export async function writeGithubWorkflow(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const shards = readShards(problems, raw.shards, MAX_MATRIX_JOBS, `a GitHub Actions matrix stops at ${MAX_MATRIX_JOBS} jobs`);
  const leadText = String(raw.lead).trim();
  const leadMinutes = /^\d+$/.test(leadText) ? Number(leadText) : Number.NaN;
  if (!(leadMinutes >= 1 && leadMinutes <= 60)) problems.add(`--lead: "${leadText}" is not a whole number of minutes from 1 to 60`);
  const loaded = await readScenarioListing(problems, io, raw.scenario);
  problems.throwIfAny();
  const { scenario, path } = loaded!;
  const target = targetArgs(raw, scenario, String(raw.scenario));
  const inRepository = relative(io.cwd, path);
  if (isAbsolute(inRepository) || inRepository.startsWith('..')) {
    throw new InputError(`--scenario ${String(raw.scenario)} lies outside this folder; run deploy github from the repository's root with the scenario inside it (the jobs check the repository out)`);
  }
  const labels = typeof raw.labels === 'string' ? raw.labels.split(',').map((label) => label.trim()).filter((label) => label !== '') : [];
  const workflow = githubWorkflow({
    name: typeof raw.name === 'string' ? raw.name : scenario.name,
    shards,
    scenarioPath: inRepository.split(sep).join('/'),
    expectations: scenario.expect,
    labels,
    secretName: String(raw.secret),
    keyVariable: String(raw.keyVariable),
    leadMinutes,
    extraArgs: [...target, ...(raw.yes === true ? ['--yes'] : [])],
  });
  const header = `# aoai-probe deploy github: ${scenario.name} split over ${shards} jobs (docs/sharding.md).\n# The key comes from the repository secret named below; run it from the Actions tab (workflow_dispatch).\n`;
  emit(io, header + stringify(workflow, { lineWidth: 0 }), raw.out, 'the workflow');
}
