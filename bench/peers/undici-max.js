/**
 * Peer: plain undici closed loop for max throughput (perf-baselines.md "undici-max"):
 * `inFlight` workers each send, read the body, and start the next, for `durationMs`.
 * With `recordFile`, every result is streamed to disk as one JSON line (the same job
 * aoai-probe does with its recording on); with `keepInMemory`, every result is kept as an
 * object in an array (the common way, which grows with results).
 */
import { createWriteStream } from 'node:fs';
import { Pool } from 'undici';
import { readOptions, report } from './args.js';

const { origin, path, body, headers, inFlight, durationMs, maxRequests, recordFile, keepInMemory } = readOptions();
const pool = new Pool(origin, { connections: inFlight, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
const out = recordFile ? createWriteStream(recordFile) : null;
const kept = [];
const origin0 = performance.now();
const deadline = origin0 + (durationMs ?? Infinity);
const limit = maxRequests ?? Infinity;
let started = 0;
let completed = 0;
let ok = 0;

async function worker() {
  while (started < limit && performance.now() < deadline) {
    const seq = started;
    started += 1;
    const sentMs = performance.now() - origin0;
    const response = await pool.request({ path, method: 'POST', body, headers });
    const text = await response.body.text();
    const result = {
      seq,
      sentMs,
      doneMs: performance.now() - origin0,
      status: response.statusCode,
      remainingRequests: response.headers['x-ratelimit-remaining-requests'] ?? null,
      remainingTokens: response.headers['x-ratelimit-remaining-tokens'] ?? null,
      usage: JSON.parse(text).usage ?? null,
    };
    completed += 1;
    if (result.status === 200) ok += 1;
    if (out && !out.write(`${JSON.stringify(result)}\n`)) await new Promise((resolve) => out.once('drain', resolve));
    if (keepInMemory) kept.push(result);
  }
}

await Promise.all(Array.from({ length: inFlight }, worker));
const elapsedMs = performance.now() - origin0;
if (out) await new Promise((resolve) => out.end(resolve));
await pool.close();
report({ completed, ok, elapsedMs, rate: (completed / elapsedMs) * 1000, kept: kept.length, heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 });
