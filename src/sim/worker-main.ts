/**
 * Entry point of the simulator's worker thread (see worker-simulator.ts): starts the
 * simulator with the options it was given, reports its address, and closes it when
 * asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator } from './server.js';
import { SimulatorConfigError } from './config-error.js';
import type { WorkerReply, WorkerSimulatorOptions } from './worker-simulator.js';

async function serve(): Promise<void> {
  if (parentPort === null) return;
  const port = parentPort;
  const reply = (message: WorkerReply): void => port.postMessage(message);
  try {
    const simulator = await startSimulator(workerData as WorkerSimulatorOptions);
    port.on('message', (message: { type: string }) => {
      if (message.type !== 'close') return;
      void simulator.close().then(() => {
        reply({ type: 'closed' });
        port.close();
      });
    });
    reply({ type: 'ready', url: simulator.url, port: simulator.port, profile: simulator.profile, description: simulator.describe() });
  } catch (error) {
    if (error instanceof SimulatorConfigError) reply({ type: 'config-error', problems: error.problems });
    else reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    port.close();
  }
}

await serve();
