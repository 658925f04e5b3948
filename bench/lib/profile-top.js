/**
 * Prints the functions with the most self time in a V8 .cpuprofile (from `node
 * --cpu-prof`), grouped by function and file: where a client or server loses its time.
 *
 *   node bench/lib/profile-top.js FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

/** Self time per function (ms) and its share of the sampled total. */
export function topFunctions(profile, count = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map();
  const deltas = profile.timeDeltas;
  let total = 0;
  for (let index = 0; index < profile.samples.length; index += 1) {
    const node = byId.get(profile.samples[index]);
    const ms = (deltas[index] ?? 0) / 1000;
    total += ms;
    const frame = node.callFrame;
    const file = frame.url ? frame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(dist|src|bench)\//, '$1/') : '';
    const key = `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
  }
  const rows = [...selfMs.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
  return { totalMs: total, rows: rows.map(([name, ms]) => ({ name, ms, share: ms / total })) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const { totalMs, rows } = topFunctions(profile, Number(process.argv[3] ?? 25));
  console.log(`total sampled ${totalMs.toFixed(0)} ms`);
  for (const row of rows) console.log(`${(row.share * 100).toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`);
}
