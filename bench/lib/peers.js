/**
 * Runs the bench's own peer clients (bench/peers/*.js) and autocannon as pinned child
 * processes, and reads their one-line JSON results.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_CPU, runCommand } from './proc.js';
import { REQUEST_BODY, REQUEST_HEADERS, REQUEST_PATH } from './nginx.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Options every peer needs to send the bench's standard request to `port`. */
export function requestOptions(port) {
  return { origin: `http://127.0.0.1:${port}`, port, path: REQUEST_PATH, body: REQUEST_BODY, headers: REQUEST_HEADERS };
}

/** Runs bench/peers/NAME.js with JSON options on the client CPU; resolves to its result object. */
export async function runPeer(name, options, { timeoutMs = 120_000, cpu = CLIENT_CPU, wrapper = [], onStart } = {}) {
  const script = path.join(here, '..', 'peers', `${name}.js`);
  const [command, ...prefix] = wrapper.length > 0 ? wrapper : ['node'];
  const args = wrapper.length > 0 ? [...prefix, 'node', script, JSON.stringify(options)] : [script, JSON.stringify(options)];
  const output = await runCommand(command, args, { cpu, timeoutMs, onStart });
  const lines = output.stdout.trim().split('\n');
  return { ...JSON.parse(lines[lines.length - 1]), stderr: output.stderr, wallMs: output.wallMs };
}

/** Path of autocannon's CLI script (a devDependency), run with node. */
export function autocannonScript() {
  return require.resolve('autocannon/autocannon.js');
}

/** autocannon's version, from its package.json. */
export function autocannonVersion() {
  return require('autocannon/package.json').version;
}

/**
 * Runs autocannon with the bench's standard request against `url` and returns its JSON
 * result (`-j`): requests.average, requests.total, latency, non2xx, errors…
 */
export async function runAutocannon(url, flags, { timeoutMs = 120_000, cpu = CLIENT_CPU, onStart } = {}) {
  const headerFlags = Object.entries(REQUEST_HEADERS).flatMap(([name, value]) => ['-H', `${name}=${value}`]);
  const args = [autocannonScript(), '-j', '-m', 'POST', ...headerFlags, '-b', REQUEST_BODY, ...flags, url];
  const output = await runCommand('node', args, { cpu, timeoutMs, onStart });
  const jsonLine = output.stdout.trim().split('\n').reverse().find((line) => line.startsWith('{'));
  if (!jsonLine) throw new Error(`autocannon printed no JSON result:\n${output.stdout.slice(-500)}${output.stderr.slice(-500)}`);
  return JSON.parse(jsonLine);
}
