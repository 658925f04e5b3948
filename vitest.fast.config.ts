import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:fast`: the pure and fake-clock tests, for a developer's edit-test loop
 * (under 30 s on a 2-core machine). No spawned CLI, no real servers or limiters, no
 * browser, no long property or accuracy runs, no dist/ needed. `npm test` still runs
 * everything, these included.
 *
 * Why a list and not folders: a folder such as test/report holds both pure renderer
 * tests and spawned-CLI tests. A new test file joins `npm test` by itself; add it here
 * when it is pure (or on a fake clock) and quick.
 */
export const FAST_TESTS = [
  'test/analysis/advertised.test.ts',
  'test/analysis/distribution.test.ts',
  'test/analysis/headers.test.ts',
  'test/analysis/phase-rates.test.ts',
  'test/analysis/headroom-and-bursts.test.ts',
  'test/analysis/headroom-order.test.ts',
  'test/analysis/refusal-class.test.ts',
  'test/analysis/shard-merge.test.ts',
  'test/analysis/summarise.test.ts',
  'test/analysis/timeline.test.ts',
  'test/analysis/verdict.test.ts',
  'test/probe/overdrive.test.ts',
  'test/probe/rate-shown.test.ts',
  'test/expect/evaluate.test.ts',
  'test/expect/parse.test.ts',
  'test/record/recording-docs.test.ts',
  'test/record/redact.test.ts',
  'test/report/blocks.test.ts',
  'test/report/golden.test.ts',
  'test/report/html.test.ts',
  'test/report/json.test.ts',
  'test/report/junit.test.ts',
  'test/report/markdown.test.ts',
  'test/report/render.test.ts',
  'test/report/table.test.ts',
  'test/report/timeline.test.ts',
  'test/runner/clocks.test.ts',
  'test/runner/live-counters.test.ts',
  'test/runner/runner.test.ts',
  'test/scenario/examples.test.ts',
  'test/scenario/parse.test.ts',
  'test/schedule/plan.test.ts',
  'test/shard/shard-plan.test.ts',
  'test/sim/limiter-spec.test.ts',
  'test/sim/limiters.test.ts',
  'test/sim/rate-limit-bodies.test.ts',
  'test/sim/routes.test.ts',
  'test/transport/http-response.test.ts',
  'test/transport/target.test.ts',
  'test/trust/error-kind.test.ts',
  'test/trust/internal-error.test.ts',
  'test/trust/properties/headers.test.ts',
  'test/trust/properties/units.test.ts',
];

/*
 * Why threads without isolation: these files touch no process state (no env changes, no
 * module mocks, no servers), so they can share one module cache per worker. Importing
 * the sources once per worker instead of once per file cuts the CPU time to a third
 * (32 s → 10 s of user time measured on this suite). Not mergeConfig: it would append
 * this list to the base's include instead of replacing it.
 */
// Without the base's projects (the CPU-bound and waiting groups of `npm test`): they would
// bring back the whole suite's file lists.
const { projects: _wholeSuiteGroups, ...baseTest } = base.test ?? {};
export default defineConfig({ ...base, test: { ...baseTest, include: FAST_TESTS, pool: 'threads', isolate: false } });
