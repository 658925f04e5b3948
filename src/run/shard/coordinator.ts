/**
 * The coordinator of a sharded run (docs/sharding.md): shard 0 serves its clock and the
 * shared start to the other shards over two tiny HTTP routes, so the workers need nothing
 * but the address of shard 0 (a Kubernetes Indexed Job's headless Service gives it a
 * stable name).
 *
 *   GET /time   → {"receivedAt": t1, "sentAt": t2}: the coordinator's wall clock when the
 *                 question arrived and when the answer left (epoch ms with decimals), the
 *                 two middle timestamps of an NTP exchange (src/run/shard/clock-offset.ts).
 *   GET /start  → {"startAt": T}: held open until every other shard has asked (a barrier),
 *                 then the start is fixed once, `leadMs` after that moment (or the time the
 *                 user gave), and every shard gets the same T, later askers at once.
 *
 * Why a barrier and not "start at T" alone: pods and Actions jobs start seconds to minutes
 * apart, so no lead chosen in advance is safe; the barrier waits for the slowest worker,
 * then leaves only the answer's way (milliseconds) to the lead.
 *
 * Why node:http by hand rather than a framework: two routes and a held answer are a few
 * lines, and the runner's own dependencies already cover it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the coordinator needs to know. */
export interface CoordinatorOptions {
  /** Address to listen on, e.g. 0.0.0.0 or 127.0.0.1. */
  host: string;
  /** Port to listen on; 0 chooses a free one (tests). */
  port: number;
  /** How many shards the run has (the coordinator is one of them). */
  shards: number;
  /** This machine's wall clock, epoch ms with decimals. */
  wallNow: () => number;
  /** The start the user fixed (coordinator's clock), or null: `leadMs` after the last shard asked. */
  startAtEpochMs: number | null;
  /** Lead between the barrier's fall and the start, ms. */
  leadMs: number;
}

/** A running coordinator. */
export interface Coordinator {
  /** The port it listens on (the one chosen when 0 was asked). */
  readonly port: number;
  /** Resolves with the shared start (coordinator's clock) once every other shard has asked. */
  readonly startAt: Promise<number>;
  /** The shards (1 and up) that have asked for the start so far: who is missing when the wait ends. */
  checkedIn(): number[];
  /** Stops listening; held askers are answered with 503 so they fail with a message instead of hanging. */
  close(): Promise<void>;
}

/** Starts the coordinator; resolves once it listens. */
export async function startCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  const asked = new Set<number>();
  const held: ServerResponse[] = [];
  let decided: number | null = null;
  let resolveStart: (startAt: number) => void = () => undefined;
  const startAt = new Promise<number>((resolve) => (resolveStart = resolve));

  const answerStart = (response: ServerResponse): void => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ startAt: decided }));
  };
  const decideWhenEveryoneAsked = (): void => {
    if (decided !== null || asked.size < options.shards - 1) return;
    decided = options.startAtEpochMs ?? options.wallNow() + options.leadMs;
    for (const response of held.splice(0)) answerStart(response);
    resolveStart(decided);
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const receivedAt = options.wallNow();
    const url = new URL(request.url ?? '/', 'http://coordinator');
    if (request.method === 'GET' && url.pathname === '/time') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ receivedAt, sentAt: options.wallNow() }));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/start') {
      const shard = Number(url.searchParams.get('shard'));
      if (!Number.isInteger(shard) || shard < 1 || shard >= options.shards) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(`shard must be 1..${options.shards - 1}\n`);
        return;
      }
      asked.add(shard);
      if (decided !== null) answerStart(response);
      else held.push(response);
      decideWhenEveryoneAsked();
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('aoai-probe coordinator: GET /time or /start?shard=N\n');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // One shard only: nobody to wait for.
  decideWhenEveryoneAsked();
  return {
    port: (server.address() as AddressInfo).port,
    startAt,
    checkedIn: () => [...asked].sort((a, b) => a - b),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of held.splice(0)) response.writeHead(503).end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
