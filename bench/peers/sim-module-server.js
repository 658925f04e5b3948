/**
 * aoai-probe's simulator through its public module function (`startSimulator` from the
 * built dist/sim/index.js), for when this build has no `sim` command yet. Takes the
 * SimulatorOptions as JSON, prints "listening PORT" when ready, stops on SIGTERM.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readOptions } from './args.js';

const { repoRoot, simulator } = readOptions();
const { startSimulator } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'sim', 'index.js')).href);
const running = await startSimulator({ port: 0, ...simulator });
process.stdout.write(`listening ${running.port}\n`);
process.on('SIGTERM', () => running.close().then(() => process.exit(0)));
