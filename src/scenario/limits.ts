/**
 * The size limits of a plan, shared by scenario files (schema.ts) and the command-line
 * flags (src/cli/options.ts). A module of their own, without zod: every command's flags
 * are checked against them, and `aoai-probe --version` should not load a schema library
 * to register those flags.
 */

/** Largest burst size of a scenario; beyond it a typo is likelier than intent. */
export const MAX_BURST_SIZE = 100_000;
/** Most requests a scenario may plan (80 MB of planned offsets); beyond it a typo is likelier than intent. */
export const MAX_PLANNED_REQUESTS = 10_000_000;
