/**
 * What `aoai-probe burst` does (its flags are in burst.ts): checks the flags, builds one
 * burst phase (its size derived from the advertised limits unless --size is given) and
 * runs it through the session.
 */
import type { CliIo } from '../io.js';
import { checkPlanSize, optionalBurstCount, optionalDuration, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { readRetryOptions } from '../retry-options.js';
import type { BurstPhase } from '../../schedule/types.js';

/** The RPM the embedded simulator's default profile derives from its 50,000 TPM. */
const EMBEDDED_SIMULATOR_RPM = 300;
const LARGEST_DEFAULT_BURST = 500;

/**
 * Default burst size: enough to cross the advertised 1-s cap (RPM/60) clearly — twice
 * it plus ten — and never below 20 (the figure used when nothing is advertised).
 */
export function defaultBurstSize(rpm: number | null): number {
  if (rpm === null) return 20;
  const perSecond = Math.ceil(rpm / 60);
  return Math.min(LARGEST_DEFAULT_BURST, Math.max(20, perSecond * 2 + 10));
}

/** The RPM the default size is derived from: the advertised one, or the embedded simulator's. */
function rpmForDefaultSize(settings: RunSettings): number | null {
  if (settings.advertised.rpm !== null) return settings.advertised.rpm;
  const targetGiven = Boolean(settings.targetFlags.url || settings.targetFlags.endpoint) || settings.targets.length > 0;
  return targetGiven ? null : EMBEDDED_SIMULATOR_RPM;
}

/** Runs `burst` with the flags commander parsed; sets the exit code. */
export async function runBurst(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const size = optionalBurstCount(problems, raw.size, '--size');
  const bursts = optionalBurstCount(problems, raw.bursts, '--bursts') ?? 1;
  const gapMs = optionalDuration(problems, raw.gap, '--gap') ?? 10_000;
  if (raw.gap !== undefined && bursts === 1) problems.add('--gap is the pause between bursts and there is one burst; add --bursts N (e.g. --bursts 3 --gap 10s), or leave --gap out');
  if (bursts > 1 && gapMs === 0) problems.add('--gap: 0 fires every burst at the same instant (one burst of their sum); give a pause, e.g. --gap 10s, or raise --size instead');
  if (size !== null) checkPlanSize(problems, size * bursts, 'lower --size or --bursts');
  const settings = problems.attempt(() => readRunSettings(raw, io.cwd, io.env));
  const retry = readRetryOptions(problems, raw);
  problems.throwIfAny();
  const runSettings = settings as RunSettings;
  const burstSize = size ?? defaultBurstSize(rpmForDefaultSize(runSettings));
  // The session loads once the flags are good: bad input exits 2 without it (session.ts says why).
  const { runPhasesCommand } = await import('../session.js');
  const phase: BurstPhase = { kind: 'burst', name: 'burst', size: burstSize, bursts, gapMs };
  const code = await runPhasesCommand(
    io,
    { command: 'burst', ...(retry ? { retry } : {}), settings: runSettings, scenario: { size: burstSize, bursts, gapMs }, plannedRequests: burstSize * bursts },
    [phase],
  );
  io.setExitCode(code);
}
