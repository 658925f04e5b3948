/**
 * The import arrows of the project (docs/architecture.md), checked by dependency-cruiser
 * in `npm test` (test/architecture/layers.test.ts):
 *
 *   cli      → anything; nothing imports cli
 *   probe    → run, analysis (the inference through its index only), record
 *   run      → schedule, record, retry
 *   retry    → record types, parse, errors (the retry policies and the caller model: pure)
 *   analysis → record types only
 *   report   → analysis, and the types of expect
 *   sim      → shares nothing with analysis or run (either way)
 *   schedule, scenario, record, parse, expect → below run: never run, probe, report or sim
 *
 * Type-only imports count (tsPreCompilationDeps): a type is a dependency a newcomer has to
 * follow too. src/index.ts, the programmatic API, is the library's front door: like cli it
 * may import what it exposes.
 */
/** A folder of src/ (or the file of that name): `inside('run')` matches src/run/… */
const inside = (area) => `^src/${area}(/|\\.ts$)`;

module.exports = {
  forbidden: [
    {
      name: 'nothing-imports-cli',
      comment: 'The CLI is the outermost layer: consent, signals, process and rendering live there; nothing below may depend on it.',
      severity: 'error',
      from: { path: '^src/', pathNot: inside('cli') },
      to: { path: inside('cli') },
    },
    {
      name: 'nothing-imports-the-api',
      comment: 'src/index.ts is the library front door; the code behind it never imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/index\\.ts$' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'probe-uses-run-analysis-record',
      comment: 'The probe chooses experiments and runs them through src/run; it reads answers through src/analysis and src/record.',
      severity: 'error',
      from: { path: inside('probe') },
      to: { path: '^src/', pathNot: [inside('probe'), inside('run'), inside('analysis'), inside('record'), '^src/errors\\.ts$'] },
    },
    {
      name: 'probe-reads-inference-through-its-index',
      comment: 'src/analysis/inference/index.ts exports what an experimenter may use; the rest of the folder is internal.',
      severity: 'error',
      from: { path: inside('probe') },
      to: { path: '^src/analysis/inference/', pathNot: '^src/analysis/inference/index\\.ts$' },
    },
    {
      name: 'run-uses-schedule-record',
      comment: 'The runner only produces records, from a plan: it never analyses, renders, probes or simulates.',
      severity: 'error',
      from: { path: inside('run') },
      to: { path: '^src/', pathNot: [inside('run'), inside('schedule'), inside('record'), inside('retry'), '^src/errors\\.ts$'] },
    },
    {
      name: 'retry-is-pure',
      comment: 'Retry policies and the caller model are pure functions of outcomes and times: the runner and the CLI use them; they use nothing that sends, reads a clock or analyses.',
      severity: 'error',
      from: { path: inside('retry') },
      to: { path: '^src/', pathNot: [inside('retry'), '^src/record/types\\.ts$', inside('parse'), '^src/errors\\.ts$'] },
    },
    {
      name: 'analysis-reads-record-types-only',
      comment: 'Analysis is pure: it reads lines (their types), never files, clocks, sockets or terminals.',
      severity: 'error',
      from: { path: inside('analysis') },
      to: { path: '^src/', pathNot: [inside('analysis'), '^src/record/types\\.ts$', '^src/record/header-names\\.ts$'] },
    },
    {
      name: 'report-renders-analysis',
      comment: 'Reports only render a summary (and the results of --expect).',
      severity: 'error',
      from: { path: inside('report') },
      to: { path: '^src/', pathNot: [inside('report'), inside('analysis'), '^src/expect/types\\.ts$'] },
    },
    {
      name: 'sim-shares-nothing-with-analysis-or-run',
      comment: 'The simulator must not agree with the tool by sharing its code: a shared bug would hide itself.',
      severity: 'error',
      from: { path: inside('sim') },
      to: { path: [inside('analysis'), inside('run')] },
    },
    {
      name: 'analysis-and-run-share-nothing-with-sim',
      comment: 'The other direction of the same rule.',
      severity: 'error',
      from: { path: [inside('analysis'), inside('run')] },
      to: { path: inside('sim') },
    },
    {
      name: 'lower-layers-stay-below-run',
      comment: 'Plans, scenarios, records, units and expectations are what the runner and the analysis build on, never the other way round.',
      severity: 'error',
      from: { path: [inside('schedule'), inside('scenario'), inside('record'), inside('parse'), inside('expect'), inside('retry')] },
      to: { path: [inside('run'), inside('probe'), inside('report'), inside('sim'), '^src/analysis/(?!summary-types\\.ts$)'] },
    },
    {
      name: 'schedule-below-scenario',
      comment: 'A scenario file is parsed into phases (src/schedule); the schedule never knows about scenario files.',
      severity: 'error',
      from: { path: inside('schedule') },
      to: { path: inside('scenario') },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
