import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readRecording, readRecordings } from '../../src/record/reader.js';
import { defaultRecordingPath } from '../../src/record/recording-path.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { createRecordingWriter } from '../../src/record/writer.js';
import { sampleEndLine, samplePhaseLine, sampleRequestLine, sampleRunLine } from './sample-lines.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'aoai-probe-record-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function readAll(path: string, warnings: string[] = []): Promise<RecordLine[]> {
  const lines: RecordLine[] = [];
  for await (const line of readRecording(path, { onWarning: (message) => warnings.push(message) })) lines.push(line);
  return lines;
}

async function expectInputError(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('recording writer and reader', () => {
  it('round-trips every line type exactly, creating parent folders', async () => {
    const path = join(folder, 'a', 'b', 'run.ndjson');
    const writer = createRecordingWriter({ path });
    const lines: RecordLine[] = [
      sampleRunLine(),
      samplePhaseLine(),
      ...Array.from({ length: 20 }, (_, seq) => sampleRequestLine(seq)),
      { type: 'dropped', seq: 20, phase: 'burst-1', target: 'default', plannedMs: 101, reason: 'max-in-flight' },
      sampleEndLine(20),
    ];
    for (const line of lines) writer.write(line);
    expect(writer.lineCount).toBe(lines.length);
    await writer.close();
    expect(await readAll(path)).toEqual(lines);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(lines.length + 1);
  });

  it('redacts known secrets and unknown bearer tokens in every string field', async () => {
    const path = join(folder, 'secret.ndjson');
    const apiKey = '0123456789abcdef0123456789abcdef';
    const bearer = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';
    const writer = createRecordingWriter({ path, secrets: [apiKey, bearer] });
    const run = sampleRunLine();
    run.scenario = { note: `key ${apiKey}`, nested: [{ url: `https://h/x?api-key=${apiKey}` }] };
    writer.write(run);
    const request = sampleRequestLine(1);
    request.error = { code: '401', message: `Access denied due to invalid subscription key ${apiKey}. Authorization: Bearer ${bearer}`, type: null };
    request.headers['x-echo'] = `Bearer other-token-xyz`;
    writer.write(request);
    await writer.close();
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(bearer);
    expect(text).not.toContain('other-token-xyz');
    const [readRun, readRequest] = await readAll(path);
    expect(readRun).toMatchObject({ scenario: { note: 'key REDACTED', nested: [{ url: 'https://h/x?api-key=REDACTED' }] } });
    expect(readRequest).toMatchObject({
      error: { message: 'Access denied due to invalid subscription key REDACTED. Authorization: Bearer REDACTED' },
      headers: { 'x-echo': 'Bearer REDACTED' },
    });
  });

  it('finds a secret in any single field of a request line: known ones anywhere, unknown ones in outside text', async () => {
    const apiKey = 'k3y-0123456789abcdef';
    const cases: { name: string; change: (line: RequestLine) => void; absent: string }[] = [
      { name: 'known in phase', change: (line) => (line.phase = `p-${apiKey}`), absent: apiKey },
      { name: 'known in target', change: (line) => (line.target = apiKey), absent: apiKey },
      { name: 'known in clientRequestId', change: (line) => (line.clientRequestId = apiKey), absent: apiKey },
      { name: 'known in a header value', change: (line) => (line.headers['x-ms-region'] = `r ${apiKey}`), absent: apiKey },
      { name: 'bearer in a header value', change: (line) => (line.headers['x-echo'] = 'Bearer tok-abc123'), absent: 'tok-abc123' },
      { name: 'api-key in error.code', change: (line) => (line.error = { code: 'api-key=zz-999', message: null, type: null }), absent: 'zz-999' },
      { name: 'url password in error.type', change: (line) => (line.error = { code: null, message: null, type: 'https://u:pw-777@h/x' }), absent: 'pw-777' },
      { name: 'sig in error.message', change: (line) => (line.error = { code: null, message: 'see /x?sig=sg-555', type: null }), absent: 'sg-555' },
    ];
    for (const testCase of cases) {
      const path = join(folder, 'field.ndjson');
      const writer = createRecordingWriter({ path, secrets: [apiKey] });
      const line = sampleRequestLine(1);
      testCase.change(line);
      writer.write(line);
      await writer.close();
      const text = await readFile(path, 'utf8');
      expect(text, testCase.name).not.toContain(testCase.absent);
      expect(JSON.parse(text), testCase.name).toMatchObject({ type: 'request', seq: 1 });
    }
  });

  it('writes the run line at once and other lines after the flush interval, without close', async () => {
    const path = join(folder, 'live.ndjson');
    const writer = createRecordingWriter({ path, flushIntervalMs: 500 });
    writer.write(sampleRunLine());
    await writer.flush();
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(2);
    writer.write(sampleRequestLine(0));
    // Not written synchronously: it waits for the batch.
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(2);
    const deadline = Date.now() + 5000;
    while ((await readFile(path, 'utf8')).split('\n').length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(3);
    await writer.close();
  });

  it('refuses lines after close and can be closed twice', async () => {
    const writer = createRecordingWriter({ path: join(folder, 'closed.ndjson') });
    writer.write(sampleRunLine());
    await writer.close();
    await writer.close();
    expect(() => writer.write(sampleEndLine(0))).toThrow(/already closed/);
  });

  it.skipIf(!existsSync('/dev/full'))('reports a failed write (disk full) when closed, naming the file', async () => {
    const writer = createRecordingWriter({ path: '/dev/full' });
    writer.write(sampleRunLine());
    writer.write(sampleRequestLine(0));
    await expect(writer.close()).rejects.toThrow(/--record: could not write the recording \/dev\/full .*ENOSPC/);
  });

  it('turns an unwritable path into an InputError naming the path and the fix', () => {
    const blocker = join(folder, 'file');
    return writeFile(blocker, 'x').then(() => {
      let caught: unknown;
      try {
        createRecordingWriter({ path: join(blocker, 'sub', 'run.ndjson') });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InputError);
      expect((caught as InputError).message).toContain(join(blocker, 'sub', 'run.ndjson'));
      expect((caught as InputError).message).toContain('--record');
    });
  });
});

describe('reading damaged or foreign files', () => {
  async function writeLines(name: string, lines: string[], trailingNewline = true): Promise<string> {
    const path = join(folder, name);
    await writeFile(path, lines.join('\n') + (trailingNewline ? '\n' : ''));
    return path;
  }

  it('skips a truncated last line with a warning and keeps the lines before it', async () => {
    const run = JSON.stringify(sampleRunLine());
    const request = JSON.stringify(sampleRequestLine(0));
    const path = await writeLines('cut.ndjson', [run, request, request.slice(0, 40)], false);
    const warnings: string[] = [];
    const lines = await readAll(path, warnings);
    expect(lines.map((line) => line.type)).toEqual(['run', 'request']);
    expect(warnings).toEqual([`last line of ${path} is truncated (a run that was cut off); it was ignored`]);
  });

  it('reads lines cut by chunk ends, longer than a chunk, and CRLF endings split across chunks', async () => {
    const path = join(folder, 'long.ndjson');
    const run = { ...sampleRunLine(), scenario: { note: 'x'.repeat(2_500_000) } };
    const requests = Array.from({ length: 5000 }, (_, seq) => sampleRequestLine(seq));
    // CRLF endings; with ~600-byte lines a CR/LF pair may fall on either side of a 1 MiB chunk end.
    await writeFile(path, [run, ...requests].map((line) => `${JSON.stringify(line)}\r\n`).join(''));
    expect(await readAll(path)).toEqual([run, ...requests]);
  });

  it('accepts a complete last line without its newline', async () => {
    const path = await writeLines('no-newline.ndjson', [JSON.stringify(sampleRunLine()), JSON.stringify(sampleEndLine(0))], false);
    const warnings: string[] = [];
    expect((await readAll(path, warnings)).map((line) => line.type)).toEqual(['run', 'end']);
    expect(warnings).toEqual([]);
  });

  it('refuses an unknown version, naming the file and what to do', async () => {
    const path = await writeLines('v2.ndjson', [JSON.stringify({ ...sampleRunLine(), v: 2 })]);
    const error = await expectInputError(readAll(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain('version 2');
    expect(error.message).toContain('reads version 1');
  });

  it('refuses a file whose first line is not a run line', async () => {
    const path = await writeLines('other.ndjson', [JSON.stringify(sampleRequestLine(0))]);
    const error = await expectInputError(readAll(path));
    expect(error.message).toContain(`${path} is not an aoai-probe recording`);
    const htmlPath = await writeLines('page.html', ['<html>', '</html>']);
    expect((await expectInputError(readAll(htmlPath))).message).toContain('not an aoai-probe recording');
  });

  it('refuses empty and missing files', async () => {
    const empty = await writeLines('empty.ndjson', [], false);
    expect((await expectInputError(readAll(empty))).message).toContain('is empty');
    const missing = join(folder, 'missing.ndjson');
    expect((await expectInputError(readAll(missing))).message).toContain(`${missing}: no such file`);
    expect((await expectInputError(readAll(folder))).message).toContain('is not a file');
  });

  it('lists damaged lines in the middle by number, all at once, capped at ten', async () => {
    // Each good line a request of its own: a repeated request line is damage too.
    const good = (seq: number): string => JSON.stringify(sampleRequestLine(seq));
    const lines = [JSON.stringify(sampleRunLine()), good(0), '{"type":', good(1), '[1,2]', '{"no":"type"}'];
    for (let index = 0; index < 12; index++) lines.push('garbage');
    lines.push(good(2));
    const path = await writeLines('damaged.ndjson', lines);
    const error = await expectInputError(readAll(path));
    expect(error.problems.slice(0, 3)).toEqual([`${path}:3: not valid JSON`, `${path}:5: not a JSON object`, `${path}:6: has no "type" field`]);
    expect(error.problems.filter((problem) => /:\d+: /.test(problem))).toHaveLength(10);
    expect(error.problems).toContain(`${path}: ... and 5 more damaged lines`);
    expect(error.problems.at(-1)).toContain('has 15 damaged lines');
  });

  it('skips blank lines and line types it does not know (additive changes)', async () => {
    const path = await writeLines('future.ndjson', [JSON.stringify(sampleRunLine()), '', '{"type":"future-thing","x":1}', JSON.stringify(sampleEndLine(0))]);
    expect((await readAll(path)).map((line) => line.type)).toEqual(['run', 'end']);
  });

  it('reads several files in order and reports the problems of all of them together', async () => {
    const first = await writeLines('one.ndjson', [JSON.stringify(sampleRunLine()), JSON.stringify(sampleEndLine(0))]);
    const second = await writeLines('two.ndjson', [JSON.stringify(sampleRunLine()), JSON.stringify(sampleRequestLine(3))]);
    const types: string[] = [];
    for await (const line of readRecordings([first, second])) types.push(line.type);
    expect(types).toEqual(['run', 'end', 'run', 'request']);

    const bad = await writeLines('bad.ndjson', [JSON.stringify({ ...sampleRunLine(), v: 9 })]);
    const missing = join(folder, 'nope.ndjson');
    const collect = async (): Promise<void> => {
      for await (const line of readRecordings([first, bad, missing])) void line;
    };
    const error = await expectInputError(collect());
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toContain(bad);
    expect(error.problems[1]).toContain(missing);
  });
});

describe('defaultRecordingPath', () => {
  it('names the file after the command and the local start time, unique if taken', async () => {
    const now = new Date(2025, 0, 2, 3, 4, 5);
    const first = defaultRecordingPath(folder, 'burst', now);
    expect(first).toBe(join(folder, 'aoai-probe-runs', 'burst-20250102-030405.ndjson'));
    const writer = createRecordingWriter({ path: first });
    await writer.close();
    expect(defaultRecordingPath(folder, 'burst', now)).toBe(join(folder, 'aoai-probe-runs', 'burst-20250102-030405-2.ndjson'));
  });
});

describe('a large recording', () => {
  it('writes and reads back 100,000 request lines completely, in order', async () => {
    const path = join(folder, 'big.ndjson');
    const writer = createRecordingWriter({ path, secrets: ['sk-not-in-any-line-0123456789'] });
    const count = 100_000;
    const lines = Array.from({ length: 1000 }, (_, seq) => sampleRequestLine(seq));
    writer.write(sampleRunLine());
    for (let seq = 0; seq < count; seq++) {
      const line = lines[seq % 1000]!;
      line.seq = seq;
      writer.write(line);
    }
    writer.write(sampleEndLine(count));
    await writer.close();

    let requests = 0;
    let lastSeq = -1;
    for await (const line of readRecording(path)) {
      if (line.type === 'request') {
        requests++;
        lastSeq = line.seq;
      }
    }
    expect(requests).toBe(count);
    expect(lastSeq).toBe(count - 1);
    // Speed is measured by `npm run bench` (bench/RESULTS.md), not asserted here: a timing
    // bound in a unit test only measures how busy the machine is.
  });
});

describe('appending to a file after a crash is not the writer’s job', () => {
  it('overwrites an existing file at the same path', async () => {
    const path = join(folder, 'again.ndjson');
    await writeFile(path, 'old content\n');
    await appendFile(path, 'more\n');
    const writer = createRecordingWriter({ path });
    writer.write(sampleRunLine());
    await writer.close();
    expect((await readAll(path)).map((line) => line.type)).toEqual(['run']);
  });
});
