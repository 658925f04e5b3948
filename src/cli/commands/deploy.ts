/**
 * `aoai-probe deploy k8s|github --scenario FILE --shards N`: writes what runs the
 * scenario split over N machines on an engine the user already operates — a Kubernetes
 * Indexed Job (src/cli/deploy/kubernetes.ts) or a GitHub Actions matrix workflow
 * (src/cli/deploy/github-actions.ts) — never a scheduler of its own. It sends nothing:
 * it validates the scenario and prints (or writes) the files. docs/sharding.md says how
 * to use them.
 *
 * The flags are defined here; what the commands do is in deploy-action.ts, loaded when
 * they run (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { RawOptions } from '../options.js';

/** The environment variable the shards read the key from, unless --key-variable names another. */
const DEFAULT_KEY_VARIABLE = 'AZURE_OPENAI_API_KEY';

/** Registers `deploy` and its two engines. */
export function register(program: Command, io: CliIo): void {
  const deploy = program.command('deploy').description('write the files that run a scenario split over N machines: a Kubernetes Indexed Job, or a GitHub Actions matrix');

  deploy
    .command('k8s')
    .description('write a Kubernetes Indexed Job (with its headless Service, scenario ConfigMap and recordings volume) as YAML')
    .option('--scenario <file>', 'the scenario every shard runs (required)')
    .option('--shards <n>', 'how many pods share the plan (required)')
    .option('--name <name>', 'name of the Job and its Service (default: the scenario\'s name)')
    .option('--namespace <namespace>', 'namespace of every object (default: kubectl\'s current one)')
    .option('--image <image>', 'container image with Node.js 20 or later and npx', 'node:22-slim')
    .option('--secret <name>', 'the Kubernetes Secret holding the API key (default: NAME-key)')
    .option('--secret-key <key>', 'the key inside that Secret', 'api-key')
    .option('--key-variable <name>', 'the environment variable the key is handed to the shards in', DEFAULT_KEY_VARIABLE)
    .option('--volume-claim <name>', 'an existing PersistentVolumeClaim for the recordings (default: the output includes a ReadWriteMany claim)')
    .option('--endpoint <url>', 'the Azure OpenAI endpoint every shard sends to (when the scenario names no target)')
    .option('--deployment <name>', 'the Azure deployment every shard sends to')
    .option('--url <url>', 'the full request URL every shard sends to (any HTTP API)')
    .option('--yes', 'pass --yes to every shard (plans above --max-requests against a real target)')
    .option('--out <file>', 'write the YAML to this file instead of stdout')
    .action(async (raw: RawOptions) => {
      const { writeKubernetesJob } = await import('./deploy-action.js');
      await writeKubernetesJob(io, raw);
    });

  deploy
    .command('github')
    .description('write a GitHub Actions workflow: a matrix of shards, an artefact each, and a merge job that posts the step summary')
    .option('--scenario <file>', 'the scenario every shard runs, a path inside the repository (required)')
    .option('--shards <n>', 'how many matrix jobs share the plan (required)')
    .option('--name <name>', 'the workflow\'s name (default: the scenario\'s name)')
    .option('--labels <list>', 'comma-separated labels (e.g. regions) handed to the shards in turn as --shard-label')
    .option('--secret <name>', 'the Actions secret holding the API key', DEFAULT_KEY_VARIABLE)
    .option('--key-variable <name>', 'the environment variable the key is handed to the shards in', DEFAULT_KEY_VARIABLE)
    .option('--lead <minutes>', 'minutes between the plan job and the shared start (runners take a while to start)', '3')
    .option('--endpoint <url>', 'the Azure OpenAI endpoint every shard sends to (when the scenario names no target)')
    .option('--deployment <name>', 'the Azure deployment every shard sends to')
    .option('--url <url>', 'the full request URL every shard sends to (any HTTP API)')
    .option('--yes', 'pass --yes to every shard (plans above --max-requests against a real target)')
    .option('--out <file>', 'write the workflow to this file instead of stdout, e.g. .github/workflows/aoai-probe-shards.yml')
    .action(async (raw: RawOptions) => {
      const { writeGithubWorkflow } = await import('./deploy-action.js');
      await writeGithubWorkflow(io, raw);
    });
}
