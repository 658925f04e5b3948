/**
 * The simulator's HTTP server: routes, auth, body checks, faults, admission
 * through the profile's policy, latency, and OpenAI-shaped answers (whole or
 * streamed). Built on node:http with as little work per request as possible
 * (no URL objects, string-template bodies, keep-alive on) so that it is never
 * the bottleneck of a measurement.
 *
 * Order of checks, as the real service applies them: unknown path (404) →
 * method (405) → key (401) → body (400) → deployment (404) → injected fault →
 * admission (429/503) → latency → answer. Nothing is charged before admission.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { modelForDeployment, promptTokenEstimate, type Operation, type RequestFacts } from './charge.js';
import { SimulatorConfigError } from './config-error.js';
import { applyMinusOneHeaders, pickFault, removeRetryHints, type FaultKind } from './faults.js';
import { resolveSimulatorSettings, type SimulatorOptions, type SimulatorSettings } from './options.js';
import type { AdmissionRequest, AnswerFamily, LimitPolicy, PolicyFactory } from './policies/policy.js';
import { createPolicyFactory } from './profiles.js';
import { readRequestFacts } from './request-facts.js';
import { matchRoute, splitTarget, type Route } from './routes.js';
import {
  AZURE_CAPACITY_BODY,
  AZURE_DEPLOYMENT_NOT_FOUND_BODY,
  AZURE_METHOD_NOT_ALLOWED_BODY,
  AZURE_RESOURCE_NOT_FOUND_BODY,
  AZURE_SERVICE_UNAVAILABLE_BODY,
  AZURE_UNAUTHORIZED_BODY,
  CAPACITY_RETRY_SECONDS,
  azureServerErrorBody,
  badRequestBody,
} from './bodies/azure-errors.js';
import {
  OPENAI_MISSING_KEY_BODY,
  OPENAI_ORGANIZATION,
  OPENAI_OVERLOADED_BODY,
  OPENAI_WRONG_KEY_BODY,
  openAiErrorBody,
  openAiModelNotFoundBody,
} from './bodies/openai-errors.js';
import { chatCompletionBody, chatCompletionEvents, embeddingsBody, replyFor, responsesBody, type AnswerValues } from './bodies/success.js';

/** A simulator that is listening. */
export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  /** The profile name, or "generic" with a limiter. */
  profile: string;
  /** e.g. "azure-standard, 50,000 TPM (300 RPM: 50 per 10 s, 5 per 1 s)". */
  describe(): string;
  /** Stops listening, drops open connections and pending answers. Safe to call twice. */
  close(): Promise<void>;
}

/** The api-version quoted in messages when a classic path has none. */
export const DEFAULT_API_VERSION = '2024-10-21';
/** Bodies above this are refused with 413 (the service's own limit is far lower for chat). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Starts a simulator; resolves once it listens. Throws SimulatorConfigError for bad options or a busy port. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const settings = resolveSimulatorSettings(options);
  const factory = createPolicyFactory(settings);
  const handler = new RequestHandler(settings, factory);
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (request, response) => handler.handle(request, response));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') reject(new SimulatorConfigError(`port ${settings.port} on ${settings.host} is already in use; choose another port, or 0 for any free port`));
      else if (error.code === 'EACCES') reject(new SimulatorConfigError(`port ${settings.port} on ${settings.host} needs more privileges; choose a port above 1023, or 0 for any free port`));
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
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    profile: factory.profile,
    describe: () => factory.describe(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        handler.stop();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** Per-deployment state: its limits and the model names answers quote. */
interface DeploymentState {
  policy: LimitPolicy;
  models: Record<Operation, { name: string; json: string }>;
}

/** Everything one request carries through the steps of its handling. */
interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  route: Route | undefined;
  path: string;
  baseHeaders: Record<string, string>;
  deployment: string | undefined;
  startedMs: number;
}

/** Handles requests for one server; holds the deployments' states and pending timers. */
class RequestHandler {
  private readonly deployments = new Map<string, DeploymentState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly family: AnswerFamily;
  private stopped = false;

  constructor(
    private readonly settings: SimulatorSettings,
    private readonly factory: PolicyFactory,
  ) {
    this.family = factory.family;
  }

  /** Cancels pending (delayed or paced) answers; called on close. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    try {
      this.route(request, response);
    } catch (error) {
      this.internalError(response, error);
    }
  }

  /**
   * A bug must cost one request, not the server (an exception in a request
   * listener would end the process): answer 500 if nothing was sent yet, else cut
   * the connection, and say what happened in the log.
   */
  private internalError(response: ServerResponse, error: unknown): void {
    this.settings.log?.(`simulator internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (response.destroyed) return;
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'The simulator failed on this request.' } }));
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const { path, query } = splitTarget(request.url ?? '/');
    const route = matchRoute(path, query);
    const exchange: Exchange = {
      request,
      response,
      route,
      path,
      baseHeaders: this.baseHeaders(request),
      deployment: route?.deployment,
      startedMs: this.settings.log ? performance.now() : 0,
    };
    request.on('error', () => undefined);
    if (this.family !== 'generic') {
      if (route === undefined) return this.drainThen(exchange, () => this.answerNotFound(exchange));
      if (request.method !== 'POST') return this.drainThen(exchange, () => this.answerMethodNotAllowed(exchange));
    }
    const authProblem = this.authProblem(request);
    if (authProblem !== undefined) return this.drainThen(exchange, () => this.answerUnauthorized(exchange, authProblem));
    this.readBody(exchange, (text) => {
      try {
        this.afterBody(exchange, text);
      } catch (error) {
        this.internalError(exchange.response, error);
      }
    });
  }

  private baseHeaders(request: IncomingMessage): Record<string, string> {
    if (this.family === 'openai') {
      return {
        'content-type': 'application/json',
        'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
        'openai-organization': OPENAI_ORGANIZATION,
        'openai-processing-ms': '1',
        'openai-version': '2020-10-01',
      };
    }
    const apimRequestId = randomUUID();
    const clientRequestId = request.headers['x-ms-client-request-id'];
    return {
      'content-type': 'application/json',
      'apim-request-id': apimRequestId,
      'x-request-id': randomUUID(),
      'x-ms-region': this.settings.region,
      'x-ms-client-request-id': typeof clientRequestId === 'string' && clientRequestId !== '' ? clientRequestId : apimRequestId,
    };
  }

  /** undefined when the request may pass; otherwise whether its key is missing or wrong. */
  private authProblem(request: IncomingMessage): 'missing' | 'wrong' | undefined {
    const expected = this.settings.apiKey;
    if (expected === undefined && (this.family === 'generic' || !this.settings.requireKey)) return undefined;
    const apiKey = request.headers['api-key'];
    let presented = typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
    if (presented === undefined) {
      const authorization = request.headers.authorization;
      const match = typeof authorization === 'string' ? /^Bearer\s+(\S.*)$/i.exec(authorization) : null;
      presented = match?.[1];
    }
    if (presented === undefined) return 'missing';
    if (expected !== undefined && presented !== expected) return 'wrong';
    return undefined;
  }

  private readBody(exchange: Exchange, done: (text: string | undefined) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    exchange.request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    exchange.request.on('end', () => {
      if (size > MAX_BODY_BYTES) return done(undefined);
      done(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
  }

  private drainThen(exchange: Exchange, then: () => void): void {
    exchange.request.resume();
    exchange.request.on('end', then);
  }

  private stateOf(deployment: string): DeploymentState {
    let state = this.deployments.get(deployment);
    if (state === undefined) {
      const model = (operation: Operation): { name: string; json: string } => {
        const name = modelForDeployment(deployment, operation);
        return { name, json: JSON.stringify(name) };
      };
      state = { policy: this.factory.create(), models: { chat: model('chat'), embeddings: model('embeddings'), responses: model('responses') } };
      this.deployments.set(deployment, state);
    }
    return state;
  }

  private afterBody(exchange: Exchange, text: string | undefined): void {
    const { route } = exchange;
    const generic = this.family === 'generic';
    if (text === undefined) return this.answerError(exchange, 413, badRequestBody('The request body is too large.', null, 'request_too_large'), 'body too large');

    let facts: RequestFacts | undefined;
    if (route !== undefined && exchange.request.method === 'POST') {
      const result = readRequestFacts(route.operation, text);
      if (result.ok) facts = result.facts;
      else if (!generic) return this.answerBadRequest(exchange, result.message, result.param, result.code);
      if (facts?.stream && route.operation === 'responses' && !generic) {
        return this.answerBadRequest(exchange, 'The simulator serves the Responses API without streaming; send "stream": false.', 'stream', 'unsupported_value');
      }
    }
    const deployment = route?.deployment ?? facts?.model ?? (generic ? 'default' : undefined);
    if (deployment === undefined) return this.answerBadRequest(exchange, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    if (this.settings.deployments !== undefined && route !== undefined && !this.settings.deployments.has(deployment)) {
      const body = this.family === 'openai' ? openAiModelNotFoundBody(deployment) : AZURE_DEPLOYMENT_NOT_FOUND_BODY;
      return this.answerError(exchange, 404, body, 'unknown deployment');
    }
    exchange.deployment = deployment;
    if (this.family === 'azure') exchange.baseHeaders['x-ms-deployment-name'] = deployment;
    // A generic limiter guards the whole endpoint, unless deployments are listed: then each has its own.
    const state = this.stateOf(generic && this.settings.deployments === undefined ? 'default' : deployment);
    const operation = route?.operation;
    const admissionRequest: AdmissionRequest = {
      nowMs: this.settings.clock(),
      operation: facts === undefined ? undefined : operation,
      deployment,
      model: state.models[operation ?? 'chat'].name,
      facts,
      apiVersion: route?.shape === 'classic' ? (route.apiVersion ?? DEFAULT_API_VERSION) : undefined,
    };

    const fault = pickFault(this.settings.faultRate, this.settings.faults, this.settings.random);
    if (fault !== undefined && this.answerFault(exchange, fault, state, admissionRequest)) return;

    const admission = state.policy.admit(admissionRequest);
    if (fault === 'minus-one-headers') applyMinusOneHeaders(admission.headers);
    if (!admission.admitted) {
      if (fault === 'no-retry-after') removeRetryHints(admission.headers);
      return this.send(exchange, admission.status, admission.headers, admission.body ?? '', fault === 'no-retry-after' ? `${admission.note} (no retry-after)` : admission.note, admission.charge);
    }

    const promptTokens = facts === undefined ? 0 : promptTokenEstimate(facts);
    const reply = replyFor(facts?.maxTokens);
    const completionTokens = facts === undefined || operation === 'embeddings' ? 0 : reply.tokens.length;
    if (admission.finish !== undefined) {
      const finish = admission.finish;
      exchange.response.once('close', () => finish(this.settings.clock(), promptTokens + completionTokens));
    }
    const values: AnswerValues = {
      id: randomUUID().replace(/-/g, ''),
      created: Math.floor(Date.now() / 1000),
      modelJson: state.models[operation ?? 'chat'].json,
      promptTokens,
    };
    const note = `${admission.note} charge=${admission.charge}`;
    this.later(this.latencyMs(), exchange, () => {
      if (facts === undefined || operation === undefined) return this.send(exchange, 200, admission.headers, '{"ok":true}', note, admission.charge);
      if (operation === 'chat' && facts.stream) return this.stream(exchange, admission.headers, chatCompletionEvents(values, reply, facts.includeUsage), reply.tokens.length, note, admission.charge);
      const body =
        operation === 'chat'
          ? chatCompletionBody(values, reply)
          : operation === 'embeddings'
            ? embeddingsBody(values, facts.inputCount, facts.dimensions, facts.encodingFormat)
            : responsesBody(values, reply);
      if (fault === 'slow-body') return this.sendSlowly(exchange, admission.headers, body, `${note} (slow body)`, admission.charge);
      this.send(exchange, 200, admission.headers, body, note, admission.charge);
    });
  }

  /** Answers an injected fault that replaces the normal answer; false for quirks that only alter it. */
  private answerFault(exchange: Exchange, fault: FaultKind, state: DeploymentState, request: AdmissionRequest): boolean {
    const headers = (): Record<string, string> => state.policy.currentHeaders(request);
    switch (fault) {
      case 'reset':
        this.log(exchange, 0, 'fault: connection reset', 0);
        exchange.request.socket.destroy();
        return true;
      case '500': {
        const body =
          this.family === 'openai'
            ? openAiErrorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null, null)
            : azureServerErrorBody(exchange.baseHeaders['apim-request-id'] ?? exchange.baseHeaders['x-request-id'] ?? '');
        this.send(exchange, 500, headers(), body, 'fault: 500', 0);
        return true;
      }
      case '503':
        this.send(exchange, 503, headers(), this.family === 'openai' ? OPENAI_OVERLOADED_BODY : AZURE_SERVICE_UNAVAILABLE_BODY, 'fault: 503', 0);
        return true;
      case 'capacity': {
        if (this.family === 'openai') {
          this.send(exchange, 503, headers(), OPENAI_OVERLOADED_BODY, 'fault: capacity', 0);
          return true;
        }
        const capacityHeaders = headers();
        capacityHeaders['retry-after'] = String(CAPACITY_RETRY_SECONDS);
        capacityHeaders['retry-after-ms'] = String(CAPACITY_RETRY_SECONDS * 1000);
        this.send(exchange, 429, capacityHeaders, AZURE_CAPACITY_BODY, 'fault: capacity', 0);
        return true;
      }
      default:
        return false;
    }
  }

  private latencyMs(): number {
    const latency = this.settings.latency;
    if (latency === undefined) return 0;
    return Math.max(0, latency.meanMs + (this.settings.random() * 2 - 1) * latency.spreadMs);
  }

  /** Runs `action` after `delayMs` (at once when 0), unless the server stops first. */
  private later(delayMs: number, exchange: Exchange, action: () => void): void {
    if (delayMs <= 0) return action();
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        action();
      } catch (error) {
        this.internalError(exchange.response, error);
      }
    }, delayMs);
    this.timers.add(timer);
  }

  private send(exchange: Exchange, status: number, headers: Record<string, string>, body: string, note: string, charge: number): void {
    const { response } = exchange;
    if (response.destroyed) return;
    const all = Object.assign(exchange.baseHeaders, headers);
    all['content-length'] = String(Buffer.byteLength(body));
    response.writeHead(status, all);
    response.end(body);
    this.log(exchange, status, note, charge);
  }

  /** `slow-body`: the first half now, the rest `slowBodyMs` later. */
  private sendSlowly(exchange: Exchange, headers: Record<string, string>, body: string, note: string, charge: number): void {
    const { response } = exchange;
    if (response.destroyed) return;
    const bytes = Buffer.from(body, 'utf8');
    const all = Object.assign(exchange.baseHeaders, headers);
    all['content-length'] = String(bytes.length);
    response.writeHead(200, all);
    const half = Math.floor(bytes.length / 2);
    response.write(bytes.subarray(0, half));
    this.later(this.settings.slowBodyMs, exchange, () => {
      if (!response.destroyed) response.end(bytes.subarray(half));
    });
    this.log(exchange, 200, note, charge);
  }

  /**
   * Streams SSE events. Unpaced: all at once. Paced (tokensPerSecond): the role
   * chunk at once, then one reply-token chunk every 1/tokensPerSecond s, then
   * the finish, usage and [DONE] events right after the last token.
   */
  private stream(exchange: Exchange, headers: Record<string, string>, events: string[], tokenCount: number, note: string, charge: number): void {
    const { response } = exchange;
    if (response.destroyed) return;
    const all = Object.assign(exchange.baseHeaders, headers);
    all['content-type'] = 'text/event-stream; charset=utf-8';
    all['cache-control'] = 'no-cache';
    response.writeHead(200, all);
    this.log(exchange, 200, note, charge);
    const tokensPerSecond = this.settings.tokensPerSecond;
    if (tokensPerSecond === undefined || tokenCount === 0) {
      response.end(events.join(''));
      return;
    }
    const paceMs = 1000 / tokensPerSecond;
    // events: [role, token 1 … token N, finish, (usage), DONE]
    const afterLastToken = 1 + tokenCount;
    response.write(events[0]!);
    let next = 1;
    const step = (): void => {
      if (response.destroyed) return;
      response.write(events[next++]!);
      if (next < afterLastToken) this.later(paceMs, exchange, step);
      else response.end(events.slice(next).join(''));
    };
    this.later(paceMs, exchange, step);
  }

  private answerError(exchange: Exchange, status: number, body: string, note: string, headers: Record<string, string> = {}): void {
    this.send(exchange, status, headers, body, note, 0);
  }

  private answerNotFound(exchange: Exchange): void {
    const body =
      this.family === 'openai'
        ? openAiErrorBody(`Invalid URL (${exchange.request.method ?? 'GET'} ${exchange.path})`, 'invalid_request_error', null, null)
        : AZURE_RESOURCE_NOT_FOUND_BODY;
    this.answerError(exchange, 404, body, 'no such path');
  }

  private answerMethodNotAllowed(exchange: Exchange): void {
    const body =
      this.family === 'openai'
        ? openAiErrorBody(`Invalid method for URL (${exchange.request.method ?? ''} ${exchange.path}); use POST`, 'invalid_request_error', null, null)
        : AZURE_METHOD_NOT_ALLOWED_BODY;
    this.answerError(exchange, 405, body, `method ${exchange.request.method ?? ''} not allowed`, { allow: 'POST' });
  }

  private answerUnauthorized(exchange: Exchange, problem: 'missing' | 'wrong'): void {
    const body = this.family === 'openai' ? (problem === 'missing' ? OPENAI_MISSING_KEY_BODY : OPENAI_WRONG_KEY_BODY) : AZURE_UNAUTHORIZED_BODY;
    this.answerError(exchange, 401, body, problem === 'missing' ? 'no key' : 'wrong key');
  }

  private answerBadRequest(exchange: Exchange, message: string, param: string | null, code: string | null): void {
    const deployment = exchange.route?.deployment;
    let headers: Record<string, string> = {};
    if (deployment !== undefined && (this.settings.deployments === undefined || this.settings.deployments.has(deployment))) {
      const state = this.stateOf(deployment);
      exchange.deployment = deployment;
      if (this.family === 'azure') exchange.baseHeaders['x-ms-deployment-name'] = deployment;
      headers = state.policy.currentHeaders({
        nowMs: this.settings.clock(),
        operation: undefined,
        deployment,
        model: state.models.chat.name,
        facts: undefined,
        apiVersion: undefined,
      });
    }
    const body = this.family === 'openai' ? openAiErrorBody(message, 'invalid_request_error', param, code) : badRequestBody(message, param, code);
    this.answerError(exchange, 400, body, `bad request: ${message}`, headers);
  }

  /** One line per request: method, path (no query: it may hold a key), status, deployment, outcome, charge, limits left. */
  private log(exchange: Exchange, status: number, note: string, charge: number): void {
    const log = this.settings.log;
    if (log === undefined) return;
    const headers = exchange.baseHeaders;
    const details = [
      'x-ratelimit-remaining-requests',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-remaining',
      'azure-openai-deployment-utilization',
      'retry-after-ms',
    ]
      .filter((name) => headers[name] !== undefined)
      .map((name) => `${name.replace('x-ratelimit-', '').replace('azure-openai-deployment-', '')}=${headers[name]}`);
    const elapsed = (performance.now() - exchange.startedMs).toFixed(1);
    const deployment = exchange.deployment ?? '-';
    const outcome = note.includes('charge=') || charge === 0 ? note : `${note} charge=${charge}`;
    log(
      `${new Date().toISOString()} ${exchange.request.method ?? '?'} ${exchange.path} ${status === 0 ? 'reset' : status} ${deployment} ${outcome}${details.length > 0 ? ' ' + details.join(' ') : ''} ${elapsed}ms`,
    );
  }
}
