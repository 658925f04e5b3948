/**
 * Every command, registered in the order `--help` lists them. Each command lives in
 * its own file and exports one `register(program, io)` function.
 *
 * Definitions now, work later: `NAME.ts` defines the command (its flags, help text and
 * defaults) and imports nothing heavy, and its action loads `NAME-action.ts`, which does
 * the work, with `import()` when the command runs. Why: every process loads every
 * definition (commander needs them all for `--help`, for suggestions after a typo, and to
 * find the command at all), but runs one command, and the test suite spawns the CLI
 * several hundred times. With the actions imported up front, `aoai-probe --version` loaded
 * 614 files (undici, zod, yaml, the simulator, the analysis, ws, hdr-histogram-js) and took
 * 0.48 s wall and 0.61 s CPU against 0.07 s for bare node; split, it loads 59 and takes
 * 0.14 s and 0.15 s (bench/startup.js; bench/NOTES.md "Start-up cost of a spawned CLI").
 * Keep a definition file free of imports its help does not need: a constant it shows
 * belongs in a small module of its own (src/sim/names.ts, src/report/formats.ts,
 * src/scenario/limits.ts).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { register as registerBurst } from './burst.js';
import { register as registerProbe } from './probe.js';
import { register as registerRamp } from './ramp.js';
import { register as registerReport } from './report.js';
import { register as registerRun } from './run.js';
import { register as registerSteady } from './steady.js';
import { register as registerSim } from './sim.js';
import { register as registerRealtime } from './realtime.js';
import { register as registerRetry } from './retry.js';
import { register as registerAudit } from './audit.js';
import { register as registerDeploy } from './deploy.js';

/** Adds one command (its flags, its action) to the program. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

/** The commands in the order `--help` lists them. */
export const COMMANDS: RegisterCommand[] = [registerBurst, registerSteady, registerRamp, registerProbe, registerRun, registerRetry, registerRealtime, registerAudit, registerReport, registerDeploy, registerSim];
