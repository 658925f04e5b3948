/**
 * Preload for ab-steady.js (`node --import ./bench/prototypes/gc-observer.mjs …`): writes
 * every GC pause of the process to $GC_OUT at exit as [epochMs, durationMs, kind] rows, so
 * that long gaps on the wire (epoch-ms timestamps from tcpdump) can be matched with GCs.
 */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance, constants } from 'node:perf_hooks';

const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
const entries = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) entries.push([performance.timeOrigin + entry.startTime, entry.duration, kinds[entry.detail?.kind] ?? String(entry.detail?.kind)]);
}).observe({ entryTypes: ['gc'] });
process.on('exit', () => {
  if (process.env.GC_OUT) writeFileSync(process.env.GC_OUT, JSON.stringify(entries));
});
