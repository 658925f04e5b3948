/**
 * The embedded simulator: what a sending command targets when no target was given (or
 * --sim names a profile). It runs in a worker of this process, on loopback; its limits
 * stand in for the advertised ones when none were given.
 */
import { InputError } from '../errors.js';
import type { AdvertisedLimits } from '../record/types.js';
import type { TargetSpec } from '../run/types.js';
import { simulatorTarget } from '../run/target.js';
import type { RunningSimulator } from '../sim/server.js';
// The launcher itself, not the src/sim barrel: the simulator runs on its own thread, and the
// barrel would load all of it (yaml and ws included) into this one as well.
import { startSimulatorInWorker, type WorkerSimulatorOptions } from '../sim/worker-simulator.js';
import { resolveSimulatorSettings, type SimulatorProfile } from '../sim/options.js';
import { SimulatorConfigError } from '../sim/config-error.js';
import type { RunSettings } from './run-settings.js';

/** The running simulator, the target aimed at it, and the advertised limits the run uses. */
export interface EmbeddedSimulator {
  simulator: RunningSimulator;
  target: TargetSpec;
  advertised: AdvertisedLimits;
}

/** The simulator's options from the run's settings: the profile, and the advertised limits it should enforce. */
function simulatorOptionsFor(settings: RunSettings): WorkerSimulatorOptions {
  return {
    profile: (settings.simProfile ?? 'azure-standard') as SimulatorProfile,
    ...(settings.advertised.tpm !== null ? { tpm: settings.advertised.tpm } : {}),
    ...(settings.advertised.source !== 'none' && settings.advertised.rpm !== null ? { rpm: settings.advertised.rpm } : {}),
  };
}

/** Starts one simulator in a worker; its configuration errors become input errors (exit 2). */
async function startWorker(options: WorkerSimulatorOptions): Promise<RunningSimulator> {
  try {
    return await startSimulatorInWorker(options);
  } catch (error) {
    if (error instanceof SimulatorConfigError) throw new InputError(error.problems);
    throw error;
  }
}

/** One more simulator like the embedded one (same profile and limits): a lane of the retry lab. */
export function startLaneSimulator(settings: RunSettings): Promise<RunningSimulator> {
  return startWorker(simulatorOptionsFor(settings));
}

/** Starts the simulator the settings ask for; its configuration errors become input errors (exit 2). */
export async function startEmbeddedSimulator(settings: RunSettings, advertisedGiven: AdvertisedLimits): Promise<EmbeddedSimulator> {
  const simulatorOptions = simulatorOptionsFor(settings);
  const simulator = await startWorker(simulatorOptions);
  const target: TargetSpec = {
    ...simulatorTarget({
      endpoint: simulator.url,
      deployment: settings.targetFlags.deployment ?? settings.payload.model ?? 'gpt-4o',
      profile: simulator.profile,
      ...(settings.targetFlags.kind ? { kind: settings.targetFlags.kind } : {}),
    }),
    // The simulator wants an api-key like Azure does; any value is accepted.
    auth: { apiKey: 'embedded-simulator-key' },
  };
  let advertised = advertisedGiven;
  if (advertised.source === 'none') {
    const limits = resolveSimulatorSettings(simulatorOptions);
    advertised = { tpm: limits.tpm, rpm: limits.rpm, source: 'simulator' };
  }
  return { simulator, target, advertised };
}
