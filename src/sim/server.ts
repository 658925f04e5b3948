/**
 * The simulator's HTTP server: node:http with keep-alive, as little work per
 * request as possible (no URL objects, string-template bodies) so that it is
 * never the bottleneck of a measurement. What happens to each request is in
 * request-handler.ts.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { SimulatorConfigError } from './config-error.js';
import { resolveSimulatorSettings, type SimulatorOptions } from './options.js';
import { createPolicyFactory } from './profiles.js';
import { RealtimeUpgrades } from './realtime/upgrade.js';
import { describeRealtime } from './realtime/settings.js';
import { ServedRecorder } from './replay/served-recorder.js';
import { RequestHandler } from './request-handler.js';
import type { StatsSnapshot } from './stats.js';
import { loadEncodings, type EncodingName } from './tokenizer.js';

export { DEFAULT_API_VERSION } from './request-handler.js';

/** A simulator that is listening. */
export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  /** The profile name, or "generic" with a limiter. */
  profile: string;
  /** e.g. "azure-standard, 50,000 TPM (300 RPM: 50 per 10 s, 5 per 1 s)". */
  describe(): string;
  /** The per-second counts (the same as `GET /_sim/stats`); in-process simulators only. */
  stats?(): StatsSnapshot;
  /** Stops listening, drops open connections and pending answers, finishes `--record-to`. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a simulator; resolves once it listens. Throws SimulatorConfigError for bad options or a busy port. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const settings = resolveSimulatorSettings(options);
  const factory = createPolicyFactory(settings);
  // Tokenizers are built before listening, so no request waits for one (tokenizer.ts says why).
  // (Generic limiters too: their chat paths still answer chat JSON with usage.) A deployment
  // guessed to use cl100k_base loads it on its first request: declare it to load it here.
  const encodings = new Set<EncodingName>(['o200k_base']);
  for (const deployment of settings.deployments?.values() ?? []) if (deployment.model !== undefined) encodings.add(deployment.model.encoding);
  loadEncodings(encodings);
  const handler = new RequestHandler(settings, factory);
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (request, response) => handler.handle(request, response));
  const upgrades = new RealtimeUpgrades(settings);
  server.on('upgrade', (request, socket, head: Buffer) => upgrades.handle(request, socket, head));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const where = `port ${settings.port} on ${settings.host}`;
      if (error.code === 'EADDRINUSE') reject(new SimulatorConfigError(`${where} is already in use; choose another port, or 0 for any free port`));
      else if (error.code === 'EACCES') reject(new SimulatorConfigError(`${where} needs more privileges; choose a port above 1023, or 0 for any free port`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new SimulatorConfigError(`host ${settings.host} is not an address of this machine; use 127.0.0.1`));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(settings.port, settings.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${hostInUrl}:${port}`;
  let recorder: ServedRecorder | undefined;
  if (settings.recordTo !== undefined) {
    try {
      recorder = await ServedRecorder.open(settings.recordTo, { url, profile: factory.profile, tpm: settings.tpm, rpm: settings.rpm });
    } catch (error) {
      handler.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
    handler.recorder = recorder;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    profile: factory.profile,
    describe: () => {
      const realtime = describeRealtime(settings.realtime);
      const replay = settings.replay === undefined ? '' : `, replaying ${settings.replay.length} recorded answers`;
      return factory.describe() + replay + (realtime === 'realtime unlimited' ? '' : `; ${realtime}`);
    },
    stats: () => handler.stats.snapshot(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        handler.stop();
        upgrades.stop();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }).then(() => recorder?.close());
      return closing;
    },
  };
}
