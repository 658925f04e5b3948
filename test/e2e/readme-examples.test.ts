/**
 * The README's examples, run as written: every `npx aoai-probe ...` line of its `sh` blocks
 * is read from README.md here (so the test and the README cannot drift) and run through the
 * real CLI. Only three things change, to stay on this machine and within a test's time: an
 * `--endpoint` of a real resource (https://NAME.openai.azure.com) points at a simulator on
 * loopback, `sim --port 8080` takes a free port, and a `--duration` over 10 s (the README's
 * half-hour Entra run) becomes 3 s. `--entra` finds a stub `az` on PATH, as after `az login`.
 * Each must exit 0 with no internal error. The example
 * scenarios are run from a scratch folder holding a link to scenarios/, so recordings
 * land there.
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, runCli, startCli, temporaryFolder, waitFor } from '../support/spawn-cli.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { parseDuration } from '../../src/parse/units.js';
import { writeStubAzureCli } from '../support/stub-azure-cli.js';

/** Variables that could point a spawned CLI at a real deployment or a CI summary: emptied (an empty one counts as unset). */
const NO_REAL_TARGET = { AZURE_OPENAI_ENDPOINT: '', AZURE_OPENAI_AD_TOKEN: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', AZURE_OPENAI_DEPLOYMENT: '', GITHUB_STEP_SUMMARY: '', HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' };

/** Splits a command line as sh does for the quoting the README uses ('...' and "..."). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}

/** Every `npx aoai-probe` command in the README's sh blocks, as argument lists. */
export function readmeCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n');
    for (const line of lines) {
      for (const part of line.replace(/\s#\s.*$/, '').split('&&')) {
        const words = shellWords(part.trim());
        if (words[0] === 'npx' && words[1] === 'aoai-probe') commands.push(words.slice(2));
      }
    }
  }
  return commands;
}

const COMMANDS = readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'));

let folder: string;
let simulator: RunningSimulator;

beforeAll(async () => {
  ensureBuilt();
  folder = temporaryFolder('readme');
  symlinkSync(join(ROOT, 'scenarios'), join(folder, 'scenarios'));
  mkdirSync(join(folder, 'bin'));
  writeStubAzureCli(join(folder, 'bin'), 'tokens', 3600);
  simulator = await startSimulator({ profile: 'azure-standard', port: 0 });
  // `sim --replay incident.ndjson` replays a recording the user made earlier: make one the
  // way a user would, with the README's own quick-start command.
  const recorded = await runCli(['burst', '--quiet', '--record', 'incident.ndjson'], { cwd: folder, env: NO_REAL_TARGET, timeoutMs: 120_000 });
  expect(recorded.code, recorded.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await simulator.close();
});

function onLoopback(args: readonly string[]): string[] {
  return args.map((arg, index) => {
    const flag = args[index - 1];
    if (flag === '--endpoint' && /^https:\/\/NAME\./.test(arg)) return simulator.url;
    if (flag === '--port') return '0';
    if (flag === '--duration' && parseDuration(arg) > 10_000) return '3s';
    return arg;
  });
}

/** The environment of an example: no real target, and a signed-in stub Azure CLI for `--entra`. */
function exampleEnvironment(): Record<string, string> {
  return { ...NO_REAL_TARGET, PATH: `${join(folder, 'bin')}:${process.env.PATH ?? ''}`, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential' };
}

describe('README examples', () => {
  it('has the examples this test expects to find', () => {
    expect(COMMANDS.map((args) => args[0])).toEqual(expect.arrayContaining(['burst', 'run', 'sim']));
  });

  it.each(COMMANDS.filter((args) => args[0] !== 'sim').map((args) => [args.join(' '), args] as const))('npx aoai-probe %s', async (_shown, args) => {
    // --entra and a key are exclusive: the key goes only to examples that do not sign in.
    const key: Record<string, string> = args.includes('--entra') ? {} : { AZURE_OPENAI_API_KEY: 'readme-example-key' };
    const result = await runCli(onLoopback(args), { cwd: folder, env: { ...exampleEnvironment(), ...key }, timeoutMs: 120_000 });
    expect(result.stderr).not.toContain('internal error');
    expect(result.code, result.stderr).toBe(0);
  }, 150_000);

  it.each(COMMANDS.filter((args) => args[0] === 'sim').map((args) => [args.join(' '), args] as const))('npx aoai-probe %s serves until stopped', async (_shown, args) => {
    const running = startCli(onLoopback(args), { cwd: folder, env: NO_REAL_TARGET, timeoutMs: 120_000 });
    await waitFor(() => /Ctrl-C stops/.test(running.stderr()), 90_000, 'the simulator banner');
    running.child.kill('SIGINT');
    const result = await running.done;
    expect(result.stderr).not.toContain('internal error');
  }, 150_000);
});

describe('scenarios/steady-advertised.yaml', () => {
  it('sees no refusal on the default simulator, as its comment says', async () => {
    const result = await runCli(['run', 'scenarios/steady-advertised.yaml', '--json'], { cwd: folder, env: NO_REAL_TARGET, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { requests: { sent: number; throttled: number } };
    expect(summary.requests.sent).toBe(90);
    expect(summary.requests.throttled).toBe(0);
  }, 150_000);
});
