/**
 * The undici transport against the project's simulator (simulator-contract.ts).
 */
import { createTransport } from '../../src/run/transport/transport.js';
import { describeSimulatorContract } from './simulator-contract.js';

describeSimulatorContract('transport', createTransport);
