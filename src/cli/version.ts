/** The package version (src/version.ts), for the CLI's --version and run lines. */
export { TOOL_VERSION } from '../version.js';
