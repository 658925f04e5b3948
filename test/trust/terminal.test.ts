/**
 * What reaches a terminal: colour and cursor escapes only where the terminal takes them
 * (`--no-color`, NO_COLOR, FORCE_COLOR, TERM=dumb, a pipe), and tables no wider than the
 * terminal, or than COLUMNS when stderr is not one. Whole runs in-process against a
 * loopback server, with a hand-given environment and a stderr that says it is a TTY.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { colorFor, tableWidth } from '../../src/cli/terminal.js';
import { fakeIo } from '../report/fake-io.js';
import { widestLine } from '../report/text-width.js';
import { answerOk, startServer, type LoopbackServer } from './support/servers.js';

/** Select Graphic Rendition (colour) and erase-in-line escapes. */
const SGR = /\u001b\[[0-9;]*m/;
const ERASE_LINE = '\u001b[K';

let server: LoopbackServer;
let folder: string;
let runs = 0;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'aoai-probe-terminal-'));
  server = await startServer((_request, response) => answerOk(response));
});
afterAll(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

/** The widest line of what a run printed, leaving out the closing "Recording: PATH" line (a path to copy whole). */
function widestDrawn(text: string): number {
  return widestLine(text.split('\n').filter((line) => !line.startsWith('Recording: ')).join('\n'));
}

async function burst(env: Record<string, string>, terminal: { tty: boolean; columns?: number }, extra: string[] = []) {
  const io = fakeIo(['burst', '--url', `${server.origin}/v1/chat/completions`, '--size', '3', '--record', join(folder, `run-${runs++}.ndjson`), ...extra], {
    cwd: folder,
    env,
    stderrTty: terminal.tty,
    ...(terminal.columns !== undefined ? { stderrColumns: terminal.columns } : {}),
  });
  await main(io);
  expect(io.exitCode()).toBe(0);
  return io.err();
}

describe('colour', () => {
  it('a TTY gets colour; TERM=dumb, FORCE_COLOR=0, NO_COLOR=1 and --no-color get none', async () => {
    expect(await burst({ TERM: 'xterm' }, { tty: true })).toMatch(SGR);
    const plain: Record<string, string>[] = [{ TERM: 'dumb' }, { TERM: 'xterm', FORCE_COLOR: '0' }, { TERM: 'xterm', FORCE_COLOR: 'false' }, { TERM: 'xterm', NO_COLOR: '1' }];
    for (const env of plain) {
      expect(await burst(env, { tty: true }), JSON.stringify(env)).not.toMatch(SGR);
    }
    expect(await burst({ TERM: 'xterm' }, { tty: true }, ['--no-color'])).not.toMatch(SGR);
  });

  it('an empty NO_COLOR does not turn colour off (no-color.org: present and not empty)', async () => {
    expect(await burst({ TERM: 'xterm', NO_COLOR: '' }, { tty: true })).toMatch(SGR);
  });

  it('the rule on plain values: FORCE_COLOR=1 colours a pipe, a pipe is plain otherwise', () => {
    expect(colorFor({ write: () => true, isTTY: false }, { FORCE_COLOR: '1' }, true)).toBe(true);
    expect(colorFor({ write: () => true, isTTY: false }, {}, true)).toBe(false);
    expect(colorFor({ write: () => true, isTTY: true }, { FORCE_COLOR: '1' }, false)).toBe(false);
  });

  it('the progress line on TERM=dumb uses no erase-line escape', async () => {
    const io = fakeIo(['steady', '--url', `${server.origin}/v1/chat/completions`, '--rate', '4/s', '--duration', '3s', '--record', join(folder, 'dumb-progress.ndjson')], {
      cwd: folder,
      env: { TERM: 'dumb' },
      stderrTty: true,
    });
    await main(io);
    expect(io.err()).toContain('\r');
    expect(io.err()).not.toContain('\u001b[');
    const xterm = fakeIo(['steady', '--url', `${server.origin}/v1/chat/completions`, '--rate', '4/s', '--duration', '3s', '--record', join(folder, 'xterm-progress.ndjson')], {
      cwd: folder,
      env: { TERM: 'xterm' },
      stderrTty: true,
    });
    await main(xterm);
    expect(xterm.err()).toContain(ERASE_LINE);
  }, 30_000);
});

describe('width', () => {
  it('the table and timeline fit a 40- and a 20-column terminal', async () => {
    for (const columns of [40, 20]) {
      const text = await burst({ TERM: 'xterm' }, { tty: true, columns }, ['--no-color']);
      expect(widestDrawn(text), `${columns} columns:\n${text}`).toBeLessThanOrEqual(columns);
      expect(text).toContain('Requests');
    }
  });

  it('when stderr is not a terminal, COLUMNS sets the width', async () => {
    expect(widestDrawn(await burst({ COLUMNS: '40' }, { tty: false }))).toBeLessThanOrEqual(40);
    expect(tableWidth({ write: () => true, isTTY: false }, {})).toBe(80);
    expect(tableWidth({ write: () => true, isTTY: false }, { COLUMNS: 'wide' })).toBe(80);
    expect(tableWidth({ write: () => true, isTTY: true, columns: 132 }, { COLUMNS: '40' })).toBe(132);
  });
});
