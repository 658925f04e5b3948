/**
 * The truth written for Apache mod_evasive (test/support/limiters/apache.ts), checked
 * on the running server with plain requests: the accuracy table compares the probe
 * against it, so it must be what the module does and not what its manual suggests.
 * mod_evasive's probe row is measured by `npm run probe-table` (its block, restarted
 * by every refusal, is the hardest case of the table); this test keeps the server and
 * its truth checked in `npm test`.
 *
 * Real time, loose: the only margins are whole seconds (the module keeps time in them).
 */
import { describe, expect, it } from 'vitest';
import { startModEvasive } from '../support/limiters/apache.js';

/** Sends `count` requests at once; their statuses in sending order. */
async function sendAtOnce(url: string, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await response.arrayBuffer();
      return response.status;
    }),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until just after a wall-clock second starts, so an instant burst falls inside one second. */
async function startOfSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 20);
}

describe.sequential('Apache mod_evasive: the truth the accuracy table uses', () => {
  it('admits DOSPageCount at one instant, then refuses until DOSBlockingPeriod of silence, every refusal restarting the block', async () => {
    const limiter = await startModEvasive({ pageCount: 6, blockSeconds: 2, status: 429 });
    try {
      await sendAtOnce(limiter.url, 1); // opens the connection pool; counted in this second
      await sleep(2500);
      await startOfSecond();
      const burst = await sendAtOnce(limiter.url, limiter.truth.burst + 3);
      expect(burst.filter((status) => status === 200)).toHaveLength(limiter.truth.burst);
      expect(burst.filter((status) => status === 429)).toHaveLength(3);

      // Knocking every 0.7 s (well inside the 2-s block): each refusal restarts the block,
      // so after 4 s of knocking — twice the block — the client is still shut out.
      const knocks: number[] = [];
      for (let knock = 0; knock < 6; knock++) {
        await sleep(700);
        knocks.push(...(await sendAtOnce(limiter.url, 1)));
      }
      expect(knocks).toEqual([429, 429, 429, 429, 429, 429]);

      // A whole block of silence (plus the module's whole-second rounding) lets it in again.
      await sleep(limiter.truth.windowSeconds! * 1000 + 1100);
      expect(await sendAtOnce(limiter.url, 1)).toEqual([200]);
    } finally {
      await limiter.stop();
    }
  }, 60_000);
});
