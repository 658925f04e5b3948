/**
 * Where a recording goes when the user did not say (`--record` absent):
 * `./aoai-probe-runs/<command>-<YYYYMMDD-HHMMSS>.ndjson`, made unique if that name
 * is taken (two runs started in the same second get `-2`, `-3`, ...).
 *
 * Why the name is claimed by creating the file (exclusive open): runs started at once in
 * one folder (a CI job running several scenarios in parallel) all saw the same free
 * name between checking and opening, and wrote their lines into one file.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
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
  for (let suffix = 2; ; suffix++) {
    if (!existsSync(candidate) && claim(folder, candidate)) return candidate;
    candidate = join(folder, `${stem}-${suffix}.ndjson`);
  }
}

/**
 * Creates `path` empty unless it exists; false when another run created it first. Any
 * other failure (a folder that cannot be made) returns true: the writer opens the path
 * next and reports that failure with its own message.
 */
function claim(folder: string, path: string): boolean {
  try {
    mkdirSync(folder, { recursive: true });
  } catch {
    // A file where the folder should be, or no permission: the writer's message says so.
    return true;
  }
  try {
    closeSync(openSync(path, 'wx'));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EEXIST';
  }
}

function timestamp(now: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return (
    `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}` +
    `-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`
  );
}
