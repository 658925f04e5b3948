/**
 * The simulator on a thread of its own, for the embedded target.
 *
 * Why a worker thread: in the same thread, the simulator's request handling shares
 * one event loop with the client it is measured by. A burst's writes then interleave
 * with the server's reads, the client's timings pick up the server's work, and the
 * server sees the burst in an order no real service would (often reversed). On its
 * own thread the simulator behaves like a separate service on loopback, while the
 * user still needs nothing but `npx aoai-probe burst`.
 *
 * Only plain-data options cross the thread boundary (no clock, log or random).
 */
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { SimulatorConfigError } from './config-error.js';
import type { RunningSimulator } from './server.js';
import type { SimulatorOptions } from './options.js';

/** Options that can be sent to a worker: everything but functions. */
export type WorkerSimulatorOptions = Omit<SimulatorOptions, 'clock' | 'log' | 'random'>;

/** Messages the worker sends back. */
export type WorkerReply =
  | { type: 'ready'; url: string; port: number; profile: string; description: string }
  | { type: 'config-error'; problems: string[] }
  | { type: 'error'; message: string }
  | { type: 'closed' };

/** Starts the simulator on a worker thread; resolves once it listens. */
export async function startSimulatorInWorker(options: WorkerSimulatorOptions = {}): Promise<RunningSimulator> {
  const worker = new Worker(new URL('./worker-main.js', import.meta.url), { workerData: options });
  const [reply] = (await once(worker, 'message')) as [WorkerReply];
  if (reply.type !== 'ready') {
    await worker.terminate();
    if (reply.type === 'config-error') throw new SimulatorConfigError(reply.problems);
    throw new Error(reply.type === 'error' ? reply.message : 'the simulator worker stopped before it was ready');
  }
  let closing: Promise<void> | null = null;
  return {
    url: reply.url,
    port: reply.port,
    profile: reply.profile,
    describe: () => reply.description,
    close() {
      closing ??= (async () => {
        worker.postMessage({ type: 'close' });
        const timer = setTimeout(() => void worker.terminate(), 2_000);
        await once(worker, 'exit');
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
