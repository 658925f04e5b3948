/**
 * Turns the shared flags of a sending command (and, for `run`, the scenario file's
 * globals) into one typed RunSettings, collecting every problem before anything is
 * sent. Flags win over the scenario file; the environment fills what neither gives.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PayloadSpec } from '../run/types.js';
import type { TargetOptions } from '../run/target.js';
import { Problems, optionalCount, optionalDuration, optionalNumber, type RawOptions } from './options.js';

/** Simulator profiles the embedded target can start with. */
export const SIM_PROFILES = ['azure-standard', 'azure-seed', 'azure-ptu', 'openai'] as const;

/** The target flags, as src/run/target.ts reads them. */
export type TargetFlags = TargetOptions;

/** Everything a sending command needs to know, validated. */
export interface RunSettings {
  targetFlags: TargetFlags;
  /** Embedded simulator profile: from --sim, or the default when no target is given. */
  simProfile: string | null;
  payload: PayloadSpec;
  advertised: { tpm: number | null; rpm: number | null; rpmPer1kTpm: number; source: 'flags' | 'scenario' | 'none' };
  recordPath: string | null;
  json: boolean;
  format: 'table' | 'json' | 'markdown' | 'html' | null;
  outPath: string | null;
  expectations: string[];
  junitPath: string | null;
  maxRequests: number;
  maxInFlight: number | null;
  timeoutMs: number;
  yes: boolean;
  dryRun: boolean;
  quiet: boolean;
  color: boolean;
}

/** What a scenario file may contribute (src/scenario), before flags override it. */
export interface ScenarioDefaults {
  target?: TargetFlags;
  advertised?: { tpm?: number | null; rpm?: number | null; rpmPer1kTpm?: number | null };
  payload?: { maxTokens?: number | null; promptTokens?: number | null; stream?: boolean; model?: string | null };
  maxInFlight?: number | null;
  expect?: string[];
}

const DEFAULT_RPM_PER_1K_TPM = 6;
const DEFAULT_MAX_REQUESTS = 500;
const DEFAULT_TIMEOUT_MS = 60_000;

/** Reads and validates the shared flags; throws one InputError listing every problem. */
export function readRunSettings(raw: RawOptions, cwd: string, env: Record<string, string | undefined>, scenario: ScenarioDefaults = {}): RunSettings {
  const problems = new Problems();
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);

  const targetFlags: TargetFlags = { ...scenario.target };
  for (const key of ['url', 'endpoint', 'deployment', 'apiVersion', 'apiKey', 'bearer'] as const) {
    const value = text(key);
    if (value !== undefined) targetFlags[key] = value;
  }
  if (text('api')) targetFlags.api = text('api') as 'classic' | 'v1';
  const kind = (text('kind') ?? 'chat') as 'chat' | 'embeddings' | 'responses';
  targetFlags.kind = kind;

  const simProfile = text('sim') ?? null;
  if (simProfile !== null && !(SIM_PROFILES as readonly string[]).includes(simProfile)) {
    problems.add(`--sim: "${simProfile}" is not a simulator profile; choose one of ${SIM_PROFILES.join(', ')}`);
  }
  if (simProfile !== null && (targetFlags.url || targetFlags.endpoint)) {
    problems.add('--sim cannot be combined with --url or --endpoint: --sim starts the embedded simulator as the target; drop one of them');
  }

  const maxTokens = optionalCount(problems, raw.maxTokens, '--max-tokens') ?? scenario.payload?.maxTokens ?? null;
  const promptTokens = optionalCount(problems, raw.promptTokens, '--prompt-tokens') ?? scenario.payload?.promptTokens ?? null;
  const bodyPath = text('body');
  let body: unknown;
  if (bodyPath !== undefined) {
    try {
      body = JSON.parse(readFileSync(resolve(cwd, bodyPath), 'utf8'));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON';
      problems.add(`--body: ${bodyPath}: ${reason}; give a file holding the JSON request body`);
    }
  }
  const model = text('model') ?? scenario.payload?.model ?? targetFlags.deployment ?? env.AZURE_OPENAI_DEPLOYMENT ?? 'gpt-4o';
  const payload: PayloadSpec = {
    kind: bodyPath !== undefined ? 'body' : kind,
    model,
    maxTokens,
    promptTokens,
    stream: raw.stream === true || scenario.payload?.stream === true,
    ...(body !== undefined ? { body } : {}),
  };

  const tpmFlag = optionalCount(problems, raw.tpm, '--tpm');
  const rpmFlag = optionalCount(problems, raw.rpm, '--rpm');
  const ratio = optionalNumber(problems, raw.rpmPer1kTpm, '--rpm-per-1k-tpm') ?? scenario.advertised?.rpmPer1kTpm ?? DEFAULT_RPM_PER_1K_TPM;
  const tpm = tpmFlag ?? scenario.advertised?.tpm ?? null;
  const explicitRpm = rpmFlag ?? scenario.advertised?.rpm ?? null;
  // Azure derives RPM from TPM (6 per 1,000 TPM for gpt-4o-era models): azure-limits-facts.md §1.1.
  const rpm = explicitRpm ?? (tpm !== null ? (ratio * tpm) / 1000 : null);
  const fromFlags = tpmFlag !== null || rpmFlag !== null;
  const fromScenario = scenario.advertised?.tpm != null || scenario.advertised?.rpm != null;

  const format = (text('format') ?? null) as RunSettings['format'];
  const json = raw.json === true;
  if (json && format !== null && format !== 'json') {
    problems.add(`--json and --format ${format} both want stdout; use one of them (or --out FILE for the --format output)`);
  }

  const settings: RunSettings = {
    targetFlags,
    simProfile,
    payload,
    advertised: { tpm, rpm, rpmPer1kTpm: ratio, source: fromFlags ? 'flags' : fromScenario ? 'scenario' : 'none' },
    recordPath: text('record') ?? null,
    json,
    format,
    outPath: text('out') ?? null,
    expectations: [...(scenario.expect ?? []), ...((raw.expect as string[] | undefined) ?? [])],
    junitPath: text('junit') ?? null,
    maxRequests: optionalCount(problems, raw.maxRequests, '--max-requests') ?? DEFAULT_MAX_REQUESTS,
    maxInFlight: optionalCount(problems, raw.maxInFlight, '--max-in-flight') ?? scenario.maxInFlight ?? null,
    timeoutMs: optionalDuration(problems, raw.timeout, '--timeout') ?? DEFAULT_TIMEOUT_MS,
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    quiet: raw.quiet === true,
    color: raw.color !== false && env.NO_COLOR === undefined,
  };
  problems.throwIfAny();
  return settings;
}
