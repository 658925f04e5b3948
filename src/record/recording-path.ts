/**
 * Where a recording goes when the user did not say (`--record` absent):
 * `./aoai-probe-runs/<command>-<YYYYMMDD-HHMMSS>.ndjson`, made unique if that name
 * is taken (two runs started in the same second get `-2`, `-3`, ...).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The folder, relative to the working directory, that holds default recordings. */
export const DEFAULT_RECORDING_FOLDER = 'aoai-probe-runs';

/**
 * The default recording path for a run of `command` started at `now` (local time,
 * as people read file names). Checks the file system only to avoid overwriting.
 */
export function defaultRecordingPath(cwd: string, command: string, now: Date): string {
  const folder = join(cwd, DEFAULT_RECORDING_FOLDER);
  const safeCommand = command.replace(/[^A-Za-z0-9_-]/g, '-') || 'run';
  const stem = `${safeCommand}-${timestamp(now)}`;
  let candidate = join(folder, `${stem}.ndjson`);
  for (let suffix = 2; existsSync(candidate); suffix++) {
    candidate = join(folder, `${stem}-${suffix}.ndjson`);
  }
  return candidate;
}

function timestamp(now: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return (
    `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}` +
    `-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`
  );
}
