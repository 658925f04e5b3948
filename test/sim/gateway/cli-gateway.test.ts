/**
 * `aoai-probe sim --gateway` flags through the real executable: bad input is one
 * message per problem, exit 2, and the gateway flags without --gateway are refused
 * rather than silently ignored.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/spawn-cli.js';

describe('sim --gateway bad input', () => {
  it('names every problem of the gateway flags and exits 2', async () => {
    const run = await runCli(['sim', '--gateway', '--backends', 'a:tpm=x,b:tpm=10', '--routing', 'random', '--breaker', 'count=0', '--rename-headers', 'x-ratelimit-remaining-tokens']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--backends: backend a: tpm="x" is not a positive number; e.g. tpm=10000');
    expect(run.stderr).toContain('--routing: "random" is not a routing mode; use one of priority, weighted, round-robin');
    expect(run.stderr).toContain('--breaker: count="0" is not a whole number of 1 or more; e.g. count=1');
    expect(run.stderr).toContain('--rename-headers: "x-ratelimit-remaining-tokens" is not FROM=TO with two header names');
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses gateway flags without --gateway, and --gateway without backends', async () => {
    const without = await runCli(['sim', '--backends', 'a:tpm=1000']);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('--backends only applies to the gateway; add --gateway (and --backends)');
    const rename = await runCli(['sim', '--rename-headers', 'a=b']);
    expect(rename.code).toBe(2);
    expect(rename.stderr).toContain('--rename-headers only applies to the gateway; add --gateway (and --backends)');
    const empty = await runCli(['sim', '--gateway']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--gateway needs --backends');
  });
});

describe('sim --gateway flags', () => {
  it('carry --strip-headers and --rename-headers into the gateway options', async () => {
    const { gatewayOptionsFromFlags } = await import('../../../src/cli/commands/sim-gateway-action.js');
    const options = gatewayOptionsFromFlags({ gateway: true, backends: 'a:tpm=1000', stripHeaders: 'x-ratelimit-limit-*', renameHeaders: 'X-RateLimit-Remaining-Tokens=x-gateway-remaining-tokens', port: '0', host: '127.0.0.1' });
    expect(options.stripHeaders).toEqual(['x-ratelimit-limit-*']);
    expect(options.renameHeaders).toEqual([{ from: 'x-ratelimit-remaining-tokens', to: 'x-gateway-remaining-tokens' }]);
  });
});
