/**
 * The `--gateway` form of `aoai-probe sim` (README "Through a gateway: regions,
 * failover, stripped headers"): an APIM-style gateway on loopback in front of
 * several simulated regions. Kept apart from sim.ts so the plain simulator's flags stay in one
 * place and the gateway's in another.
 *
 * The flags, their help and the check for gateway flags given without --gateway are
 * here; serving the gateway is in sim-gateway-action.ts, loaded when it runs
 * (index.ts says why).
 */
import type { Command } from 'commander';
import { ROUTING_MODES } from '../../sim/gateway/spec.js';

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
