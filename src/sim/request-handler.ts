/**
 * The life of one request, in the order the real service checks things:
 * unknown path (404) → method (405) → key (401) → body (400) → deployment (404)
 * → injected fault → admission by the deployment's policy (429/503) → latency →
 * the answer (whole, slow, or streamed). Nothing is charged before admission.
 *
 * A generic limiter guards every path and method, so the first two checks are
 * skipped for it, and keys are checked only when one is configured.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AnswerWriter } from './answer-writer.js';
import { chatCompletionBody, chatCompletionEvents, embeddingsBody, replyFor, responsesBody, type AnswerValues } from './bodies/success.js';
import { OPENAI_ORGANIZATION } from './bodies/openai-errors.js';
import { modelForDeployment, promptTokenEstimate, type Operation, type RequestFacts } from './charge.js';
import { deploymentNotFoundBody, faultAnswer, invalidRequestBody, methodNotAllowedBody, notFoundBody, unauthorizedBody } from './error-answers.js';
import type { Exchange } from './exchange.js';
import { applyMinusOneHeaders, pickFault, removeRetryHints } from './faults.js';
import type { SimulatorSettings } from './options.js';
import type { AdmissionRequest, AnswerFamily, LimitPolicy, PolicyFactory } from './policies/policy.js';
import { readRequestFacts } from './request-facts.js';
import { RequestIds } from './request-ids.js';
import { matchRoute, splitTarget } from './routes.js';

/** The api-version quoted in messages when a classic path has none. */
export const DEFAULT_API_VERSION = '2024-10-21';
/** Bodies above this are refused with 413 (the service's own limit is far lower for chat). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request stream's errors (a client that hangs up) end that request only; node:http closes its socket. */
function ignoreError(): void {}

/** Per-deployment state: its limits and the model names answers quote. */
interface DeploymentState {
  policy: LimitPolicy;
  models: Record<Operation, { name: string; json: string }>;
}

/** Handles the requests of one server; holds the deployments' limiter states. */
export class RequestHandler {
  private readonly deployments = new Map<string, DeploymentState>();
  private readonly family: AnswerFamily;
  private readonly writer: AnswerWriter;
  private readonly ids = new RequestIds();

  constructor(
    private readonly settings: SimulatorSettings,
    private readonly factory: PolicyFactory,
  ) {
    this.family = factory.family;
    this.writer = new AnswerWriter(settings);
  }

  /** Cancels pending (delayed or paced) answers; called on close. */
  stop(): void {
    this.writer.stop();
  }

  /** The node:http request listener. */
  handle(request: IncomingMessage, response: ServerResponse): void {
    this.writer.guarded(response, () => this.start(request, response));
  }

  private start(request: IncomingMessage, response: ServerResponse): void {
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
    request.on('error', ignoreError);
    const method = request.method ?? 'GET';
    if (this.family !== 'generic') {
      if (route === undefined) return this.afterDrain(exchange, () => this.fail(exchange, 404, notFoundBody(this.family, method, path), 'no such path'));
      if (method !== 'POST') {
        return this.afterDrain(exchange, () =>
          this.fail(exchange, 405, methodNotAllowedBody(this.family, method, path), `method ${method} not allowed`, { allow: 'POST' }),
        );
      }
    }
    const authProblem = this.authProblem(request);
    if (authProblem !== undefined) {
      return this.afterDrain(exchange, () => this.fail(exchange, 401, unauthorizedBody(this.family, authProblem), authProblem === 'missing' ? 'no key' : 'wrong key'));
    }
    this.readBody(exchange, (text) => this.writer.guarded(response, () => this.afterBody(exchange, text)));
  }

  private baseHeaders(request: IncomingMessage): Record<string, string> {
    if (this.family === 'openai') {
      return {
        'content-type': 'application/json',
        'x-request-id': `req_${this.ids.hex()}`,
        'openai-organization': OPENAI_ORGANIZATION,
        'openai-processing-ms': '1',
        'openai-version': '2020-10-01',
      };
    }
    const apimRequestId = this.ids.uuid();
    const clientRequestId = request.headers['x-ms-client-request-id'];
    return {
      'content-type': 'application/json',
      'apim-request-id': apimRequestId,
      'x-request-id': this.ids.uuid(),
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

  /** Answers once the request body has been read and thrown away (keep-alive needs it consumed). */
  private afterDrain(exchange: Exchange, then: () => void): void {
    exchange.request.resume();
    exchange.request.on('end', () => this.writer.guarded(exchange.response, then));
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
    if (text === undefined) return this.fail(exchange, 413, invalidRequestBody(this.family, 'The request body is too large.', null, 'request_too_large'), 'body too large');

    let facts: RequestFacts | undefined;
    if (route !== undefined && exchange.request.method === 'POST') {
      const result = readRequestFacts(route.operation, text);
      if (result.ok) facts = result.facts;
      else if (!generic) return this.badRequest(exchange, result.message, result.param, result.code);
      if (facts?.stream && route.operation === 'responses' && !generic) {
        return this.badRequest(exchange, 'The simulator serves the Responses API without streaming; send "stream": false.', 'stream', 'unsupported_value');
      }
    }
    const deployment = route?.deployment ?? facts?.model ?? (generic ? 'default' : undefined);
    if (deployment === undefined) return this.badRequest(exchange, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    if (this.settings.deployments !== undefined && route !== undefined && !this.settings.deployments.has(deployment)) {
      return this.fail(exchange, 404, deploymentNotFoundBody(this.family, deployment), 'unknown deployment');
    }
    exchange.deployment = deployment;
    if (this.family === 'azure') exchange.baseHeaders['x-ms-deployment-name'] = deployment;
    // A generic limiter guards the whole endpoint, unless deployments are listed: then each has its own.
    const state = this.stateOf(generic && this.settings.deployments === undefined ? 'default' : deployment);
    const operation = facts === undefined ? undefined : route?.operation;
    const model = state.models[operation ?? 'chat'];
    const admissionRequest: AdmissionRequest = {
      nowMs: this.settings.clock(),
      operation,
      deployment,
      model: model.name,
      facts,
      apiVersion: route?.shape === 'classic' ? (route.apiVersion ?? DEFAULT_API_VERSION) : undefined,
    };

    const fault = pickFault(this.settings.faultRate, this.settings.faults, this.settings.random);
    if (fault === 'reset') return this.writer.reset(exchange, 'fault: connection reset');
    const replacement = fault === undefined ? undefined : faultAnswer(this.family, fault, exchange.baseHeaders['apim-request-id'] ?? exchange.baseHeaders['x-request-id'] ?? '');
    if (replacement !== undefined) {
      const headers = Object.assign(state.policy.currentHeaders(admissionRequest), replacement.headers);
      return this.writer.send(exchange, replacement.status, headers, replacement.body, `fault: ${fault}`);
    }

    const admission = state.policy.admit(admissionRequest);
    if (fault === 'minus-one-headers') applyMinusOneHeaders(admission.headers);
    if (!admission.admitted) {
      if (fault === 'no-retry-after') removeRetryHints(admission.headers);
      const note = fault === 'no-retry-after' ? `${admission.note} (no retry-after)` : admission.note;
      return this.writer.send(exchange, admission.status, admission.headers, admission.body ?? '', note);
    }

    const promptTokens = facts === undefined ? 0 : promptTokenEstimate(facts);
    const reply = replyFor(facts?.maxTokens);
    const completionTokens = operation === undefined || operation === 'embeddings' ? 0 : reply.tokens.length;
    if (admission.finish !== undefined) {
      const finish = admission.finish;
      exchange.response.once('close', () => finish(this.settings.clock(), promptTokens + completionTokens));
    }
    const values: AnswerValues = { id: this.ids.hex(), created: Math.floor(Date.now() / 1000), modelJson: model.json, promptTokens };
    const note = `${admission.note} charge=${admission.charge}`;
    this.writer.later(this.latencyMs(), exchange, () => {
      if (facts === undefined || operation === undefined) return this.writer.send(exchange, 200, admission.headers, '{"ok":true}', note);
      if (operation === 'chat' && facts.stream) {
        return this.writer.stream(exchange, admission.headers, chatCompletionEvents(values, reply, facts.includeUsage), reply.tokens.length, note);
      }
      const body =
        operation === 'chat'
          ? chatCompletionBody(values, reply)
          : operation === 'embeddings'
            ? embeddingsBody(values, facts.inputCount, facts.dimensions, facts.encodingFormat)
            : responsesBody(values, reply);
      if (fault === 'slow-body') return this.writer.sendSlowly(exchange, admission.headers, body, `${note} (slow body)`);
      this.writer.send(exchange, 200, admission.headers, body, note);
    });
  }

  /** Mean ± spread, uniform, never negative. */
  private latencyMs(): number {
    const latency = this.settings.latency;
    if (latency === undefined) return 0;
    return Math.max(0, latency.meanMs + (this.settings.random() * 2 - 1) * latency.spreadMs);
  }

  private fail(exchange: Exchange, status: number, body: string, note: string, headers: Record<string, string> = {}): void {
    this.writer.send(exchange, status, headers, body, note);
  }

  /** 400; on a known deployment the answer still carries its (uncharged) rate-limit headers, as Azure's do. */
  private badRequest(exchange: Exchange, message: string, param: string | null, code: string | null): void {
    const deployment = exchange.route?.deployment;
    let headers: Record<string, string> = {};
    if (deployment !== undefined && (this.settings.deployments === undefined || this.settings.deployments.has(deployment))) {
      exchange.deployment = deployment;
      if (this.family === 'azure') exchange.baseHeaders['x-ms-deployment-name'] = deployment;
      const state = this.stateOf(this.family === 'generic' && this.settings.deployments === undefined ? 'default' : deployment);
      headers = state.policy.currentHeaders({ nowMs: this.settings.clock(), operation: undefined, deployment, model: state.models.chat.name, facts: undefined, apiVersion: undefined });
    }
    this.fail(exchange, 400, invalidRequestBody(this.family, message, param, code), `bad request: ${message}`, headers);
  }
}
