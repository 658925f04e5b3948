/**
 * Flags shared by every command that sends requests: target, payload,
 * advertised limits, output and safety. Each `add*Options` adds flags to a commander
 * command; `readRunOptions` turns commander's raw strings into typed values and
 * collects EVERY problem before anything is sent (one InputError, exit 2).
 */
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { parseCount, parseDuration } from '../parse/units.js';
import { MAX_BURST_SIZE, MAX_PLANNED_REQUESTS } from '../scenario/limits.js';
import { addShardOptions } from './shard-options.js';

/** Raw values as commander hands them over (strings, booleans, arrays). */
export type RawOptions = Record<string, unknown>;

/** Target flags. Keys may also come from the environment; never echo them. */
export function addTargetOptions(command: Command): Command {
  return command
    .option('--url <url>', 'full request URL of any OpenAI-compatible or other HTTP API')
    .option('--endpoint <url>', 'Azure OpenAI endpoint, e.g. https://NAME.openai.azure.com (or AZURE_OPENAI_ENDPOINT)')
    .option('--deployment <name>', 'Azure deployment name (or AZURE_OPENAI_DEPLOYMENT)')
    .option('--api-version <version>', 'Azure api-version for the classic path (or OPENAI_API_VERSION)', undefined)
    .option('--api <shape>', 'Azure URL shape: classic or v1 (realtime: also voice-live, openai)')
    .option('--api-key <key>', 'key sent in the api-key header (or AZURE_OPENAI_API_KEY); never written anywhere')
    .option('--bearer <token>', 'Entra ID or OpenAI token sent in the Authorization header (or AZURE_OPENAI_AD_TOKEN / OPENAI_API_KEY); never written anywhere')
    .option('--entra', 'keyless Entra ID: tokens from the Azure credential chain (az login, service principal, managed identity), refreshed during the run; never written anywhere')
    .option('--proxy <url>', 'send every request through this forward proxy, loopback targets included (HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured otherwise, never for loopback)')
    .option('--sim <profile>', 'use the embedded simulator with this profile (azure-standard, azure-seed, azure-ptu, openai, azure-realtime, speech)')
    .option('--target <name=url>', 'one of several targets: NAME=URL, or NAME=azure:ENDPOINT/DEPLOYMENT (repeatable; every target gets the whole plan)', collect, [])
    .option('--target-key <name=env>', 'read the key of target NAME from environment variable ENV (repeatable); the key is never written anywhere', collect, []);
}

/** Payload flags. */
export function addPayloadOptions(command: Command): Command {
  return command
    .option('--kind <kind>', 'endpoint kind: chat, embeddings or responses (default chat); probe --kind realtime probes WebSocket sessions')
    .option('--model <name>', 'model name used for token counting and the v1 body (default: the deployment, or gpt-4o)')
    .option('--max-tokens <n>', 'max_tokens of every request (the limiter charges it in full at admission)')
    .option('--prompt-tokens <n>', 'build a prompt of exactly N tokens for the model\'s encoding')
    .option('--stream', 'stream the answers (SSE)')
    .option('--body <file>', 'send this JSON body as is');
}

/** Advertised-limit flags: what the user was promised, to compare with what is measured. */
export function addAdvertisedOptions(command: Command): Command {
  return command
    .option('--tpm <n>', 'advertised tokens per minute of the deployment')
    .option('--rpm <n>', 'advertised requests per minute (default: --rpm-per-1k-tpm × TPM/1000)')
    .option('--rpm-per-1k-tpm <n>', 'RPM granted per 1,000 TPM (6 for gpt-4o-era models; 1 for gpt-4.1, o3, o4-mini)');
}

/** Output and safety flags. */
export function addOutputOptions(command: Command): Command {
  return command
    .option('--record <file>', 'where to write the NDJSON recording (default: a new file under ./aoai-probe-runs/)')
    .option('--json', 'print the summary JSON on stdout (human output goes to stderr)')
    .option('--format <format>', 'output format on stdout: table, json, markdown or html')
    .option('--out <file>', 'write the --format output to this file instead of stdout')
    .option('--expect <expression>', 'CI check over summary fields, e.g. "throttled.ratio < 0.01" (repeatable; exit 3 when unmet)', collect, [])
    .option('--junit <file>', 'also write the --expect results as JUnit XML')
    .option('--max-requests <n>', 'refuse plans larger than this against non-loopback targets unless --yes (default 500)')
    .option('--max-in-flight <n>', 'in-flight ceiling; planned requests beyond it are recorded as dropped')
    .option('--timeout <duration>', 'per-request timeout (default 60s)')
    .option('--transport <kind>', 'how requests are sent: auto (default: lean for direct http/https targets, undici through a proxy or with --entra), lean (a minimal HTTP/1.1 client built for tight bursts; no HTTP/2 or proxies) or undici')
    .option('--max-estimated-tokens <n>', 'refuse plans whose estimated token count (prompt + max_tokens per request) is above this against non-loopback targets unless --yes (default 1,000,000)')
    .option('--yes', 'run plans above --max-requests or --max-estimated-tokens against real targets')
    .option('--dry-run', 'show the plan and exit without sending')
    .option('--quiet', 'no progress line and no table; with --json only the JSON')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)');
}

/** Every shared flag of a sending command: target, payload, advertised limits, output and safety, shards. */
export function addRunOptions(command: Command): Command {
  return addShardOptions(addOutputOptions(addAdvertisedOptions(addPayloadOptions(addTargetOptions(command)))));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A problem list that validators append to; thrown once, all problems together. */
export class Problems {
  readonly list: string[] = [];
  /** Runs `parse` and records its InputError problems instead of throwing. */
  attempt<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (error) {
      if (error instanceof InputError) {
        this.list.push(...error.problems);
        return undefined;
      }
      throw error;
    }
  }
  add(problem: string): void {
    this.list.push(problem);
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new InputError(this.list);
  }
}

/** Reads an optional whole-number flag. */
export function optionalCount(problems: Problems, raw: unknown, flag: string, min = 1): number | null {
  if (raw === undefined || raw === null) return null;
  return problems.attempt(() => parseCount(String(raw), flag, min)) ?? null;
}

/** Reads an optional burst size or count flag, at most the largest burst a scenario may hold. */
export function optionalBurstCount(problems: Problems, raw: unknown, flag: string): number | null {
  const value = optionalCount(problems, raw, flag);
  if (value !== null && value > MAX_BURST_SIZE) {
    problems.add(`${flag}: ${value.toLocaleString('en-US')} is more than the ${MAX_BURST_SIZE.toLocaleString('en-US')} one burst may hold; e.g. ${flag} 50`);
    return null;
  }
  return value;
}

/**
 * Refuses a plan too large to hold in memory (its send times are planned up front)
 * with the same limit a scenario file has, before anything starts.
 */
export function checkPlanSize(problems: Problems, plannedRequests: number, fix: string): void {
  if (Number.isFinite(plannedRequests) && plannedRequests <= MAX_PLANNED_REQUESTS) return;
  const count = Number.isFinite(plannedRequests) ? `${Math.round(plannedRequests).toLocaleString('en-US')} requests` : 'endless requests';
  problems.add(`this plan holds ${count}, more than the ${MAX_PLANNED_REQUESTS.toLocaleString('en-US')} one run may plan; ${fix}`);
}

/** Reads an optional duration flag, ms. */
export function optionalDuration(problems: Problems, raw: unknown, flag: string): number | null {
  if (raw === undefined || raw === null) return null;
  return problems.attempt(() => parseDuration(String(raw), flag)) ?? null;
}

/** Reads an optional positive number flag (decimals allowed). */
export function optionalNumber(problems: Problems, raw: unknown, flag: string): number | null {
  if (raw === undefined || raw === null) return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    problems.add(`${flag}: "${String(raw)}" is not a positive number; e.g. ${flag} 6`);
    return null;
  }
  return value;
}

/**
 * Reads an optional flag that takes one of a few words. Validated here rather than by
 * commander's `choices()`, which stops at the first bad flag: every problem is listed at once.
 */
export function optionalChoice<T extends string>(problems: Problems, raw: unknown, flag: string, allowed: readonly T[]): T | null {
  if (raw === undefined || raw === null) return null;
  const value = String(raw);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.add(`${flag}: "${value}" is not one of ${allowed.join(', ')}; e.g. ${flag} ${allowed[0]}`);
  return null;
}
