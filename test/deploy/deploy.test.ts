/**
 * `aoai-probe deploy k8s|github` (docs/sharding.md): the generated files validate
 * against the real schemas — every Kubernetes object against the Kubernetes OpenAPI
 * schema (kubernetes-models' validate()), the workflow against GitHub's own workflow
 * parser — and the Indexed Job's container command, run locally the way Kubernetes runs
 * it (JOB_COMPLETION_INDEX set, `$(VAR)` expanded, the ConfigMap's file where the pod
 * mounts it), gives one merged report of every shard.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { ConfigMap, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { Summary } from '../../src/analysis/summary-types.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { ensureBuilt, runCli, startCli, temporaryFolder, waitFor, type CliResult } from '../support/spawn-cli.js';

const SHARDS = 3;

function scenarioFor(url: string): string {
  return `name: Deploy Check
target:
  url: ${url}
expect:
  - "requests.failed == 0"
phases:
  - name: seed
    burst: { size: 9 }
`;
}

/** Validates one object by its kind with kubernetes-models (which throws on a schema violation). */
function validateKubernetes(object: Record<string, unknown>): void {
  const models: Record<string, new (data: never) => { validate(): void }> = { ConfigMap, Service, PersistentVolumeClaim, Job };
  const Model = models[String(object.kind)];
  expect(Model, `a model for ${String(object.kind)}`).toBeDefined();
  new Model!(object as never).validate();
}

function workflowErrors(content: string): string[] {
  const result = parseWorkflow({ name: 'aoai-probe-shards.yml', content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

describe('aoai-probe deploy', () => {
  let simulator: RunningSimulator | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('k8s: an Indexed Job, its headless Service, the scenario ConfigMap and the claim, all valid Kubernetes objects, the key by reference only', async () => {
    const folder = temporaryFolder('deploy-k8s');
    writeFileSync(join(folder, 'scenario.yaml'), scenarioFor('http://127.0.0.1:9/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'));
    const result = await runCli(['deploy', 'k8s', '--scenario', 'scenario.yaml', '--shards', String(SHARDS), '--namespace', 'load'], { cwd: folder, env: { AZURE_OPENAI_API_KEY: 'sk-never-in-the-file' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('sk-never-in-the-file');
    const objects = parseAllDocuments(result.stdout).map((document) => document.toJS() as Record<string, unknown>);
    expect(objects.map((object) => object.kind)).toEqual(['ConfigMap', 'Service', 'PersistentVolumeClaim', 'Job']);
    for (const object of objects) validateKubernetes(object);

    const job = objects[3] as { spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { subdomain: string; containers: { env: { name: string; valueFrom?: { secretKeyRef?: unknown } }[] }[] } } } };
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: SHARDS, parallelism: SHARDS });
    const service = objects[1] as { metadata: { name: string }; spec: { clusterIP: string } };
    expect(service.spec.clusterIP).toBe('None');
    expect(job.spec.template.spec.subdomain).toBe(service.metadata.name);
    const key = job.spec.template.spec.containers[0]!.env.find((variable) => variable.name === 'AZURE_OPENAI_API_KEY');
    expect(key?.valueFrom?.secretKeyRef).toEqual({ name: 'deploy-check-key', key: 'api-key' });

    // The validation can fail: a Job whose completions is not a number is refused.
    expect(() => validateKubernetes({ ...objects[3]!, spec: { ...job.spec, completions: 'three' } })).toThrow();
  });

  it('k8s: the Job\'s container command, run locally with JOB_COMPLETION_INDEX set, gives one merged report of every shard', async () => {
    simulator = await startSimulator({ tpm: 1_000_000 });
    const folder = temporaryFolder('deploy-k8s-run');
    writeFileSync(join(folder, 'scenario.yaml'), scenarioFor(`${simulator.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`));
    const generated = await runCli(['deploy', 'k8s', '--scenario', 'scenario.yaml', '--shards', String(SHARDS)], { cwd: folder });
    expect(generated.code, generated.stderr).toBe(0);
    const objects = parseAllDocuments(generated.stdout).map((document) => document.toJS() as Record<string, any>);
    const configMap = objects.find((object) => object.kind === 'ConfigMap')!;
    const container = objects.find((object) => object.kind === 'Job')!.spec.template.spec.containers[0];

    // The pod's working folder: the ConfigMap's file where the volume mounts it, and the recordings folder.
    const pod = join(folder, 'pod');
    const mounts = container.volumeMounts as { name: string; mountPath: string }[];
    const relativeMount = (name: string): string => mounts.find((mount) => mount.name === name)!.mountPath.slice(`${container.workingDir}/`.length);
    mkdirSync(join(pod, relativeMount('scenario')), { recursive: true });
    mkdirSync(join(pod, relativeMount('recordings')), { recursive: true });
    for (const [file, text] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(join(pod, relativeMount('scenario'), file), text);
    // The container runs the published package; here the same program from this checkout.
    expect(container.command).toEqual(['npx', '--yes', expect.stringMatching(/^aoai-probe@/)]);
    const coordinator = (container.args as string[])[(container.args as string[]).indexOf('--coordinator') + 1]!;

    /** The args as Kubernetes passes them: $(VAR) expanded from the container's variables; only the coordinator's cluster name becomes loopback. */
    const argsFor = (index: number, port: number): string[] =>
      (container.args as string[]).map((arg) => (arg === coordinator ? `127.0.0.1:${port}` : arg.replace(/\$\(JOB_COMPLETION_INDEX\)/g, String(index))));
    const env = (index: number): Record<string, string> => ({ JOB_COMPLETION_INDEX: String(index), AZURE_OPENAI_API_KEY: 'test-key' });
    const first = startCli(argsFor(0, 0), { cwd: pod, env: env(0), timeoutMs: 90_000 });
    let port = 0;
    await waitFor(() => {
      port = Number(/serves the shared start on [\d.]+:(\d+)/.exec(first.stderr())?.[1] ?? 0);
      return port > 0 || first.child.exitCode !== null;
    }, 30_000, 'shard 0 to serve the start');
    expect(port, first.stderr()).toBeGreaterThan(0);
    const others = [1, 2].map((index) => startCli(argsFor(index, port), { cwd: pod, env: env(index), timeoutMs: 90_000 }));
    const results: CliResult[] = await Promise.all([first.done, ...others.map((other) => other.done)]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    // Each shard's checks wait for the merge.
    expect(results[1]!.stderr).toContain('checked on the merged report');

    const report = await runCli(['report', relativeMount('recordings'), '--format', 'json', '--expect', 'requests.failed == 0'], { cwd: pod });
    expect(report.code, report.stderr).toBe(0);
    const summary = JSON.parse(report.stdout) as Summary;
    expect(summary.requests.sent).toBe(9);
    expect(Object.keys(summary.byShard ?? {}).sort()).toEqual(['0', '1', '2']);
    expect(summary.verdict).toContain('Merged 3 of 3 shards');
  }, 180_000);

  it('github: a matrix workflow GitHub\'s parser accepts, an artefact per shard and a merge job with the scenario\'s checks', async () => {
    const folder = temporaryFolder('deploy-github');
    mkdirSync(join(folder, 'scenarios'));
    writeFileSync(join(folder, 'scenarios', 'check.yaml'), scenarioFor('http://127.0.0.1:9/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'));
    const result = await runCli(['deploy', 'github', '--scenario', 'scenarios/check.yaml', '--shards', String(SHARDS), '--labels', 'eastus,westus', '--out', 'workflow.yml'], { cwd: folder });
    expect(result.code, result.stderr).toBe(0);
    const content = readFileSync(join(folder, 'workflow.yml'), 'utf8');
    expect(workflowErrors(content)).toEqual([]);

    const workflow = parse(content) as { jobs: Record<string, any> };
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'shard', 'merge']);
    expect(workflow.jobs.shard.strategy.matrix.include).toEqual([
      { shard: 0, label: 'eastus' },
      { shard: 1, label: 'westus' },
      { shard: 2, label: 'eastus' },
    ]);
    const shardSteps = workflow.jobs.shard.steps as { run?: string; uses?: string; with?: Record<string, unknown> }[];
    expect(shardSteps.find((step) => step.run?.includes('--shard ${{ matrix.shard }}/3'))?.run).toContain('scenarios/check.yaml');
    expect(shardSteps.find((step) => step.uses?.startsWith('actions/upload-artifact'))?.with?.name).toBe('shard-${{ matrix.shard }}');
    const mergeRun = (workflow.jobs.merge.steps as { run?: string }[]).map((step) => step.run ?? '').join('\n');
    expect(mergeRun).toContain('report recordings/');
    expect(mergeRun).toContain("--expect 'requests.failed == 0'");

    // The parser does fail: a job without runs-on is refused.
    delete workflow.jobs.merge['runs-on'];
    const { stringify } = await import('yaml');
    expect(workflowErrors(stringify(workflow)).length).toBeGreaterThan(0);
  });

  it('refuses bad input with one message and exit 2', async () => {
    const folder = temporaryFolder('deploy-bad');
    writeFileSync(join(folder, 'sim.yaml'), 'name: sim\ntarget:\n  simulator: azure-standard\nphases:\n  - name: b\n    burst: { size: 3 }\n');
    const noShards = await runCli(['deploy', 'k8s', '--scenario', 'sim.yaml'], { cwd: folder });
    expect(noShards.code).toBe(2);
    expect(noShards.stderr).toContain('--shards is required');
    expect(noShards.stderr).toContain('embedded simulator');
    const tooMany = await runCli(['deploy', 'github', '--scenario', 'missing.yaml', '--shards', '300'], { cwd: folder });
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain('256');
  });
});
