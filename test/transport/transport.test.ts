/**
 * The undici transport (src/run/transport.ts, the default and the reference) held
 * to the transport contract (transport-contract.ts).
 */
import { createTransport } from '../../src/run/transport.js';
import { describeTransportContract } from './transport-contract.js';

describeTransportContract('transport', createTransport, { trimsHeaderValues: false });
