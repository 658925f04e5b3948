/**
 * What `aoai-probe sim --gateway` does (its flags are in sim-gateway.ts): turns the
 * gateway flags into GatewayOptions, listing every problem at once, and serves the
 * gateway and its simulated backends until Ctrl-C.
 */
import { InputError } from '../../errors.js';
import { problemCollector } from './sim-problems.js';
import { parseCount } from '../../parse/units.js';
import {
  parseBackends,
  parseBreaker,
  parseRetry,
  parseRouting,
  parseRenameHeaders,
  parseStripHeaders,
  parseTokenLimit,
  startGatewaySimulator,
  type GatewayOptions,
} from '../../sim/gateway/index.js';
import type { CliIo } from '../io.js';
import { serveUntilStopped } from './serve-until-stopped.js';
import type { GatewayFlags } from './sim-gateway.js';

/** Turns the gateway flags into GatewayOptions, collecting every problem into one InputError. */
export function gatewayOptionsFromFlags(flags: GatewayFlags & { port: string; host: string }): GatewayOptions {
  const problems: string[] = [];
  const attempt = problemCollector(problems);
  if (flags.backends === undefined) problems.push('--gateway needs --backends; e.g. --backends eastus:tpm=10000,westus:tpm=5000:priority=2');
  const backends = flags.backends === undefined ? undefined : attempt(() => parseBackends(flags.backends!));
  const options: GatewayOptions = { backends: backends ?? [], host: flags.host };
  const port = attempt(() => parseCount(flags.port, '--port', 0));
  if (port !== undefined && port > 65_535) problems.push(`--port: ${port} is above 65535; use a port from 1024 to 65535, or 0 for any free port`);
  else if (port !== undefined) options.port = port;
  if (flags.routing !== undefined) options.routing = attempt(() => parseRouting(flags.routing!));
  if (flags.breaker !== undefined) options.breaker = attempt(() => parseBreaker(flags.breaker!));
  if (flags.gatewayRetry !== undefined) options.retry = attempt(() => parseRetry(flags.gatewayRetry!));
  if (flags.tokenLimit !== undefined) options.tokenLimit = attempt(() => parseTokenLimit(flags.tokenLimit!));
  if (flags.stripHeaders !== undefined) options.stripHeaders = attempt(() => parseStripHeaders(flags.stripHeaders!));
  if (flags.renameHeaders !== undefined) options.renameHeaders = attempt(() => parseRenameHeaders(flags.renameHeaders!));
  if (problems.length > 0) throw new InputError(problems);
  return options;
}

/** Serves the gateway until Ctrl-C: one ready line on stdout, one line per request on stderr with --verbose. */
export async function serveGateway(flags: GatewayFlags & { port: string; host: string; verbose?: boolean }, io: CliIo): Promise<void> {
  const options = gatewayOptionsFromFlags(flags);
  if (flags.verbose) options.log = (line) => io.stderr.write(`${line}\n`);
  await serveUntilStopped(io, flags.host, () => startGatewaySimulator(options));
}
