/**
 * Property tests for recordings (src/record): whatever a file holds, reading it ends in
 * its lines or an InputError naming the file, never anything else; what the writer
 * wrote reads back exactly (any text in any field); a run cut off mid-write (the last
 * line cut at any byte) is read up to its last whole line with a warning; an unknown
 * version is refused naming the version; the writer never lets a known secret through.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { InputError } from '../../../src/errors.js';
import { readRecording } from '../../../src/record/reader.js';
import { createRecordingWriter } from '../../../src/record/writer.js';
import { SECRET_REPLACED_ANYWHERE } from '../../../src/record/redact.js';
import type { RecordLine, RequestLine, RunLine } from '../../../src/record/types.js';
import { temporaryFolder } from '../../support/spawn-cli.js';

let folder: string;
let fileNumber = 0;

beforeAll(() => {
  folder = temporaryFolder('recording-properties');
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function nextPath(): string {
  fileNumber += 1;
  return join(folder, `r${fileNumber}.ndjson`);
}

async function readAll(path: string): Promise<{ lines: RecordLine[]; warnings: string[] }> {
  const warnings: string[] = [];
  const lines: RecordLine[] = [];
  for await (const line of readRecording(path, { onWarning: (warning) => warnings.push(warning) })) lines.push(line);
  return { lines, warnings };
}

const RUN_LINE: RunLine = {
  type: 'run',
  v: 1,
  tool: { name: 'aoai-probe', version: '0.1.0' },
  command: 'burst',
  startedAt: '2026-01-01T00:00:00.000Z',
  advertised: { tpm: null, rpm: null, source: 'none' },
  targets: [{ id: 'default', kind: 'http', url: 'http://127.0.0.1:1/x', deployment: null }],
  payload: { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false },
};

/** Text of every kind: unicode, newlines, quotes, backslashes, lone surrogates excluded (JSON cannot keep them). */
const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });
// JSON has no negative zero: -0 is written as 0, so it is left out here.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((value) => value + 0);

/** A request line of any content; arrays of them keep seqs unique, as a real recording does (the reader refuses a duplicated seq). */
const requestLine = fc.record({
  seq: fc.nat(),
  phase: anyText,
  status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
  errorKind: fc.constantFrom(null, 'timeout', 'reset', 'refused', 'dns', 'tls', 'aborted', 'bad-body', 'http', 'other'),
  headers: fc.dictionary(fc.string({ maxLength: 20 }), anyText, { maxKeys: 5 }),
  error: fc.option(fc.record({ code: fc.option(anyText, { nil: null }), message: fc.option(anyText, { nil: null }), type: fc.option(anyText, { nil: null }) }), { nil: null }),
  sentMs: finite,
  estimatedTokens: fc.nat(),
}).map(
  (fields): RequestLine => ({
    type: 'request',
    target: 'default',
    plannedMs: fields.sentMs,
    firstByteMs: null,
    doneMs: fields.sentMs,
    usage: null,
    maxTokens: null,
    clientRequestId: 'id',
    ...fields,
  }),
);

describe('reading any file', () => {
  it('gives lines or an InputError naming the file, never anything else', async () => {
    const content = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
      fc.array(fc.oneof(fc.json(), fc.constant(JSON.stringify(RUN_LINE)), fc.string()), { maxLength: 6 }).map((lines) => lines.join('\n')),
      fc.array(fc.oneof(fc.json(), fc.string()), { maxLength: 6 }).map((lines) => [JSON.stringify(RUN_LINE), ...lines].join('\n')),
    );
    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        const path = nextPath();
        writeFileSync(path, text);
        try {
          const { lines } = await readAll(path);
          return lines.length >= 1 && lines[0]!.type === 'run';
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          return error.problems.length > 0 && error.problems.every((problem) => problem.includes(path));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses any other version, naming it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double()).filter((version) => version !== 1), async (version) => {
        const path = nextPath();
        writeFileSync(path, `${JSON.stringify({ ...RUN_LINE, v: version })}\n`);
        await expect(readAll(path)).rejects.toThrow(new RegExp(`is a version ${escape(JSON.stringify(version) ?? 'undefined')} recording, and this aoai-probe reads version 1`));
      }),
      { numRuns: 100 },
    );
  });
});

describe('what the writer wrote', () => {
  it('reads back exactly, whatever text the fields hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(requestLine, { selector: (line) => line.seq, maxLength: 30 }), async (requests) => {
        const path = nextPath();
        const writer = createRecordingWriter({ path });
        const lines: RecordLine[] = [RUN_LINE, ...requests, { type: 'end', reason: 'completed', endMs: 1, sent: requests.length, dropped: 0 }];
        for (const line of lines) writer.write(line);
        await writer.close();
        const read = await readAll(path);
        expect(read.warnings).toEqual([]);
        expect(read.lines).toEqual(lines);
      }),
      { numRuns: 150 },
    );
  });

  it('cut off at any byte of its last line reads up to the last whole line, with a warning', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(requestLine, { selector: (line) => line.seq, minLength: 1, maxLength: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), async (requests, where) => {
        const body = [RUN_LINE, ...requests].map((line) => JSON.stringify(line)).join('\n');
        const lastStart = body.lastIndexOf('\n') + 1;
        const cutAt = lastStart + Math.floor(where * (body.length - lastStart));
        const path = nextPath();
        writeFileSync(path, body.slice(0, cutAt));
        const read = await readAll(path);
        const whole = cutAt === body.length;
        if (whole) return read.lines.length === requests.length + 1 && read.warnings.length === 0;
        // A cut that leaves nothing of the last line (right after the newline) is just a shorter file.
        if (cutAt === lastStart) return read.lines.length === requests.length && read.warnings.length === 0;
        return read.lines.length === requests.length && read.warnings.length === 1 && read.warnings[0]!.includes('truncated');
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a known secret through, wherever the secret sits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9._~+/-]{8,40}$/), fc.uniqueArray(requestLine, { selector: (line) => line.seq, minLength: 1, maxLength: 5 }), fc.nat(), async (secret, requests, spot) => {
        const path = nextPath();
        const writer = createRecordingWriter({ path, secrets: [secret] });
        const leaky = requests.map((line, index): RequestLine => {
          const place = (spot + index) % 4;
          // A secret of plausible key length is found even inside a word; a shorter one only as a
          // whole token, so that a short key never rewrites a fragment of a word (src/record/redact.ts).
          const inWord = secret.length >= SECRET_REPLACED_ANYWHERE ? `a${secret}b` : `a ${secret} b`;
          if (place === 0) return { ...line, headers: { ...line.headers, 'x-request-id': inWord } };
          if (place === 1) return { ...line, error: { code: secret, message: `key "${secret}" refused`, type: null } };
          if (place === 2) return { ...line, phase: `${secret}\n${secret}` };
          return { ...line, headers: { [`x-${index}`]: `Bearer ${secret}` } };
        });
        writer.write(RUN_LINE);
        for (const line of leaky) writer.write(line);
        await writer.close();
        const { readFileSync } = await import('node:fs');
        return !readFileSync(path, 'utf8').includes(secret);
      }),
      { numRuns: 150 },
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
