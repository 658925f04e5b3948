/**
 * Turns settings into a PolicyFactory: the numbers of each profile, derived from
 * TPM/RPM and the windows, and the one-line description printed when the
 * simulator is ready.
 */
import { SEED_FLAT_CHARGE } from './charge.js';
import { describeLimiterSpec } from './limiters/spec.js';
import type { SimulatorSettings } from './options.js';
import { AzurePtuPolicy } from './policies/azure-ptu.js';
import { AzureStandardPolicy, type AzureStandardSettings } from './policies/azure-standard.js';
import { GenericPolicy } from './policies/generic.js';
import { OpenAiPolicy, type OpenAiSettings } from './policies/openai.js';
import type { PolicyFactory } from './policies/policy.js';
import { formatThousands, formatWindow } from './units.js';

/** A deployment's own TPM and RPM (declared deployments may differ from the simulator's). */
export interface DeploymentLimits {
  tpm: number;
  rpm: number;
}

/**
 * The azure-standard numbers: ceil(RPM × window / 60 s) requests per request
 * window (50 per 10 s at 300 RPM), ceil(RPM / 60) per second for the sub-cap (5),
 * TPM × window / 60 s tokens per token window. Rounded up, with at least 1, as
 * Azure's simulator does (ceil(TPM/1000)): a 6-RPM deployment admits 1 per 10 s.
 */
export function azureStandardSettings(settings: SimulatorSettings, limits: DeploymentLimits = settings): AzureStandardSettings {
  return {
    requestLimit: Math.max(1, Math.ceil((limits.rpm * settings.requestWindowMs) / 60_000 - 1e-9)),
    requestWindowMs: settings.requestWindowMs,
    subsecondLimit: settings.subsecondCap ? Math.max(1, Math.ceil(limits.rpm / 60 - 1e-9)) : undefined,
    tokenLimit: Math.max(1, Math.round((limits.tpm * settings.tokenWindowMs) / 60_000)),
    tokenWindowMs: settings.tokenWindowMs,
    flatCharge: settings.profile === 'azure-seed' ? SEED_FLAT_CHARGE : undefined,
    region: settings.region,
  };
}

/** The openai numbers: buckets of a window's worth, refilled at RPM/60 and TPM/60 per second. */
export function openAiSettings(settings: SimulatorSettings, limits: DeploymentLimits = settings): OpenAiSettings {
  return {
    requestCapacity: Math.max(1, Math.round((limits.rpm * settings.requestWindowMs) / 60_000)),
    requestsPerSecond: limits.rpm / 60,
    tokenCapacity: Math.max(1, Math.round((limits.tpm * settings.tokenWindowMs) / 60_000)),
    tokensPerSecond: limits.tpm / 60,
  };
}

/**
 * Builds the policy factory for the settings' profile (or generic limiter).
 * Its description names each declared deployment with its model and limits.
 */
export function createPolicyFactory(settings: SimulatorSettings): PolicyFactory {
  const factory = profileFactory(settings);
  const declared = [...(settings.deployments?.values() ?? [])].filter((deployment) => deployment.model !== undefined);
  if (declared.length === 0 || settings.limiter !== undefined) return factory;
  const list = declared
    .map((deployment) => `${deployment.name} (${deployment.model!.name}, ${deployment.kind}, ${formatThousands(deployment.tpm)} TPM, ${formatThousands(deployment.rpm)} RPM)`)
    .join(', ');
  return { ...factory, describe: () => `${factory.describe()}; deployments: ${list}` };
}

function profileFactory(settings: SimulatorSettings): PolicyFactory {
  const tpmText = `${formatThousands(settings.tpm)} TPM`;
  const rpmText = `${formatRpm(settings.rpm)} RPM`;
  if (settings.limiter !== undefined) {
    const spec = settings.limiter;
    return { profile: 'generic', family: 'generic', describe: () => `limiter ${describeLimiterSpec(spec)}`, create: () => new GenericPolicy(spec) };
  }
  switch (settings.profile) {
    case 'azure-standard':
    case 'azure-seed':
    case 'azure-realtime':
    case 'speech': {
      const numbers = azureStandardSettings(settings);
      const caps = [`${numbers.requestLimit} per ${formatWindow(numbers.requestWindowMs)}`];
      caps.push(numbers.subsecondLimit === undefined ? 'no 1-s cap' : `${numbers.subsecondLimit} per 1 s`);
      const tokens = settings.tokenWindowMs === 60_000 ? '' : `; ${formatThousands(numbers.tokenLimit)} tokens per ${formatWindow(numbers.tokenWindowMs)}`;
      const flat = numbers.flatCharge === undefined ? '' : `, a flat ${numbers.flatCharge} tokens per request`;
      return {
        profile: settings.profile,
        family: 'azure',
        describe: () => `${settings.profile}, ${tpmText} (${rpmText}${raisedToOne(settings) ? ', rounded up to at least 1 per window' : ''}: ${caps.join(', ')}${tokens})${flat}`,
        create: (limits) => new AzureStandardPolicy(limits === undefined ? numbers : azureStandardSettings(settings, limits)),
      };
    }
    case 'azure-ptu': {
      const capacity = Math.max(1, Math.round((settings.tpm * settings.tokenWindowMs) / 60_000));
      const drainPerSecond = settings.tpm / 60;
      return {
        profile: 'azure-ptu',
        family: 'azure',
        describe: () => `azure-ptu, ${tpmText} (utilization bucket of ${formatThousands(capacity)} tokens draining ${formatThousands(drainPerSecond)} per s)`,
        create: (limits) =>
          new AzurePtuPolicy(
            limits === undefined
              ? { capacity, drainPerSecond, region: settings.region }
              : { capacity: Math.max(1, Math.round((limits.tpm * settings.tokenWindowMs) / 60_000)), drainPerSecond: limits.tpm / 60, region: settings.region },
          ),
      };
    }
    case 'openai': {
      const numbers = openAiSettings(settings);
      return {
        profile: 'openai',
        family: 'openai',
        describe: () =>
          `openai, ${tpmText}, ${rpmText} (token buckets: ${formatThousands(numbers.requestCapacity)} requests, ${formatThousands(numbers.tokenCapacity)} tokens)`,
        create: (limits) => new OpenAiPolicy(limits === undefined ? numbers : openAiSettings(settings, limits)),
      };
    }
  }
}

/**
 * An RPM for the banner: whole thousands as usual, and a small rate (below 1 RPM, as
 * `--tpm 1` gives) with its significant digits, so that it never prints as "0 RPM"
 * beside caps of 1.
 */
function formatRpm(rpm: number): string {
  if (rpm >= 1 || rpm === 0) return formatThousands(rpm);
  return Number(rpm.toPrecision(2)).toLocaleString('en-US', { maximumFractionDigits: 12 });
}

/** Whether the RPM is below one request per request window, so the caps show the floor of 1 rather than the RPM. */
function raisedToOne(settings: SimulatorSettings): boolean {
  return (settings.rpm * settings.requestWindowMs) / 60_000 < 1;
}
