/**
 * Forward proxies: the rule (src/run/proxy.ts) on plain values, then whole runs
 * in-process (main() with a captured CliIo and a hand-given environment) through a
 * real forward proxy (the `proxy` package) started on loopback in front of the
 * simulator. The proxy counts what it saw, so "went through the proxy" is the
 * proxy's own word, not the tool's.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProxy } from 'proxy';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/errors.js';
import { chooseProxy, noProxyMatches, proxySecrets } from '../../src/run/proxy.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import type { RunLine } from '../../src/record/types.js';
import { fakeIo } from '../report/fake-io.js';

describe('which proxy a target uses', () => {
  const environment = { httpProxy: 'http://plain.proxy.example:3128', httpsProxy: 'http://user:secret-pass@tls.proxy.example:8080', noProxy: 'internal.example, .corp.example,*.lab.example,api.example:8443' };

  it('an explicit --proxy applies to every target, loopback included', () => {
    for (const url of ['https://x.openai.azure.com/', 'http://127.0.0.1:8080/', 'http://localhost/', 'https://internal.example/']) {
      expect(chooseProxy(url, { ...environment, explicit: 'http://flag.proxy.example:9000' })).toEqual({ url: 'http://flag.proxy.example:9000', host: 'flag.proxy.example:9000', source: 'flag' });
    }
  });

  it('the environment: HTTPS_PROXY for https, HTTP_PROXY for http, never for loopback', () => {
    expect(chooseProxy('https://x.openai.azure.com/', environment)).toMatchObject({ host: 'tls.proxy.example:8080', source: 'environment' });
    expect(chooseProxy('http://api.example.net/v1/chat/completions', environment)).toMatchObject({ host: 'plain.proxy.example:3128' });
    expect(chooseProxy('https://x.openai.azure.com/', { httpProxy: environment.httpProxy })).toMatchObject({ host: 'plain.proxy.example:3128' });
    for (const url of ['http://127.0.0.1:8080/', 'http://127.0.0.2/', 'http://localhost:3000/', 'http://[::1]:8080/']) expect(chooseProxy(url, environment)).toBeNull();
    expect(chooseProxy('https://x.openai.azure.com/', {})).toBeNull();
  });

  it('NO_PROXY as undici reads it: hosts, subdomains, leading dots and stars, ports, and *', () => {
    const exempt = (url: string, noProxy = environment.noProxy): boolean => noProxyMatches(new URL(url), noProxy);
    expect(exempt('https://internal.example/')).toBe(true);
    expect(exempt('https://deep.internal.example/')).toBe(true);
    expect(exempt('https://notinternal.example/')).toBe(false);
    expect(exempt('https://corp.example/')).toBe(true);
    expect(exempt('https://a.lab.example/')).toBe(true);
    expect(exempt('https://api.example:8443/')).toBe(true);
    expect(exempt('https://api.example/')).toBe(false);
    expect(exempt('https://anything.example/', '*')).toBe(true);
    expect(exempt('https://anything.example/', '')).toBe(false);
    expect(chooseProxy('https://deep.internal.example/', environment)).toBeNull();
  });

  it('keeps a proxy password for redaction and never puts it in the host', () => {
    expect(chooseProxy('https://x.openai.azure.com/', environment)!.host).not.toContain('secret-pass');
    expect(proxySecrets(environment)).toContain('secret-pass');
  });
});

describe('runs through a real forward proxy on loopback', () => {
  let simulator: RunningSimulator;
  let proxyServer: Server;
  let proxyUrl: string;
  /** Every request or tunnel the proxy was asked for, as "METHOD target". */
  let seen: string[] = [];
  let folder: string;

  beforeAll(async () => {
    simulator = await startSimulator({ profile: 'azure-standard', port: 0, tpm: 1_000_000 });
    proxyServer = createProxy(createServer());
    proxyServer.on('connect', (request) => seen.push(`CONNECT ${request.url}`));
    proxyServer.on('request', (request) => seen.push(`${request.method} ${request.url}`));
    await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => proxyServer.close(() => resolve()));
    await simulator.close();
  });
  beforeEach(() => {
    seen = [];
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-proxy-'));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  const targetUrl = (): string => `${simulator.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;

  async function burst(extra: string[], env: Record<string, string>) {
    const io = fakeIo(['burst', '--size', '3', '--url', targetUrl(), '--api-key', 'proxy-test-key', '--record', 'run.ndjson', '--quiet', '--json', ...extra], { cwd: folder, env });
    await main(io);
    return io;
  }

  function runLine(): RunLine {
    return JSON.parse(readFileSync(join(folder, 'run.ndjson'), 'utf8').split('\n')[0]!) as RunLine;
  }

  it('--proxy sends a loopback target through the proxy, and the run line says so (host and port only)', async () => {
    const io = await burst(['--proxy', proxyUrl.replace('http://', 'http://probe-user:proxy-password@')], {});
    expect(io.err()).toContain(`Sending through the proxy ${proxyUrl.replace('http://', '')} (--proxy)\n`);
    expect(io.err()).not.toContain('proxy-password');
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(JSON.parse(io.out()).requests.ok).toBe(3);
    // The proxy saw the run's connections to the simulator (a tunnel or a forwarded request each).
    const simulatorHost = new URL(simulator.url).host;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((entry) => entry.includes(simulatorHost))).toBe(true);
    expect(runLine().targets[0]!.proxy).toEqual({ host: proxyUrl.replace('http://', ''), source: 'flag' });
    const recording = readFileSync(join(folder, 'run.ndjson'), 'utf8');
    expect(recording).not.toContain('proxy-password');
    expect(recording).not.toContain('probe-user');
  });

  it('an environment proxy leaves a loopback target direct, says so, and the run line names no proxy', async () => {
    const io = await burst([], { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl });
    expect(io.err()).toContain(`Not using the proxy from the environment: ${new URL(simulator.url).host} is a loopback address, which stays direct (--proxy URL sends it through a proxy)\n`);
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(JSON.parse(io.out()).requests.ok).toBe(3);
    expect(seen).toEqual([]);
    expect(runLine().targets[0]!.proxy).toBeUndefined();
  });

  it('--transport lean with --proxy is refused before anything is sent (exit 2, the fix named)', async () => {
    const io = await burst(['--proxy', proxyUrl, '--transport', 'lean'], {});
    expect(io.exitCode()).toBe(EXIT.input);
    expect(io.err()).toContain('--proxy cannot be used with --transport lean');
    expect(seen).toEqual([]);
  });

  it('a --proxy that is not a URL is refused without echoing it', async () => {
    const io = await burst(['--proxy', 'user:pw-secret@nowhere'], {});
    expect(io.exitCode()).toBe(EXIT.input);
    expect(io.err()).toContain('--proxy: the value');
    expect(io.err()).not.toContain('pw-secret');
  });
});

/**
 * An environment proxy in front of a target that is not loopback. The target's host is
 * under `.invalid` (it resolves nowhere), and the proxy below tunnels every CONNECT, whatever
 * host it names, to the simulator on loopback: nothing leaves this machine, and a request
 * that skipped the proxy could not connect at all.
 */
describe('an environment proxy in front of a non-loopback target', () => {
  let simulator: RunningSimulator;
  let tunnel: Server;
  let tunnelUrl: string;
  let tunnels: string[] = [];
  let folder: string;
  const TARGET = 'http://aoai-probe-proxy-test.invalid/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';

  beforeAll(async () => {
    simulator = await startSimulator({ profile: 'azure-standard', port: 0, tpm: 1_000_000 });
    const simulatorPort = Number(new URL(simulator.url).port);
    tunnel = createServer((_request, response) => response.writeHead(405).end());
    tunnel.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(request.url ?? '');
      const upstream = connect(simulatorPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => tunnel.listen(0, '127.0.0.1', resolve));
    tunnelUrl = `http://127.0.0.1:${(tunnel.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    tunnel.closeAllConnections();
    await new Promise<void>((resolve) => tunnel.close(() => resolve()));
    await simulator.close();
  });
  beforeEach(() => {
    tunnels = [];
    folder = mkdtempSync(join(tmpdir(), 'aoai-probe-env-proxy-'));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  async function burst(extra: string[]) {
    const io = fakeIo(['burst', '--size', '3', '--url', TARGET, '--api-key', 'proxy-test-key', '--record', 'run.ndjson', '--quiet', '--json', ...extra], { cwd: folder, env: { HTTP_PROXY: tunnelUrl, http_proxy: tunnelUrl } });
    await main(io);
    return io;
  }

  it('the default transport goes through it (the proxy tunnelled the requests) and says so', async () => {
    const io = await burst([]);
    expect(io.err()).toContain(`Sending through the proxy ${tunnelUrl.replace('http://', '')} (from the environment)\n`);
    expect(io.exitCode(), io.err()).toBe(EXIT.ok);
    expect(JSON.parse(io.out()).requests.ok).toBe(3);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels.every((entry) => entry === 'aoai-probe-proxy-test.invalid:80')).toBe(true);
  });

  it('--transport lean refuses before sending (exit 2), naming the proxy and the fixes', async () => {
    const io = await burst(['--transport', 'lean']);
    expect(io.exitCode()).toBe(EXIT.input);
    expect(io.err()).toContain(`the requests would go through the proxy ${tunnelUrl.replace('http://', '')}, which --transport lean cannot do`);
    expect(io.err()).toContain('NO_PROXY');
    expect(tunnels).toEqual([]);
  });
});
