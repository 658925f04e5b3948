/**
 * The lean transport (src/run/transport/lean-transport.ts) held to the same contract as the
 * undici transport (transport-contract.ts). What only the lean transport has to
 * get right itself (body framings, TLS, synchronous writes, waiting requests) is
 * in lean-wire.test.ts.
 */
import { createLeanTransport } from '../../src/run/transport/lean-transport.js';
import { describeTransportContract } from './transport-contract.js';

// http-parser-js drops a header value's trailing whitespace; undici keeps it.
describeTransportContract('lean transport', (options) => createLeanTransport(options), { trimsHeaderValues: true });
