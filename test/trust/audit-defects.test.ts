/**
 * Regression tests for single rows of the newcomer audit's defect table that the bad-input
 * table and the key tests do not cover: each runs the program in-process against a real
 * server on loopback and checks what the row said was wrong.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { describeFileError } from '../../src/record/writer.js';
import { countInPieces, withTokenizer } from '../../src/run/transport/tokens.js';
import { fakeIo } from '../report/fake-io.js';
import { answerOk, startServer, type LoopbackServer } from './support/servers.js';
import { temporaryFolder } from '../support/spawn-cli.js';

let folder: string;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo(argv, { cwd: folder });
  await main(io);
  return { code: io.exitCode(), out: io.out(), err: io.err() };
}

beforeAll(() => {
  folder = temporaryFolder('audit');
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('--quiet', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startServer((_request, response) => answerOk(response));
  });
  afterAll(async () => {
    await server.close();
  });

  it('prints no table, with or without --json (its help: "no progress line and no table")', async () => {
    const url = `${server.origin}/v1/chat/completions`;
    const quiet = await cli(['burst', '--url', url, '--size', '2', '--quiet', '--record', join(folder, 'quiet.ndjson')]);
    expect(quiet.code).toBe(0);
    expect(quiet.err).not.toContain('┌');
    expect(quiet.err).not.toContain('Requests');
    const quietJson = await cli(['burst', '--url', url, '--size', '2', '--quiet', '--json', '--record', join(folder, 'quiet-json.ndjson')]);
    expect(quietJson.err).not.toContain('┌');
    expect(JSON.parse(quietJson.out)).toMatchObject({ requests: { sent: 2 } });
  });
});

describe('probe against a server that refuses everything', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '-1' });
      response.end('{"error":{"code":"429","message":"Too many requests"}}');
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('says nothing was admitted, with no recovery time and no NaN', async () => {
    const run = await cli(['probe', '--url', `${server.origin}/v1/chat/completions`, '--budget-requests', '30', '--budget-time', '10s', '--json', '--record', join(folder, 'refuse-all.ndjson')]);
    const summary = JSON.parse(run.out) as { requests: { ok: number }; effective: { requests: { windowSeconds: number | null } }; verdict: string };
    expect(summary.requests.ok).toBe(0);
    expect(summary.effective.requests.windowSeconds).toBeNull();
    expect(summary.verdict).toContain('Nothing was admitted');
    expect(run.err + run.out).not.toContain('NaN');
    expect(run.err).not.toMatch(/recovers in/);
    expect(run.err).not.toMatch(/Pace at/);
  }, 60_000);
});

describe('counting a long prompt', () => {
  it('counts 1 MB without a space (tiktoken panicked on it), and the pieces lose no character', () => {
    withTokenizer('o200k_base', (tokenizer) => {
      expect(tokenizer.count('a'.repeat(1_000_000))).toBeGreaterThan(1000);
    });
    const words = Array.from({ length: 6000 }, (_, index) => `word${index % 97} and more`).join(' ');
    const pieces: string[] = [];
    countInPieces(words, (piece) => pieces.push(piece));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(words);
  });
});

describe('a retry-after of 99999999999999 seconds', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '99999999999999' });
      response.end('{"error":{"code":"429","message":"Too many requests"}}');
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('is a safe integer in JSON and reads in days in the table, without float noise', async () => {
    const url = `${server.origin}/v1/chat/completions`;
    const json = await cli(['burst', '--url', url, '--size', '2', '--json', '--record', join(folder, 'huge-retry.ndjson')]);
    const wait = (JSON.parse(json.out) as { throttled: { retryAfterMs: { min: number; p50: number; max: number } } }).throttled.retryAfterMs;
    for (const value of [wait.min, wait.p50, wait.max]) {
      expect(Number.isSafeInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(86_400_000);
    }
    const table = await cli(['burst', '--url', url, '--size', '2', '--record', join(folder, 'huge-retry-table.ndjson')]);
    const row = table.err.split('\n').find((line) => line.includes('retry-after'));
    expect(row).toMatch(/min [\d,.]+ days · p50 [\d,.]+ days · max [\d,.]+ days/);
    expect(table.err).not.toMatch(/\d{3},\d{3},\d{3}/);
  });
});

describe('a working folder where the default recordings folder cannot be made', () => {
  let server: LoopbackServer;
  let requests = 0;
  beforeAll(async () => {
    server = await startServer((_request, response) => {
      requests++;
      answerOk(response);
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('names ./aoai-probe-runs and the system reason, offers --record FILE, never blames a --record not given, and sends nothing', async () => {
    // A file where the folder would go: the folder cannot be created (ENOTDIR), as on a read-only disk (EROFS).
    const working = join(folder, 'not-writable');
    mkdirSync(working);
    writeFileSync(join(working, 'aoai-probe-runs'), 'a file, not a folder');
    const io = fakeIo(['burst', '--url', `${server.origin}/v1/chat/completions`, '--size', '2'], { cwd: working });
    await main(io);
    expect(io.exitCode()).toBe(2);
    expect(io.err()).toBe('aoai-probe: cannot write ./aoai-probe-runs (not a directory, ENOTDIR), where recordings go by default; use --record FILE to put the recording somewhere writable\n');
    expect(requests).toBe(0);
  });

  it('words a read-only file system as the system does', () => {
    const readOnly = Object.assign(new Error("EROFS: read-only file system, mkdir '/x/aoai-probe-runs'"), { errno: -constants.errno.EROFS, code: 'EROFS' });
    expect(describeFileError(readOnly)).toBe('read-only file system, EROFS');
    expect(describeFileError(new Error('plain'))).toBe('plain');
  });
});
