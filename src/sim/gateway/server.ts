/**
 * `aoai-probe sim --gateway`: an APIM-style gateway on loopback in front of
 * several simulated backends, each an azure-standard simulator of its own
 * (its own port, limits and `x-ms-region`). The client talks to the gateway's
 * URL only; which backend answered shows in `x-ms-region`, as through a real
 * APIM pool whose outbound policy leaves the headers alone.
 *
 * The policies live in gateway.ts; this file only moves bytes: it buffers the
 * request body (a retry must resend it, as APIM's `buffer-request-body`), hands
 * each backend call to node:http, and pipes the chosen answer back unchanged
 * (streams stay streams), with the headers renamed and stripped as configured.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { promptTokenEstimate } from '../charge.js';
import { SimulatorConfigError } from '../config-error.js';
import { readRequestFacts } from '../request-facts.js';
import { matchRoute, splitTarget } from '../routes.js';
import { startSimulator, type RunningSimulator } from '../server.js';
import { formatThousands, formatWindow } from '../units.js';
import { gatewayBackendFailureBody } from './bodies.js';
import { Gateway, type BackendAnswer, type GatewayOutcome } from './gateway.js';
import { parseBackends, type BackendSpec, type GatewaySpec } from './spec.js';

/** How to start a simulated gateway. */
export interface GatewayOptions extends Partial<Omit<GatewaySpec, 'backends'>> {
  /** The backends, as `NAME:tpm=N[:region=R]…` text or specs. */
  backends: string | BackendSpec[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Injectable ms clock for every limiter and breaker; default performance.now. */
  clock?: () => number;
  /** One line per client request when given. */
  log?: (line: string) => void;
}

/** A gateway that is listening, with its backends. */
export interface RunningGateway {
  url: string;
  port: number;
  /** The backends by name, each a running simulator (tests read their own URLs and counts). */
  backends: Map<string, RunningSimulator>;
  /** Client requests each backend answered with a status, by backend name (includes answers later retried). */
  served: Map<string, Map<number, number>>;
  spec: GatewaySpec;
  describe(): string;
  close(): Promise<void>;
}

/** Hop-by-hop headers never passed on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);
/** Request headers passed to the backend. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'api-key', 'authorization', 'x-ms-client-request-id', 'accept'];

type Body = http.IncomingMessage | string;

/** Starts the backends and the gateway; resolves once all listen. Throws SimulatorConfigError for bad options. */
export async function startGatewaySimulator(options: GatewayOptions): Promise<RunningGateway> {
  const backends = typeof options.backends === 'string' ? parseBackends(options.backends) : options.backends;
  const spec: GatewaySpec = {
    backends,
    routing: options.routing ?? 'priority',
    breaker: options.breaker,
    retry: options.retry,
    tokenLimit: options.tokenLimit,
    stripHeaders: options.stripHeaders ?? [],
    renameHeaders: options.renameHeaders ?? [],
  };
  const clock = options.clock ?? (() => performance.now());
  const host = options.host ?? '127.0.0.1';
  const gateway = new Gateway(spec);
  const running = new Map<string, RunningSimulator>();
  const served = new Map<string, Map<number, number>>();
  try {
    for (const backend of backends) {
      const simulator = await startSimulator({
        host,
        tpm: backend.tpm,
        rpm: backend.rpm,
        region: backend.region,
        latency: backend.latencyMs > 0 ? { meanMs: backend.latencyMs, spreadMs: 0 } : undefined,
        clock,
      });
      running.set(backend.name, simulator);
      served.set(backend.name, new Map());
    }
  } catch (error) {
    await Promise.all([...running.values()].map((simulator) => simulator.close()));
    throw error;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const forward = (backend: BackendSpec, request: http.IncomingMessage, body: Buffer): Promise<BackendAnswer<Body>> =>
    new Promise((resolve) => {
      const target = new URL(request.url ?? '/', running.get(backend.name)!.url);
      const headers: Record<string, string> = { 'content-length': String(body.length) };
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const outgoing = http.request(target, { method: request.method, headers, agent }, (answer) => {
        const answerHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const status = answer.statusCode ?? 502;
        const counts = served.get(backend.name)!;
        counts.set(status, (counts.get(status) ?? 0) + 1);
        resolve({ status, headers: answerHeaders, body: answer });
      });
      outgoing.on('error', () => resolve({ status: 500, headers: { 'content-type': 'application/json' }, body: gatewayBackendFailureBody() }));
      outgoing.end(body);
    });

  const server = http.createServer({ keepAliveTimeout: 30_000 }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const startedMs = clock();
      gateway
        .serve<Body>(
          { counterKey: counterKey(request, spec), estimatedTokens: estimateTokens(request.url ?? '/', body) },
          {
            clock,
            forward: (backend) => forward(backend, request, body),
            discard: (answer) => {
              if (typeof answer.body !== 'string') answer.body.resume();
            },
            wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          },
        )
        .then((outcome) => {
          send(response, outcome);
          options.log?.(logLine(request, outcome, clock() - startedMs));
        })
        .catch((error: unknown) => {
          options.log?.(`gateway internal error: ${error instanceof Error ? error.message : String(error)}`);
          if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
          response.end(gatewayBackendFailureBody());
        });
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new SimulatorConfigError(`port ${options.port} on ${host} is already in use; choose another port, or 0 for any free port`) : error);
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    backends: running,
    served,
    spec,
    describe: () => describeGateway(spec),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
        agent.destroy();
        await Promise.all([...running.values()].map((simulator) => simulator.close()));
      })();
      return closing;
    },
  };
}

function send(response: http.ServerResponse, outcome: GatewayOutcome<Body>): void {
  if (typeof outcome.body === 'string') {
    const headers = { ...outcome.headers, 'content-length': String(Buffer.byteLength(outcome.body)) };
    response.writeHead(outcome.status, headers);
    response.end(outcome.body);
    return;
  }
  response.writeHead(outcome.status, outcome.headers);
  outcome.body.pipe(response);
  outcome.body.on('error', () => response.destroy());
}

/** The counter key of the token limit: the subscription key presented, or the client address. */
function counterKey(request: http.IncomingMessage, spec: GatewaySpec): string {
  if (spec.tokenLimit?.key === 'ip') return request.socket.remoteAddress ?? 'unknown';
  const presented = request.headers['ocp-apim-subscription-key'] ?? request.headers['api-key'] ?? request.headers.authorization;
  return typeof presented === 'string' ? presented : '';
}

/** Prompt estimate + max_tokens, as a token limit with `estimate-prompt-tokens` charges at admission. */
function estimateTokens(url: string, body: Buffer): number {
  const { path, query } = splitTarget(url);
  const route = matchRoute(path, query);
  if (route === undefined) return 0;
  const facts = readRequestFacts(route.operation, body.toString('utf8'));
  if (!facts.ok) return 0;
  return promptTokenEstimate(facts.facts) + (facts.facts.maxTokens ?? 0);
}

function logLine(request: http.IncomingMessage, outcome: GatewayOutcome<Body>, elapsedMs: number): string {
  const path = splitTarget(request.url ?? '/').path;
  const route = outcome.attempts.map((attempt) => `${attempt.backend} ${attempt.status}${attempt.tripped ? ' (tripped)' : ''}`).join(' → ');
  const own = outcome.ownAnswer === undefined ? '' : `${route === '' ? '' : ' → '}gateway ${outcome.status} (${outcome.ownAnswer})`;
  return `gateway ${request.method ?? 'GET'} ${path}: ${route}${own} ${Math.round(elapsedMs)} ms`;
}

/** One line for the ready message, e.g. "gateway, priority routing over 2 backends: a (East US, 10,000 TPM, priority 1), …". */
export function describeGateway(spec: GatewaySpec): string {
  const backends = spec.backends
    .map((backend) => {
      const parts = [backend.region, `${formatThousands(backend.tpm)} TPM`];
      if (spec.routing === 'priority') parts.push(`priority ${backend.priority}`);
      if (spec.routing !== 'round-robin' && backend.weight !== 1) parts.push(`weight ${formatThousands(backend.weight)}`);
      return `${backend.name} (${parts.join(', ')})`;
    })
    .join(', ');
  const policies: string[] = [];
  if (spec.breaker !== undefined) {
    const breaker = spec.breaker;
    policies.push(`breaker ${breaker.count} × ${breaker.statusMin === breaker.statusMax ? breaker.statusMin : `${breaker.statusMin}-${breaker.statusMax}`} in ${formatWindow(breaker.intervalMs)} trips for ${breaker.acceptRetryAfter ? 'the backend\'s Retry-After, else ' : ''}${formatWindow(breaker.tripMs)}`);
  }
  if (spec.retry !== undefined) policies.push(`retry ${spec.retry.count}× on 429/503${spec.retry.firstFastRetry ? ', first at once' : ''}${spec.retry.intervalMs > 0 ? `, then every ${formatWindow(spec.retry.intervalMs)}` : ''}`);
  if (spec.tokenLimit !== undefined) {
    const limit = spec.tokenLimit;
    const pieces = [];
    if (limit.tokensPerMinute > 0) pieces.push(`${formatThousands(limit.tokensPerMinute)} TPM`);
    if (limit.quota !== undefined) pieces.push(`quota ${formatThousands(limit.quota.tokens)} per ${formatWindow(limit.quota.periodMs)}`);
    policies.push(`token limit ${pieces.join(', ')} per ${limit.key === 'ip' ? 'client address' : 'subscription key'}`);
  }
  if (spec.stripHeaders.length > 0) policies.push(`strips ${spec.stripHeaders.join(', ')}`);
  if (spec.renameHeaders.length > 0) policies.push(`renames ${spec.renameHeaders.map((rename) => `${rename.from} → ${rename.to}`).join(', ')}`);
  return `gateway, ${spec.routing} routing over ${spec.backends.length} backends: ${backends}${policies.length > 0 ? `; ${policies.join('; ')}` : ''}`;
}
