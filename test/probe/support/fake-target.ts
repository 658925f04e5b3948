/**
 * A Transport whose "server" is the simulator's own limit policies (generic
 * limiters, azure-standard, openai...) on the fake clock: every request is
 * admitted or refused by src/sim's pure classes at the virtual instant it is
 * sent, with the simulator's headers and refusal bodies, and answered after a
 * virtual latency. Hundreds of probes run in seconds with exact times, and the
 * probe is judged against limiters written by someone else (the simulator shares
 * no code with the analysis).
 */
import type { Clock } from '../../../src/run/pacing/clock.js';
import type { SendRequest, Transport } from '../../../src/run/types.js';
import type { RequestLine } from '../../../src/record/types.js';
import type { LimitPolicy } from '../../../src/sim/policies/policy.js';
import type { RequestFacts } from '../../../src/sim/charge.js';
import { azureCharge } from '../../../src/sim/charge.js';
import { GenericPolicy } from '../../../src/sim/policies/generic.js';
import { parseLimiterSpec } from '../../../src/sim/limiters/spec.js';
import { createPolicyFactory } from '../../../src/sim/profiles.js';
import { resolveSimulatorSettings, type SimulatorOptions } from '../../../src/sim/options.js';

/** Settings of the fake server. */
export interface FakeTargetOptions {
  clock: Clock;
  policy: LimitPolicy;
  /** Answer time of admitted requests, ms (a function for a distribution). Default 5. */
  latencyMs?: number | ((seq: number) => number);
  /** Answer time of refusals, ms. Default 1. */
  refusalLatencyMs?: number;
  /** Characters of the prompt (the estimate is ceil(chars / 4) + max_tokens). Default 48. */
  promptCharacters?: number;
  /** The model name the requests carry. Default gpt-4o. */
  model?: string;
}

/** A policy for a generic limiter spec, e.g. `token-bucket:capacity=10,rate=5/s`. */
export function genericPolicy(spec: string): LimitPolicy {
  return new GenericPolicy(parseLimiterSpec(spec));
}

/** A policy for a simulator profile (azure-standard by default) with its options. */
export function profilePolicy(options: SimulatorOptions = {}): LimitPolicy {
  return createPolicyFactory(resolveSimulatorSettings(options)).create();
}

/** Builds the fake target. */
export function createFakeTarget(options: FakeTargetOptions): Transport & { sent: number } {
  const { clock, policy } = options;
  const promptCharacters = options.promptCharacters ?? 48;
  const model = options.model ?? 'gpt-4o';
  const target = {
    sent: 0,
    async prepare(): Promise<void> {},
    async close(): Promise<void> {},
    async send(request: SendRequest): Promise<RequestLine> {
      target.sent++;
      const sentMs = clock.now();
      const maxTokens = request.payload?.maxTokens ?? undefined;
      const facts: RequestFacts = {
        operation: 'chat',
        model,
        promptCharacters,
        maxTokens: maxTokens ?? undefined,
        choices: 1,
        stream: false,
        includeUsage: false,
        inputCount: 1,
        dimensions: undefined,
        encodingFormat: 'float',
      };
      const admission = policy.admit({ nowMs: sentMs, operation: 'chat', deployment: 'fake', model, facts, apiVersion: '2024-10-21' });
      const base: RequestLine = {
        type: 'request',
        seq: request.seq,
        phase: request.phase,
        target: request.target,
        plannedMs: request.plannedMs,
        sentMs,
        firstByteMs: null,
        doneMs: sentMs,
        status: null,
        errorKind: null,
        headers: admission.headers,
        error: null,
        usage: null,
        estimatedTokens: azureCharge(facts, model),
        maxTokens: maxTokens ?? null,
        clientRequestId: `fake-${request.seq}`,
      };
      if (admission.admitted) {
        const latency = typeof options.latencyMs === 'function' ? options.latencyMs(request.seq) : (options.latencyMs ?? 5);
        await clock.sleepUntil(sentMs + latency);
        const doneMs = clock.now();
        const prompt = Math.ceil(promptCharacters / 4);
        admission.finish?.(doneMs, prompt + 1);
        return { ...base, status: 200, firstByteMs: doneMs, doneMs, usage: { promptTokens: prompt, completionTokens: 1, totalTokens: prompt + 1 } };
      }
      await clock.sleepUntil(sentMs + (options.refusalLatencyMs ?? 1));
      const doneMs = clock.now();
      let error: RequestLine['error'] = null;
      try {
        const parsed = JSON.parse(admission.body ?? '') as { error?: { code?: unknown; message?: unknown; type?: unknown } };
        error = {
          code: typeof parsed.error?.code === 'string' ? parsed.error.code : null,
          message: typeof parsed.error?.message === 'string' ? parsed.error.message : null,
          type: typeof parsed.error?.type === 'string' ? parsed.error.type : null,
        };
      } catch {
        error = { code: null, message: admission.body ?? null, type: null };
      }
      return { ...base, status: admission.status, firstByteMs: doneMs, doneMs, error, errorKind: admission.status === 429 || admission.status === 503 ? null : 'http' };
    },
  };
  return target;
}
