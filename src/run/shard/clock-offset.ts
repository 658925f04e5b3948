/**
 * A worker's side of the coordinator (src/run/shard/coordinator.ts): measure how far this
 * machine's clock is from the coordinator's, then ask for the shared start.
 *
 * The offset is NTP's four-timestamp estimate: t0 the question leaves (our clock), t1 it
 * arrives and t2 the answer leaves (the coordinator's), t3 the answer arrives (ours).
 *
 *     offset = ((t1 − t0) + (t2 − t3)) / 2      round trip = (t3 − t0) − (t2 − t1)
 *
 * Whatever the asymmetry of the two ways, the true offset lies within half the round
 * trip of the estimate, so that half is the error bound recorded with it. Several
 * rounds are made on one kept-alive connection and the one with the lowest round trip
 * is kept (the least queueing, so the tightest bound); the first round, which pays for
 * the connection, rarely wins.
 */
import { Agent, get } from 'node:http';

/** The offset of this clock to the coordinator's. */
export interface OffsetEstimate {
  /** Coordinator's clock minus ours, ms: add it to one of our times to get the coordinator's. */
  offsetMs: number;
  /** Half the round trip of the best round: the true offset is within this of `offsetMs`, ms. */
  errorMs: number;
}

/** Where the coordinator is and how long to keep trying to reach it. */
export interface CoordinatorAddress {
  /** `http://HOST:PORT`. */
  baseUrl: string;
  /** This machine's wall clock, epoch ms with decimals. */
  wallNow: () => number;
  /** Give up reaching the coordinator (or waiting for the barrier) after this long, ms. */
  timeoutMs: number;
  /** Ends the waiting early (Ctrl-C). */
  signal?: AbortSignal;
}

/** Rounds of the offset exchange. */
export const OFFSET_ROUNDS = 8;
/** Pause between attempts to reach a coordinator that is not listening yet (its pod may still be starting), ms. */
const RETRY_PAUSE_MS = 250;

/** Why the coordinator could not be used, in words for the user. */
export class CoordinatorUnreachable extends Error {}

/** Measures the offset in OFFSET_ROUNDS exchanges, waiting (up to the timeout) for the coordinator to listen. */
export async function measureClockOffset(address: CoordinatorAddress): Promise<OffsetEstimate> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const deadline = address.wallNow() + address.timeoutMs;
    let best: OffsetEstimate | null = null;
    for (let round = 0; round < OFFSET_ROUNDS; round++) {
      const t0 = address.wallNow();
      const answer = await getJson(`${address.baseUrl}/time`, agent, address, round === 0 ? deadline : address.wallNow() + 30_000);
      const t3 = address.wallNow();
      const t1 = Number(answer.receivedAt);
      const t2 = Number(answer.sentAt);
      if (!Number.isFinite(t1) || !Number.isFinite(t2)) throw new CoordinatorUnreachable(`${address.baseUrl}/time did not answer with the coordinator's times; is it an aoai-probe coordinator?`);
      const roundTrip = t3 - t0 - (t2 - t1);
      const estimate = { offsetMs: (t1 - t0 + (t2 - t3)) / 2, errorMs: Math.max(0, roundTrip) / 2 };
      // The first round after a wait for the coordinator pays for the connection: keep the best.
      if (best === null || estimate.errorMs < best.errorMs) best = estimate;
    }
    return best!;
  } finally {
    agent.destroy();
  }
}

/** Asks for the shared start (coordinator's clock, epoch ms); held by the coordinator until every shard has asked. */
export async function askSharedStart(address: CoordinatorAddress, shardIndex: number): Promise<number> {
  const agent = new Agent({ keepAlive: false });
  try {
    const answer = await getJson(`${address.baseUrl}/start?shard=${shardIndex}`, agent, address, address.wallNow() + address.timeoutMs);
    const startAt = Number(answer.startAt);
    if (!Number.isFinite(startAt)) throw new CoordinatorUnreachable(`${address.baseUrl}/start gave no start time`);
    return startAt;
  } finally {
    agent.destroy();
  }
}

/**
 * GET a JSON object, retrying connection failures (refused, unknown name: the coordinator
 * or its DNS record may not exist yet) until `deadline` on our clock.
 */
async function getJson(url: string, agent: Agent, address: CoordinatorAddress, deadline: number): Promise<Record<string, unknown>> {
  for (;;) {
    try {
      return await getOnce(url, agent, Math.max(1, deadline - address.wallNow()), address.signal);
    } catch (error) {
      if (error instanceof CoordinatorUnreachable || address.signal?.aborted === true) throw error;
      if (address.wallNow() + RETRY_PAUSE_MS > deadline) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new CoordinatorUnreachable(
          `the coordinator (shard 0) at ${address.baseUrl} did not ${url.includes('/start') ? 'give the shared start' : 'answer'} within ${Math.round(address.timeoutMs / 1000)} s (${code}); start shard 0 with the same --coordinator (it may have died or not be up yet), check that this machine can reach it, or wait longer with --start-timeout (e.g. --start-timeout 10m)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }
}

function getOnce(url: string, agent: Agent, timeoutMs: number, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, timeout: timeoutMs, ...(signal ? { signal } : {}) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new CoordinatorUnreachable(`the coordinator ${url} answered ${response.statusCode ?? 'nothing'}; check that every shard was given the same --shards and --coordinator`));
          return;
        }
        try {
          const parsed: unknown = JSON.parse(body);
          if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
          resolve(parsed as Record<string, unknown>);
        } catch {
          reject(new CoordinatorUnreachable(`${url} did not answer JSON; is it an aoai-probe coordinator?`));
        }
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
  });
}
