/**
 * The undici transport (src/run/transport/transport.ts, the default and the reference) held
 * to the transport contract (transport-contract.ts).
 */
import { createTransport } from '../../src/run/transport/transport.js';
import { describeTransportContract } from './transport-contract.js';

describeTransportContract('transport', createTransport, { trimsHeaderValues: false });
