/**
 * Peer: a plain undici open-loop scheduler (perf-baselines.md "undici_timer"): setTimeout
 * to the next due time, then send everything that is due (catch-up). Connections are
 * opened and warmed first; requests carry `tag` so the capture can be filtered.
 */
import { Pool } from 'undici';
import { readOptions, report, sleep } from './args.js';

const { origin, path, body, headers, rate, durationMs, connections, tag } = readOptions();
const pool = new Pool(origin, { connections, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });

async function one(requestTag) {
  const response = await pool.request({ path: `${path}?tag=${requestTag}`, method: 'POST', body, headers });
  await response.body.text();
  return response.statusCode;
}

await Promise.all(Array.from({ length: connections }, () => one(`${tag}-warm`)));
await sleep(300);

const total = Math.round((rate * durationMs) / 1000);
const periodMs = 1000 / rate;
let sent = 0;
let ok = 0;
const inFlight = new Set();
const startAt = performance.now() + 50;

await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    while (sent < total && startAt + sent * periodMs <= now) {
      const promise = one(tag).then((status) => { if (status === 200) ok += 1; });
      inFlight.add(promise);
      promise.finally(() => inFlight.delete(promise));
      sent += 1;
    }
    if (sent < total) setTimeout(tick, Math.max(0, startAt + sent * periodMs - performance.now()));
    else resolve();
  };
  tick();
});
await Promise.all(inFlight);
await pool.close();
report({ sent, ok });
