/**
 * The `--gateway` form of `aoai-probe sim` (README "Through a gateway: regions,
 * failover, stripped headers"): an APIM-style gateway on loopback in front of
 * several simulated regions. Kept apart from sim.ts so the plain simulator's flags stay in one
 * place and the gateway's in another.
 */
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { problemCollector } from './sim-problems.js';
import { parseCount } from '../../parse/units.js';
import {
  ROUTING_MODES,
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

/** The gateway flags as commander hands them over. */
export interface GatewayFlags {
  gateway?: boolean;
  backends?: string;
  routing?: string;
  breaker?: string;
  gatewayRetry?: string;
  tokenLimit?: string;
  stripHeaders?: string;
  renameHeaders?: string;
}

/** The flags only the gateway reads (an error names them when --gateway is missing). */
const GATEWAY_ONLY: (keyof GatewayFlags)[] = ['backends', 'routing', 'breaker', 'gatewayRetry', 'tokenLimit', 'stripHeaders', 'renameHeaders'];

/** Help text for the gateway flags, appended to `sim --help`. */
export const GATEWAY_HELP = `
Gateway (--gateway: an API Management-style pool in front of several simulated regions):
  --backends eastus:tpm=10000:region=East US,westus:tpm=5000:priority=2[:weight=50][:rpm=N][:latency=20ms]
  --routing priority|weighted|round-robin     (default priority: lowest number first, weights within it)
  --breaker count=1,interval=1m,trip=1m,accept-retry-after[,status=429]
  --gateway-retry count=2,interval=0,first-fast-retry     (retries 429/503 on the next backend)
  --token-limit tpm=N,key=subscription|ip[,quota=N,quota-period=hourly][,remaining-header=NAME][,consumed-header=NAME]
  --strip-headers "x-ratelimit-*,retry-after-ms"      (removed from backend answers)
  --rename-headers x-ratelimit-remaining-tokens=x-gateway-remaining-tokens   (FROM=TO,…: moved to a new name)
  e.g. aoai-probe sim --gateway --backends a:tpm=6000,b:tpm=6000:priority=2 --breaker count=1,accept-retry-after --gateway-retry count=1,first-fast-retry
`;

/** Adds the gateway flags to the `sim` command. */
export function addGatewayOptions(command: Command): Command {
  return command
    .option('--gateway', 'serve an APIM-style gateway in front of several simulated backends (see below)')
    .option('--backends <list>', 'gateway backends: NAME:tpm=N[:region=R][:priority=P][:weight=W],…')
    .option('--routing <mode>', `gateway routing: ${ROUTING_MODES.join(', ')}`)
    .option('--breaker <rule>', 'gateway circuit breaker per backend, e.g. count=1,interval=1m,trip=1m,accept-retry-after')
    .option('--gateway-retry <policy>', 'gateway retry on 429/503, e.g. count=2,interval=0,first-fast-retry')
    .option('--token-limit <policy>', 'gateway token limit, e.g. tpm=20000,key=subscription')
    .option('--strip-headers <patterns>', 'header names the gateway removes from answers, e.g. "x-ratelimit-*"')
    .option('--rename-headers <pairs>', 'headers the gateway moves to another name, FROM=TO,…, e.g. x-ratelimit-remaining-tokens=x-gateway-remaining-tokens');
}

/** Problems with gateway flags given without --gateway (the plain simulator would ignore them silently). */
export function gatewayFlagsWithoutGateway(flags: GatewayFlags): string[] {
  if (flags.gateway) return [];
  return GATEWAY_ONLY.filter((name) => flags[name] !== undefined).map(
    (name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} only applies to the gateway; add --gateway (and --backends)`,
  );
}

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
