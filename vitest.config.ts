import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/longest-first-sequencer.js';

/**
 * Files that spend their time waiting on real time (limiters with windows of seconds,
 * runs of fixed duration, recovery pauses) and use little CPU: measured at 10–40 % of
 * one core over their wall time. They run in a second group with more workers, after
 * the CPU-bound files have finished.
 *
 * Why a second group and not more workers for everything: the CPU-bound files (fake-clock
 * accuracy runs, spawned CLIs) would then share two cores four ways and slow every
 * real-time file beside them. In their own group, the waiting files overlap each other's
 * waits and see less CPU load than they did beside the CPU-bound files. vitest runs
 * groups with different worker counts one after another (`sequence.groupOrder`).
 * A new file joins the CPU-bound group by itself; add it here when it mostly waits.
 */
export const WAITING_TESTS = [
  'test/probe/real-limiters.test.ts',
  'test/probe/real-limiters-haproxy.test.ts',
  'test/probe/real-limiters-express.test.ts',
  'test/probe/real-limiters-flexible-fastify.test.ts',
  'test/probe/real-limiters-apache-varnish.test.ts',
  'test/probe/cli-probe.test.ts',
  'test/e2e/readme-examples.test.ts',
  'test/e2e/steady-ramp-run.test.ts',
  'test/trust/verdict-defects.test.ts',
  'test/realtime/cli-realtime.test.ts',
  'test/retry/real-limiters.test.ts',
  'test/realtime/realtime-limits.test.ts',
  'test/trust/short-keys.test.ts',
  'test/e2e/shards-commands.test.ts',
  'test/retry/herd.test.ts',
];

/**
 * Workers of the waiting group: its files are mostly idle (10–40 % of one core each), so
 * more of them than cores. Five, not four: with four the longest files queued behind
 * each other (the group took 240 s for 800 s of files); five such files use about one
 * of the two cores.
 */
const WAITING_WORKERS = 5;

/**
 * Tests run against real servers on loopback; several suites start processes
 * (nginx, HAProxy, the bin itself), so they get generous per-test time and run
 * in forked workers. Timing-sensitive assertions use loose tolerances instead of
 * short timeouts: this box has 2 cores that the servers share with the tests.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/support/remove-temporary-folders.ts'],
    // Longest files first, from the committed durations of a whole run (see the sequencer's comment).
    sequence: { sequencer: LongestFirstSequencer },
    // @actions/workflow-parser imports its schema JSON without an import attribute, which
    // Node refuses; inlined, vite's JSON loader serves it (test/deploy validates workflows).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    // The file lists live in the projects: a project that extends the root adds its lists to the root's.
    projects: [
      { extends: true, test: { name: 'cpu', include: ['test/**/*.test.ts'], exclude: WAITING_TESTS, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'waiting', include: WAITING_TESTS, maxWorkers: WAITING_WORKERS, sequence: { groupOrder: 1 } } },
    ],
  },
});
