/**
 * The life of one request, in the order the real service checks things:
 * unknown path (404) → method (405) → key (401) → body (400) → deployment (404)
 * → operation the deployment's model serves (400 OperationNotSupported) →
 * injected fault → admission by the deployment's policy (429/503) → latency →
 * the answer (whole, slow, or streamed). Nothing is charged before admission.
 * With `--replay`, the recorded answer takes the place of fault and admission.
 * `GET /_sim/stats` is answered before all of this: it is the simulator's own.
 *
 * A generic limiter guards every path and method, so the first two checks are
 * skipped for it, and keys are checked only when one is configured.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AnswerWriter } from './answer-writer.js';
import {
  chatCompletionBody,
  chatCompletionEvents,
  completionBody,
  completionEvents,
  embeddingsBody,
  responsesBody,
  type AnswerValues,
} from './bodies/success.js';
import { AZURE_RESOURCE_NOT_FOUND_BODY, operationNotSupportedBody } from './bodies/azure-errors.js';
import { OPENAI_ORGANIZATION } from './bodies/openai-errors.js';
import { guessedModelFacts, type Operation, type RequestFacts } from './charge.js';
import type { ResolvedDeployment } from './deployments.js';
import { deploymentNotFoundBody, faultAnswer, invalidRequestBody, methodNotAllowedBody, notFoundBody, unauthorizedBody } from './error-answers.js';
import type { Exchange } from './exchange.js';
import { applyMinusOneHeaders, pickFault, removeRetryHints } from './faults.js';
import { COMPLETIONS_DEFAULT_MAX_TOKENS, type DeploymentKind, type ModelFacts } from './models.js';
import type { SimulatorSettings } from './options.js';
import type { AdmissionRequest, AnswerFamily, LimitPolicy, PolicyFactory } from './policies/policy.js';
import { replyTo, type Reply } from './reply-text.js';
import { ReplayScript } from './replay/replay-script.js';
import { readRequestFacts } from './request-facts.js';
import { RequestIds } from './request-ids.js';
import { matchRoute, splitTarget } from './routes.js';
import { SimulatorStats } from './stats.js';
import { countTokens } from './tokenizer.js';
import { promptTokens } from './usage.js';
import { DEFAULT_API_VERSION } from './names.js';

/** The api-version quoted in messages when a classic path has none (defined in names.ts, for help texts). */
export { DEFAULT_API_VERSION };
/** Bodies above this are refused with 413 (the service's own limit is far lower for chat). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request stream's errors (a client that hangs up) end that request only; node:http closes its socket. */
function ignoreError(): void {}

/** The path of the simulator's own statistics (`GET`), outside every API. */
export const STATS_PATH = '/_sim/stats';

/** The model answers quote, its name as JSON and its facts. */
interface ServedModel {
  name: string;
  json: string;
  facts: ModelFacts;
}

/** Per-deployment state: its limits, its declaration (when declared) and the models answers quote. */
interface DeploymentState {
  policy: LimitPolicy;
  declared: ResolvedDeployment | undefined;
  models: Record<Operation, ServedModel>;
}

/** The operations each kind of deployment serves. */
const SERVED_OPERATIONS: Record<DeploymentKind, readonly Operation[]> = {
  chat: ['chat', 'responses'],
  embeddings: ['embeddings'],
  completions: ['completions'],
};

/** The text an answer depends on: the messages' or inputs' text. */
function promptTextOf(facts: RequestFacts): string {
  const messages = facts.messages;
  if (messages !== undefined) return messages.length === 1 ? messages[0]!.text : messages.map((message) => message.text).join('\n');
  const inputs = facts.inputs;
  if (inputs !== undefined) return inputs.length === 1 ? String(inputs[0]) : inputs.map(String).join('\n');
  return '';
}

/** An admitted request's answer, ready to be written. */
interface PreparedAnswer {
  operation: Operation;
  values: AnswerValues;
  /** undefined for embeddings. */
  reply: Reply | undefined;
  completionTokens: number;
}

/** Handles the requests of one server; holds the deployments' limiter states. */
export class RequestHandler {
  private readonly deployments = new Map<string, DeploymentState>();
  private readonly family: AnswerFamily;
  private readonly writer: AnswerWriter;
  private readonly ids = new RequestIds();
  /** Per-second counts, for `--stats` and `GET /_sim/stats`. */
  readonly stats: SimulatorStats;
  private readonly replay: ReplayScript | undefined;

  constructor(
    private readonly settings: SimulatorSettings,
    private readonly factory: PolicyFactory,
  ) {
    this.family = factory.family;
    this.writer = new AnswerWriter(settings);
    this.stats = new SimulatorStats(settings.clock);
    this.replay = settings.replay === undefined ? undefined : new ReplayScript(settings.replay, this.family);
  }

  /** The writer's `--record-to` recorder, once the server listens. */
  set recorder(recorder: AnswerWriter['recorder']) {
    this.writer.recorder = recorder;
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
    if (path === STATS_PATH && request.method === 'GET') return this.sendStats(request, response);
    const route = matchRoute(path, query);
    const exchange: Exchange = {
      request,
      response,
      route,
      path,
      baseHeaders: this.baseHeaders(request),
      deployment: route?.deployment,
      startedMs: this.settings.log ? performance.now() : 0,
      arrivedAt: this.writer.recorder === undefined ? 0 : performance.now(),
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

  /** `GET /_sim/stats`: the per-second counts as JSON (no key needed: it is the simulator's, not the service's). */
  private sendStats(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    const body = JSON.stringify(this.stats.snapshot());
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-cache' });
    response.end(body);
  }

  private stateOf(deployment: string): DeploymentState {
    let state = this.deployments.get(deployment);
    if (state === undefined) {
      const declared = this.settings.deployments?.get(deployment);
      const declaredModel = declared?.model;
      const model = (operation: Operation): ServedModel => {
        const facts = declaredModel ?? guessedModelFacts(deployment, operation);
        return { name: facts.name, json: JSON.stringify(facts.name), facts };
      };
      const limits = declaredModel === undefined || declared === undefined ? undefined : { tpm: declared.tpm, rpm: declared.rpm };
      state = {
        policy: this.factory.create(limits),
        declared: declaredModel === undefined ? undefined : declared,
        models: { chat: model('chat'), embeddings: model('embeddings'), responses: model('responses'), completions: model('completions') },
      };
      this.deployments.set(deployment, state);
    }
    return state;
  }

  private afterBody(exchange: Exchange, text: string | undefined): void {
    const { route } = exchange;
    const generic = this.family === 'generic';
    if (text === undefined) return this.fail(exchange, 413, invalidRequestBody(this.family, 'The request body is too large.', null, 'request_too_large'), 'body too large');
    // Azure picks the API by its api-version: a classic path without one finds none (404 Resource not found).
    if (route?.shape === 'classic' && route.apiVersion === undefined && this.family === 'azure') return this.fail(exchange, 404, AZURE_RESOURCE_NOT_FOUND_BODY, 'no api-version');

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
      modelFacts: model.facts,
      facts,
      apiVersion: route?.shape === 'classic' ? (route.apiVersion ?? DEFAULT_API_VERSION) : undefined,
    };
    const kind = state.declared?.kind;
    if (operation !== undefined && kind !== undefined && !SERVED_OPERATIONS[kind].includes(operation) && !generic) {
      const headers = state.policy.currentHeaders(admissionRequest);
      return this.fail(exchange, 400, operationNotSupportedBody(operation, model.name), `operation not supported by ${model.name}`, headers);
    }
    if (this.replay !== undefined && !generic) return this.replayAnswer(exchange, facts, operation, model);

    const fault = pickFault(this.settings.faultRate, this.settings.faults, this.settings.random);
    if (fault === 'reset') {
      this.stats.fault();
      return this.writer.reset(exchange, 'fault: connection reset');
    }
    const replacement = fault === undefined ? undefined : faultAnswer(this.family, fault, exchange.baseHeaders['apim-request-id'] ?? exchange.baseHeaders['x-request-id'] ?? '');
    if (replacement !== undefined) {
      if (replacement.status === 429) this.stats.refused('capacity');
      else this.stats.fault();
      const headers = Object.assign(state.policy.currentHeaders(admissionRequest), replacement.headers);
      return this.writer.send(exchange, replacement.status, headers, replacement.body, `fault: ${fault}`);
    }

    const admission = state.policy.admit(admissionRequest);
    if (fault === 'minus-one-headers') applyMinusOneHeaders(admission.headers);
    exchange.charge = admission.charge;
    exchange.maxTokens = facts?.maxTokens ?? null;
    if (!admission.admitted) {
      this.stats.refused(admission.refusalClass ?? 'requests', admission.charge);
      if (fault === 'no-retry-after') removeRetryHints(admission.headers);
      const note = fault === 'no-retry-after' ? `${admission.note} (no retry-after)` : admission.note;
      return this.writer.send(exchange, admission.status, admission.headers, admission.body ?? '', note);
    }
    this.stats.admitted(admission.charge);

    const answer = facts === undefined || operation === undefined ? undefined : this.answerOf(facts, operation, model);
    if (admission.finish !== undefined) {
      const finish = admission.finish;
      const actual = answer === undefined ? 0 : answer.values.promptTokens + answer.completionTokens;
      exchange.response.once('close', () => finish(this.settings.clock(), actual));
    }
    const note = `${admission.note} charge=${admission.charge}`;
    this.writer.later(this.latencyMs(), exchange, () => {
      if (answer === undefined || facts === undefined) return this.writer.send(exchange, 200, admission.headers, '{"ok":true}', note);
      this.sendAnswer(exchange, admission.headers, answer, facts, note, fault === 'slow-body');
    });
  }

  /** What an admitted request is answered: its values, reply and token counts. */
  private answerOf(facts: RequestFacts, operation: Operation, model: ServedModel): PreparedAnswer {
    const encoding = model.facts.encoding;
    const values: AnswerValues = {
      id: this.ids.hex(),
      created: Math.floor(Date.now() / 1000),
      modelJson: model.json,
      promptTokens: promptTokens(facts, encoding),
      azure: this.family === 'azure',
      prompts: facts.inputs?.length ?? 1,
    };
    if (operation === 'embeddings') return { operation, values, reply: undefined, completionTokens: 0 };
    // The legacy completions API cuts at 16 tokens when max_tokens is unset.
    const cap = facts.maxTokens ?? (operation === 'completions' ? COMPLETIONS_DEFAULT_MAX_TOKENS : undefined);
    const reply = replyTo(promptTextOf(facts), this.settings.seed, cap, this.settings.replyLength);
    return { operation, values, reply, completionTokens: countTokens(encoding, reply.text) };
  }

  /** Writes an answer: whole, slowly (the slow-body quirk) or streamed (at `paceMs` per token when given). */
  private sendAnswer(exchange: Exchange, headers: Record<string, string>, answer: PreparedAnswer, facts: RequestFacts, note: string, slowly: boolean, paceMs?: number): void {
    const { operation, values, reply, completionTokens } = answer;
    exchange.usage = { promptTokens: values.promptTokens, completionTokens };
    if (reply !== undefined && facts.stream && (operation === 'chat' || operation === 'completions')) {
      const events = operation === 'chat' ? chatCompletionEvents(values, reply, completionTokens, facts.includeUsage) : completionEvents(values, reply, completionTokens, facts.includeUsage);
      return this.writer.stream(exchange, headers, events, note, paceMs);
    }
    const body =
      reply === undefined
        ? embeddingsBody(values, facts.inputs ?? Array.from({ length: facts.inputCount }, (_, index) => index), facts.dimensions, facts.encodingFormat)
        : operation === 'chat'
          ? chatCompletionBody(values, reply, completionTokens)
          : operation === 'completions'
            ? completionBody(values, reply, completionTokens)
            : responsesBody(values, reply, completionTokens);
    if (slowly) return this.writer.sendSlowly(exchange, headers, body, `${note} (slow body)`);
    this.writer.send(exchange, 200, headers, body, note);
  }

  /**
   * `--replay`: the next recorded answer instead of the limits' decision: its
   * status and headers after its latency. A recorded 200 gets a normal answer
   * to this request (streamed ones start at the recorded first byte and end at
   * the recorded end); a refusal or error its recorded code and message; a
   * recorded connection failure a dropped connection.
   */
  private replayAnswer(exchange: Exchange, facts: RequestFacts | undefined, operation: Operation | undefined, model: ServedModel): void {
    const recorded = this.replay!.next();
    const note = `replayed #${recorded.index}`;
    if (recorded.answer.status === null) {
      this.stats.fault();
      return this.writer.later(recorded.answer.totalMs, exchange, () => this.writer.reset(exchange, `${note}: connection failure`));
    }
    const headers = recorded.headers;
    if (recorded.answer.status !== 200) {
      const refusal = recorded.refusalClass;
      if (refusal !== undefined) this.stats.refused(refusal);
      else this.stats.fault();
      return this.writer.later(recorded.answer.totalMs, exchange, () => this.writer.send(exchange, recorded.answer.status!, headers, recorded.body, note));
    }
    this.stats.admitted(0);
    if (facts === undefined || operation === undefined) return this.writer.later(recorded.answer.totalMs, exchange, () => this.writer.send(exchange, 200, headers, '{"ok":true}', note));
    const answer = this.answerOf(facts, operation, model);
    const streamed = facts.stream && answer.reply !== undefined && (operation === 'chat' || operation === 'completions');
    if (!streamed) return this.writer.later(recorded.answer.totalMs, exchange, () => this.sendAnswer(exchange, headers, answer, facts, note, false));
    const tokens = Math.max(1, answer.reply!.pieces.length);
    const paceMs = Math.max(0, recorded.answer.totalMs - recorded.answer.firstByteMs) / tokens;
    this.writer.later(recorded.answer.firstByteMs, exchange, () => this.sendAnswer(exchange, headers, answer, facts, note, false, paceMs));
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
