import { defineConfig } from 'vitest/config';

/**
 * Tests run against real servers on loopback; several suites start processes
 * (nginx, HAProxy, the bin itself), so they get generous per-test time and run
 * in forked workers. Timing-sensitive assertions use loose tolerances instead of
 * short timeouts: this box has 2 cores that the servers share with the tests.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // @actions/workflow-parser imports its schema JSON without an import attribute, which
    // Node refuses; inlined, vite's JSON loader serves it (test/deploy validates workflows).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
