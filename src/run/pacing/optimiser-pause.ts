/**
 * Pausing V8's optimising compiler while a paced plan runs, after the warm-up.
 *
 * Why (bench/NOTES.md, "Steady-rate precision"): even after the warm-up
 * (warm-up.ts), V8 keeps optimising and re-optimising functions during the first
 * seconds of a run (the warm-up cannot produce exactly the run's objects and
 * callbacks, so some optimised code is thrown away and compiled again). Each
 * compile job runs on a background thread, which shares the core with the run
 * when the client has one core (the bench pins it to one), and holds the send loop
 * back 3-6 ms each time. At 1000/s, with the warm-up, steady runs showed 3-6 ms
 * stalls every few hundred ms and a gap p99 of 1.4-1.7 ms; with the optimiser off
 * the gap p99 was 1.16 ms and the longest gap 2-3 ms, for ~5 points more CPU.
 *
 * Opt-in (the CLI reads AOAI_PROBE_PAUSE_OPTIMISER=1): when asked, while a *paced* plan runs (every request due at its own instant, at most
 * 2000/s: below the runner's MIN_WAKE_GAP_MS batching, where precision matters and
 * the CPU has room), no new optimised code is made: what the warm-up optimised
 * stays optimised, anything else runs in V8's baseline tiers. Faster plans and
 * bursts keep the optimiser (they need the speed more than an even pace). It is
 * switched on again when the run ends, before the recording is analysed.
 *
 * How: `v8.setFlagsFromString('--no-opt')`, which V8 honours at run time for new
 * optimisation decisions (Node 20: measured with --trace-opt). Not touched when
 * the process was started with its own optimiser flags (`--no-opt`, `--jitless`...).
 */
import { setFlagsFromString } from 'node:v8';
import type { ScenarioPlan } from '../../schedule/plan.js';

/** Fastest paced rate: the runner gives each request its own wake-up up to here (MIN_WAKE_GAP_MS = 0.5 ms). */
const PACED_MAX_RATE_PER_SECOND = 2000;

/**
 * Whether a plan is paced: at least one request after another (no instant of two or
 * more requests), never closer than 0.5 ms apart. A pure function of the plan.
 */
export function planIsPaced(plan: ScenarioPlan): boolean {
  const minGapMs = 1000 / PACED_MAX_RATE_PER_SECOND;
  let any = false;
  for (const planned of plan.phases) {
    const offsets = planned.offsets;
    for (let index = 1; index < offsets.length; index++) {
      if (offsets[index]! - offsets[index - 1]! < minGapMs) return false;
    }
    if (offsets.length > 0) any = true;
  }
  return any;
}

/** Flags that mean the user chose the optimiser's settings: leave them alone. */
const OWN_OPTIMISER_FLAGS = /(^|\s)--(no-opt|opt|jitless|no-turbofan|turbofan|max-opt(=\S*)?)(\s|$)/;

/** Whether node was started with optimiser flags of its own (command line or NODE_OPTIONS). */
export function hasOwnOptimiserFlags(execArgv: readonly string[], nodeOptions: string): boolean {
  return OWN_OPTIMISER_FLAGS.test(` ${execArgv.join(' ')} ${nodeOptions} `);
}

/**
 * Stops V8 from making new optimised code until the returned function is called.
 * Returns a no-op when the process has optimiser flags of its own (`execArgv` and
 * `nodeOptions` are the process's, handed in by src/cli, the one module that reads
 * `process`).
 */
export function pauseOptimiser(execArgv: readonly string[], nodeOptions: string): () => void {
  if (hasOwnOptimiserFlags(execArgv, nodeOptions)) return () => undefined;
  setFlagsFromString('--no-opt');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    setFlagsFromString('--opt');
  };
}
