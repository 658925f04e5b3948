/**
 * The import arrows of .dependency-cruiser.cjs hold in src/, and the check can fail: a
 * fixture with one wrong import (the analysis importing the CLI) is reported as that
 * rule's violation. dependency-cruiser runs as its own command, as a developer would run it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { temporaryFolder } from '../support/spawn-cli.js';

const root = resolve(import.meta.dirname, '../..');
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs dependency-cruiser on `folder` (relative to `cwd`) with the project's rules; returns its violations. */
async function violations(cwd: string, folder: string): Promise<Violation[]> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [depcruise, folder, '--config', config, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    // A violation makes the command exit non-zero; its report is still on stdout.
    stdout = (error as { stdout?: string }).stdout ?? '';
    if (stdout === '') throw error;
  }
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the layers of src/', () => {
  it('hold: no import breaks an arrow', async () => {
    expect(await violations(root, 'src')).toEqual([]);
  }, 60_000);

  it('a deliberately wrong import is caught, named by its rule', async () => {
    const fixture = temporaryFolder('layers');
    mkdirSync(join(fixture, 'src', 'analysis'), { recursive: true });
    mkdirSync(join(fixture, 'src', 'cli'), { recursive: true });
    mkdirSync(join(fixture, 'src', 'sim'), { recursive: true });
    mkdirSync(join(fixture, 'src', 'run'), { recursive: true });
    writeFileSync(join(fixture, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }));
    writeFileSync(join(fixture, 'src', 'cli', 'main.ts'), 'export const main = 1;\n');
    writeFileSync(join(fixture, 'src', 'run', 'clock.ts'), 'export const clock = 1;\n');
    writeFileSync(join(fixture, 'src', 'analysis', 'summarise.ts'), "import { main } from '../cli/main.js';\nexport const summary = main;\n");
    writeFileSync(join(fixture, 'src', 'sim', 'server.ts'), "import type { clock } from '../run/clock.js';\nexport type Server = typeof clock;\n");
    const found = await violations(fixture, 'src');
    expect(found.map((violation) => [violation.rule.name, violation.from, violation.to]).sort()).toEqual([
      ['analysis-reads-record-types-only', 'src/analysis/summarise.ts', 'src/cli/main.ts'],
      ['nothing-imports-cli', 'src/analysis/summarise.ts', 'src/cli/main.ts'],
      ['sim-shares-nothing-with-analysis-or-run', 'src/sim/server.ts', 'src/run/clock.ts'],
    ]);
  }, 60_000);
});
