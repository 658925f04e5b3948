/**
 * The lean transport against the project's simulator (simulator-contract.ts). Its
 * run through the runner is in test/runner/runner-simulator.test.ts.
 */
import { createLeanTransport } from '../../src/run/transport/lean-transport.js';
import { describeSimulatorContract } from './simulator-contract.js';

describeSimulatorContract('lean transport', (options) => createLeanTransport(options));
