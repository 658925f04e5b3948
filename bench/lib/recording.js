/**
 * Reading aoai-probe recordings (NDJSON v1, docs/recording.md) for the bench's own checks:
 * how many requests were recorded, sent on time, dropped.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Reads an aoai-probe recording's request and dropped lines. Why read the file and not the
 * summary: the recording is the product's own account of every request, and the point is
 * that every one of them was written.
 */
export async function readRecordingCounts(file) {
  let requests = 0;
  let ok = 0;
  let dropped = 0;
  let firstSent = Infinity;
  let lastSent = -Infinity;
  let lagSum = 0;
  let lagMax = 0;
  // Streamed line by line: a 1M-line recording is larger than one JavaScript string may be.
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.includes('"type":"request"')) {
      const record = JSON.parse(line);
      requests += 1;
      if (record.status === 200) ok += 1;
      firstSent = Math.min(firstSent, record.sentMs);
      lastSent = Math.max(lastSent, record.sentMs);
      const lag = record.sentMs - record.plannedMs;
      lagSum += lag;
      lagMax = Math.max(lagMax, lag);
    } else if (line.includes('"type":"dropped"')) {
      dropped += 1;
    }
  }
  const spanS = (lastSent - firstSent) / 1000;
  return { requests, ok, dropped, sentRate: spanS > 0 ? (requests - 1) / spanS : null, lagMeanMs: requests ? lagSum / requests : null, lagMaxMs: lagMax };
}

