/**
 * What the generated Kubernetes and GitHub Actions files share (docs/sharding.md): the
 * published package they run, and where the scenario and the recordings live relative to
 * the folder the command runs in (so the same command line runs locally in a test).
 */
import { TOOL_VERSION } from '../version.js';

/** Port shard 0 serves the shared start on (Kubernetes only: Actions runners cannot reach each other). */
export const COORDINATOR_PORT = 7070;
/** The scenario file, relative to the working folder of a Kubernetes pod. */
export const SCENARIO_FILE = 'scenario/scenario.yaml';
/** The folder every shard writes `shard-INDEX.ndjson` into, relative to the working folder. */
export const RECORDINGS_FOLDER = 'recordings';

/** The published package at this build's version: every shard runs the same code. */
export function packageSpec(): string {
  return `aoai-probe@${TOOL_VERSION}`;
}
