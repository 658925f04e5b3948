/**
 * A policy is one deployment's limits plus the way its answers report them
 * (headers, refusal bodies). The HTTP layer asks it about every request; the
 * policy decides, charges and words the answer. Each deployment gets its own
 * policy instance, hence its own limiter state.
 */
import type { Operation, RequestFacts } from '../charge.js';
import type { ModelFacts } from '../models.js';

/** One request as a policy sees it. */
export interface AdmissionRequest {
  /** The simulator's clock, ms. */
  nowMs: number;
  /** undefined for paths that are not an API (generic limiters limit those too). */
  operation: Operation | undefined;
  deployment: string;
  model: string;
  /** The model's facts, when the handler knows them (declared or guessed); the model name is enough otherwise. */
  modelFacts?: ModelFacts;
  /** undefined when the path is not an API or the body was not read. */
  facts: RequestFacts | undefined;
  /** The dated api-version on classic Azure paths; undefined on v1 and OpenAI paths. */
  apiVersion: string | undefined;
}

/** A policy's answer about one request. */
export interface Admission {
  admitted: boolean;
  /** 200 when admitted; 429 or 503 when refused. */
  status: number;
  /** Rate-limit headers for the answer (lower-case names). */
  headers: Record<string, string>;
  /** The refusal body (JSON text) when refused. */
  body?: string;
  /** Units charged at admission (tokens or requests); 0 when refused without penalty. */
  charge: number;
  /** A few words for the per-request log, e.g. "refused by 1-s cap". */
  note: string;
  /** Why a refused request was refused, for the per-second stats. */
  refusalClass?: RefusalClass;
  /** Called once when the answer has ended (or the connection dropped) with the real token usage. */
  finish?: (nowMs: number, actualTokens: number) => void;
}

/** The classes of refusal the stats count: the request rate, the token rate, a request that can never fit, the service's capacity. */
export type RefusalClass = 'requests' | 'tokens' | 'never' | 'capacity';

/** One deployment's limits. */
export interface LimitPolicy {
  admit(request: AdmissionRequest): Admission;
  /** The rate-limit headers of the current state, charging nothing (for 400s and injected faults). */
  currentHeaders(request: AdmissionRequest): Record<string, string>;
}

/** How answers of a profile look: Azure, OpenAI, or a generic HTTP API. */
export type AnswerFamily = 'azure' | 'openai' | 'generic';

/** Makes fresh policies (one per deployment) and describes them. */
export interface PolicyFactory {
  /** The profile name reported by the running simulator. */
  profile: string;
  family: AnswerFamily;
  /** e.g. "azure-standard, 50,000 TPM (300 RPM: 50 per 10 s, 5 per 1 s)". */
  describe(): string;
  /** A fresh policy; with a declared deployment's own TPM and RPM, or the simulator's. */
  create(limits?: { tpm: number; rpm: number }): LimitPolicy;
}

/** Milliseconds as a whole number of seconds for headers, rounded up (a wait must never be too short). */
export function wholeSecondsUp(milliseconds: number): number {
  return Math.ceil(milliseconds / 1000);
}

/** A wait in whole milliseconds, rounded up and at least 1. */
export function wholeMillisecondsUp(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds - 1e-6));
}
