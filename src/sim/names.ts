/**
 * Names the simulator's flags and help texts list: its profiles, its generic limiter
 * kinds and the api-version it serves by default. A module without imports: `aoai-probe
 * sim` defines its flags and help on every start of the CLI (`--help` lists them), and
 * that should not load the simulator itself (60 modules, yaml, ws), which only a
 * command that serves or targets it needs.
 */

/** The built-in profiles. */
export const SIMULATOR_PROFILES = ['azure-standard', 'azure-seed', 'azure-ptu', 'openai', 'azure-realtime', 'speech'] as const;

/** The generic limiter kinds, in the order help texts list them. */
export const LIMITER_KINDS = ['token-bucket', 'fixed-window', 'sliding-log', 'sliding-counter', 'gcra', 'concurrency', 'restarting-window', 'whole-token-bucket'] as const;

/** The api-version quoted in messages (and in `sim`'s help) when a classic path has none. */
export const DEFAULT_API_VERSION = '2024-10-21';
