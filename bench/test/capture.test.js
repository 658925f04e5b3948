// Self-tests of the bench's own parsing and arithmetic: `node --test bench/test/`.
// (Plain node:test, not vitest: the project's vitest suite covers test/** only, and the
// bench is plain JavaScript that must not slow `npm test`.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseTcpdumpText, tagOf } from '../lib/capture.js';

const sample = readFileSync(new URL('./fixtures/tcpdump-A.txt', import.meta.url), 'utf8');

test('parses every request segment of real `tcpdump -tt -A` output, in time order', () => {
  const segments = parseTcpdumpText(sample);
  assert.equal(segments.length, 3);
  assert.deepEqual(segments.map((segment) => tagOf(segment.target)), ['fix-1', 'fix-2', 'fix-3']);
  assert.deepEqual(segments.map((segment) => segment.srcPort), [36482, 36484, 36500]);
  assert.equal(segments[0].dstPort, 32991);
});

test('keeps nanosecond timestamps to well under a microsecond', () => {
  const [first, second, third] = parseTcpdumpText(sample);
  // 1795430996.547131290 → .547740677 → .548013833
  assert.ok(Math.abs(second.tMs - first.tMs - 0.609387) < 0.001);
  assert.ok(Math.abs(third.tMs - first.tMs - 0.882543) < 0.001);
});

test('sorts segments by time even when the text is not in order', () => {
  const blocks = sample.split(/\n(?=\d+\.\d{9} IP )/);
  const segments = parseTcpdumpText([blocks[2], blocks[0], blocks[1]].join('\n'));
  assert.deepEqual(segments.map((segment) => tagOf(segment.target)), ['fix-1', 'fix-2', 'fix-3']);
});

test('a segment without a readable request line has a null target and no tag', () => {
  const text = '1795430996.547131290 IP 127.0.0.1.36482 > 127.0.0.1.32991: Flags [P.], length 10\n..garbage..\n';
  const [segment] = parseTcpdumpText(text);
  assert.equal(segment.target, null);
  assert.equal(tagOf(segment.target), null);
});

test('tagOf reads the tag query parameter only', () => {
  assert.equal(tagOf('/a/b?x=1&tag=aoai-100-p1'), 'aoai-100-p1');
  assert.equal(tagOf('/a/b?x=1'), null);
  assert.equal(tagOf('/a/b'), null);
});
