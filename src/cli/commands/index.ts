/**
 * Every command, registered in the order `--help` lists them. Each command lives in
 * its own file and exports one `register(program, io)` function.
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

export const COMMANDS: RegisterCommand[] = [registerBurst, registerSteady, registerRamp, registerProbe, registerRun, registerRetry, registerRealtime, registerAudit, registerReport, registerDeploy, registerSim];
