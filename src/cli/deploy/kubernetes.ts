/**
 * `aoai-probe deploy k8s`: the Kubernetes objects that run a scenario split over N pods
 * (docs/sharding.md). Kubernetes is the scheduler, not aoai-probe:
 *
 *   - an Indexed Job (`completionMode: Indexed`): N pods, each with its index in
 *     JOB_COMPLETION_INDEX, which `--shards N` turns into `--shard INDEX/N`;
 *   - a headless Service the Job's pods join (`subdomain`), which gives pod 0 the stable
 *     name `NAME-0.NAME` that every shard uses as `--coordinator`;
 *   - a ConfigMap holding the scenario file, mounted where the command reads it;
 *   - a PersistentVolumeClaim every pod writes its recording to (`shard-INDEX.ndjson`),
 *     unless the user names a claim of their own.
 *
 * The key comes from a Kubernetes Secret by reference only (`secretKeyRef`): no value
 * is ever written into these files. `backoffLimit: 0`: a shard retried after a failure
 * would send its share of the plan twice.
 */
import { COORDINATOR_PORT, RECORDINGS_FOLDER, SCENARIO_FILE, packageSpec } from './common.js';

/** What the user chose. */
export interface KubernetesOptions {
  /** Name of the Job, the Service and the other objects' prefix. */
  name: string;
  namespace: string | null;
  shards: number;
  /** The scenario file's text (validated), stored in the ConfigMap. */
  scenarioText: string;
  /** Container image with Node.js and npx. */
  image: string;
  /** The Secret and the key in it that hold the API key. */
  secretName: string;
  secretKey: string;
  /** The environment variable the key is handed over in (what the scenario's target reads). */
  keyVariable: string;
  /** An existing claim to write recordings to; null: the output has one. */
  volumeClaim: string | null;
  /** Extra flags for every shard (e.g. --yes). */
  extraArgs: readonly string[];
}

/** Where the pod's files live: the command runs in WORKING_DIR, so the paths in it are relative (and the same locally). */
const WORKING_DIR = '/work';

/** How long a pod waits at the coordinator for the others (`--start-timeout`). */
const POD_START_TIMEOUT = '10m';

/** The container's command and arguments, as Kubernetes runs them (`$(VAR)` is expanded by Kubernetes). */
export function shardCommand(options: KubernetesOptions): { command: string[]; args: string[] } {
  return {
    command: ['npx', '--yes', packageSpec()],
    args: [
      'run',
      SCENARIO_FILE,
      '--shards',
      String(options.shards),
      '--coordinator',
      `${options.name}-0.${options.name}:${COORDINATOR_PORT}`,
      // Pods of one Job can start minutes apart (scheduling, image pulls): wait longer than a hand-started run does.
      '--start-timeout',
      POD_START_TIMEOUT,
      '--record',
      `${RECORDINGS_FOLDER}/shard-$(JOB_COMPLETION_INDEX).ndjson`,
      '--quiet',
      ...options.extraArgs,
    ],
  };
}

/** The objects, in the order `kubectl apply -f` should create them. */
export function kubernetesObjects(options: KubernetesOptions): Record<string, unknown>[] {
  const metadata = (name: string): Record<string, unknown> => ({
    name,
    ...(options.namespace !== null ? { namespace: options.namespace } : {}),
    labels: { 'app.kubernetes.io/name': 'aoai-probe', 'app.kubernetes.io/instance': options.name },
  });
  const claimName = options.volumeClaim ?? `${options.name}-recordings`;
  const { command, args } = shardCommand(options);
  const objects: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(`${options.name}-scenario`), data: { 'scenario.yaml': options.scenarioText } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(options.name),
      spec: {
        clusterIP: 'None',
        // The coordinator's name must resolve before any pod is "ready" (there is no readiness probe).
        publishNotReadyAddresses: true,
        selector: { 'batch.kubernetes.io/job-name': options.name },
        ports: [{ name: 'coordinator', port: COORDINATOR_PORT, targetPort: COORDINATOR_PORT, protocol: 'TCP' }],
      },
    },
  ];
  if (options.volumeClaim === null) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: metadata(claimName),
      // ReadWriteMany: every pod writes its own file into the one volume.
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    });
  }
  objects.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(options.name),
    spec: {
      completionMode: 'Indexed',
      completions: options.shards,
      parallelism: options.shards,
      backoffLimit: 0,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'aoai-probe', 'app.kubernetes.io/instance': options.name } },
        spec: {
          restartPolicy: 'Never',
          subdomain: options.name,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
          containers: [
            {
              name: 'shard',
              image: options.image,
              workingDir: WORKING_DIR,
              command,
              args,
              env: [
                // The Job controller sets it too; declared here so the $(…) in args is expanded from a variable the pod spec names.
                { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
                { name: options.keyVariable, valueFrom: { secretKeyRef: { name: options.secretName, key: options.secretKey } } },
                { name: 'HOME', value: '/tmp' },
              ],
              ports: [{ name: 'coordinator', containerPort: COORDINATOR_PORT }],
              volumeMounts: [
                { name: 'scenario', mountPath: `${WORKING_DIR}/scenario`, readOnly: true },
                { name: 'recordings', mountPath: `${WORKING_DIR}/${RECORDINGS_FOLDER}` },
              ],
            },
          ],
          volumes: [
            { name: 'scenario', configMap: { name: `${options.name}-scenario` } },
            { name: 'recordings', persistentVolumeClaim: { claimName } },
          ],
        },
      },
    },
  });
  return objects;
}
