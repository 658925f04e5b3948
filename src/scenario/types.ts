/**
 * A scenario as the rest of the program sees it after validation: plain, typed values,
 * durations in ms and rates in requests per second. The file format people write is
 * described in scenarios/README.md; src/scenario/schema.ts turns one into the other.
 *
 * Never a key or token: targets name where to send, the secrets come from flags or the
 * environment. The whole object is safe to write into a recording (RunLine.scenario).
 */
import type { Phase, RealtimePhase } from '../schedule/types.js';

/** Where the scenario sends, when the file says so (flags and environment fill or override it). */
export interface ScenarioTarget {
  /** The full request URL of any OpenAI-compatible or other HTTP API. */
  url?: string;
  /** Azure OpenAI endpoint, e.g. https://NAME.openai.azure.com. */
  endpoint?: string;
  deployment?: string;
  /** api-version of the classic Azure path. */
  apiVersion?: string;
  /** Azure URL shape: classic deployments path or the v1 API; for realtime phases also voice-live or openai. */
  api?: 'classic' | 'v1' | 'voice-live' | 'openai';
  /** The embedded simulator with this profile (azure-standard, azure-seed, azure-ptu, openai...). */
  simulator?: string;
}

/** The limits the scenario's author was promised, to compare with what is measured. */
export interface ScenarioAdvertised {
  tpm: number | null;
  rpm: number | null;
  /** RPM granted per 1,000 TPM (6 for gpt-4o-era models, 1 for gpt-4.1, o3, o4-mini). */
  rpmPer1kTpm: number | null;
}

/** Payload defaults for every request of the scenario; phases may override maxTokens, promptTokens and stream. */
export interface ScenarioPayload {
  kind?: 'chat' | 'embeddings' | 'responses';
  model?: string;
  maxTokens?: number;
  promptTokens?: number;
  stream?: boolean;
}

/** One of a scenario's named targets: where to send, and the name of the variable holding its key. */
export interface ScenarioNamedTarget {
  id: string;
  url?: string;
  endpoint?: string;
  deployment?: string;
  apiVersion?: string;
  api?: 'classic' | 'v1';
  /** Environment variable holding this target's key (read by the CLI, never recorded). */
  keyEnv?: string;
}

/** A validated scenario file. */
export interface Scenario {
  name: string;
  description: string | null;
  /** The file it came from, as given. */
  file: string;
  target: ScenarioTarget | null;
  /** Several named targets (`targets:`), in file order; absent for one target. */
  targets?: ScenarioNamedTarget[];
  advertised: ScenarioAdvertised;
  payload: ScenarioPayload;
  /** In-flight ceiling; null leaves the command's default. */
  maxInFlight: number | null;
  /** CI expectations as written (src/expect parses them), e.g. `effective.requests.perSecond >= 4.5`. */
  expect: string[];
  /** The HTTP phases in order, each with a unique name; empty when the scenario is a realtime one. */
  phases: Phase[];
  /** The realtime phases (sessions, session-ramp, turns) in order; empty for an HTTP scenario (a file holds one kind or the other). */
  realtimePhases: RealtimePhase[];
}
