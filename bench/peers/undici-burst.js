/**
 * Peer: a plain undici burst on a warm Pool (perf-baselines.md "undici-request-warm").
 * Opens `size` keep-alive connections with `size` concurrent warm-up requests, then fires
 * `trials` bursts of `size` requests with Promise.all, `pauseMs` apart. Each request's
 * query carries `tag=<prefix>-<trial>` so the capture can be split per trial.
 */
import { Pool } from 'undici';
import { readOptions, report, sleep } from './args.js';

const { origin, path, body, headers, size, trials, pauseMs, tagPrefix } = readOptions();
const pool = new Pool(origin, { connections: size, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });

async function one(tag) {
  const response = await pool.request({ path: `${path}?tag=${tag}`, method: 'POST', body, headers });
  await response.body.text();
  return response.statusCode;
}

async function burst(tag) {
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: size }, () => one(tag)));
  return { tag, durationMs: performance.now() - started, ok: statuses.filter((status) => status === 200).length };
}

await burst(`${tagPrefix}-warm`);
const connected = pool.stats.connected;
const results = [];
for (let trial = 1; trial <= trials; trial += 1) {
  await sleep(pauseMs);
  results.push(await burst(`${tagPrefix}-${trial}`));
}
await pool.close();
report({ connected, trials: results });
