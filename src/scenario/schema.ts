/**
 * The scenario file format (scenarios/README.md) as a zod schema, plus the checks that
 * span several fields. Strict everywhere: an unknown key is an error, because a typo
 * (`maxToken: 4000`) silently ignored would make a probe measure something else.
 *
 * Every check reports into one list so the user sees all problems at once (k6's
 * `Validate() []error`); src/scenario/parse.ts adds file positions and throws them.
 */
import { z } from 'zod';
import { boolean, choice, duration, positiveNumber, rate, show, text, textList, url, wholeNumber } from './fields.js';
import { MAX_BURST_SIZE } from './limits.js';

/** The phase kinds, in the order messages list them: HTTP first, then the realtime ones. */
export const PHASE_KINDS = ['burst', 'steady', 'ramp', 'pause', 'sessions', 'session-ramp', 'turns'] as const;

/** The realtime phase kinds: their shots are WebSocket sessions (docs/realtime.md). */
export const REALTIME_PHASE_KINDS = ['sessions', 'session-ramp', 'turns'] as const;

export { MAX_BURST_SIZE, MAX_PLANNED_REQUESTS } from './limits.js';

/** A strict mapping whose "not a mapping" message shows how to write it. */
function mapping<Shape extends z.ZodRawShape>(shape: Shape, example: string) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' ? `${show(issue.input)} is not a mapping; write it like ${example}` : undefined),
  });
}

const targetShape = {
  url: url('url: https://api.example.com/v1/chat/completions', { webSocket: true }),
  endpoint: url('endpoint: https://NAME.openai.azure.com'),
  deployment: text('deployment: gpt-4o'),
  apiVersion: text('apiVersion: "2024-10-21"'),
  api: choice(['classic', 'v1', 'voice-live', 'openai'] as const, 'api: v1'),
  simulator: text('simulator: azure-seed'),
};

/** One of several named targets: where to send and, never the key itself, the variable holding it. */
const namedTargetShape = {
  url: url('url: https://api.example.com/v1/chat/completions'),
  endpoint: url('endpoint: https://NAME.openai.azure.com'),
  deployment: text('deployment: gpt-4o'),
  apiVersion: text('apiVersion: "2024-10-21"'),
  api: choice(['classic', 'v1'] as const, 'api: v1'),
  keyEnv: text('keyEnv: EASTUS_KEY'),
};

const advertisedShape = {
  tpm: wholeNumber('tpm: 50000'),
  rpm: positiveNumber('rpm: 300'),
  rpmPer1kTpm: positiveNumber('rpmPer1kTpm: 6'),
};

const phasePayloadShape = {
  maxTokens: wholeNumber('maxTokens: 100'),
  promptTokens: wholeNumber('promptTokens: 20'),
  stream: boolean('stream: true'),
};

const payloadShape = {
  kind: choice(['chat', 'embeddings', 'responses'] as const, 'kind: chat'),
  model: text('model: gpt-4o'),
  ...phasePayloadShape,
};

const burstShape = {
  size: wholeNumber('size: 20', { required: true, max: MAX_BURST_SIZE }),
  bursts: wholeNumber('bursts: 3', { max: MAX_BURST_SIZE }),
  gap: duration('gap: 10s'),
};

const steadyShape = {
  rate: rate('rate: 5/s', { required: true, positive: true }),
  duration: duration('duration: 10s', { required: true, positive: true }),
};

const rampShape = {
  from: rate('from: 1/s', { required: true }),
  to: rate('to: 20/s', { required: true }),
  duration: duration('duration: 20s', { required: true, positive: true }),
};

const sessionsShape = {
  count: wholeNumber('count: 10', { required: true, max: MAX_BURST_SIZE }),
  rate: rate('rate: 5/s', { positive: true }),
  hold: duration('hold: 2s'),
  turns: wholeNumber('turns: 3', { min: 0, max: MAX_BURST_SIZE }),
};

const sessionRampShape = {
  step: wholeNumber('step: 2', { required: true, max: MAX_BURST_SIZE }),
  every: duration('every: 1s', { required: true, positive: true }),
  max: wholeNumber('max: 40', { required: true, max: MAX_BURST_SIZE }),
  holdAfter: duration('holdAfter: 500ms'),
};

const turnsShape = {
  sessions: wholeNumber('sessions: 1', { max: MAX_BURST_SIZE }),
  turns: wholeNumber('turns: 40', { required: true, max: MAX_BURST_SIZE }),
  gap: duration('gap: 250ms'),
  maxOutputTokens: wholeNumber('maxOutputTokens: 16'),
};

/** `sessions: 10` is short for `sessions: { count: 10 }`. */
const sessionsSchema = z.preprocess(
  (value) => (typeof value === 'number' ? { count: value } : value),
  mapping(sessionsShape, '{ count: 10, rate: 5/s, hold: 2s } (or just sessions: 10)'),
);

/** `burst: 20` is short for `burst: { size: 20 }`. */
const burstSchema = z.preprocess(
  (value) => (typeof value === 'number' ? { size: value } : value),
  mapping(burstShape, '{ size: 20, bursts: 3, gap: 10s } (or just burst: 20)'),
);

const phaseShape = {
  name: text('name: warm-up', 64),
  payload: mapping(phasePayloadShape, '{ maxTokens: 4000 }').optional(),
  burst: burstSchema.optional(),
  steady: mapping(steadyShape, '{ rate: 5/s, duration: 10s }').optional(),
  ramp: mapping(rampShape, '{ from: 1/s, to: 20/s, duration: 20s }').optional(),
  pause: duration('pause: 5s', { positive: true }),
  sessions: sessionsSchema.optional(),
  'session-ramp': mapping(sessionRampShape, '{ step: 2, every: 1s, max: 40 }').optional(),
  turns: mapping(turnsShape, '{ sessions: 1, turns: 40, gap: 250ms }').optional(),
  spread: choice(['each', 'round-robin', 'weighted'] as const, 'spread: each'),
  weights: z.record(z.string(), z.number().positive({ error: 'a weight is a number above 0, e.g. weights: { eastus: 3, westus: 1 }' })).optional(),
};

const PHASE_EXAMPLE = '- steady: { rate: 5/s, duration: 10s }';

const phaseSchema = mapping(phaseShape, PHASE_EXAMPLE).superRefine(
  (phase, context) => {
    if (phase === null || typeof phase !== 'object') return;
    const kinds = PHASE_KINDS.filter((kind) => (phase as Record<string, unknown>)[kind] !== undefined);
    if (kinds.length === 0) {
      context.addIssue({ code: 'custom', message: `has no kind; give it one of ${PHASE_KINDS.join(', ')}, e.g. ${PHASE_EXAMPLE}` });
    } else if (kinds.length > 1) {
      context.addIssue({ code: 'custom', message: `has ${kinds.join(' and ')}; a phase has one kind: split it into ${kinds.length} phases` });
    }
  },
  // Run even when fields inside have problems, so this is reported with them.
  { when: () => true },
);

const rootShape = {
  name: text('name: seed-burst', 64),
  description: text('description: "A burst of 20 at once"', 2000),
  target: mapping(targetShape, '{ endpoint: https://NAME.openai.azure.com, deployment: gpt-4o }').optional(),
  targets: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'a target name is letters, digits, . _ -' }), mapping(namedTargetShape, '{ url: https://east.example.com/v1/chat/completions, keyEnv: EAST_KEY }')).optional(),
  advertised: mapping(advertisedShape, '{ tpm: 50000 }').optional(),
  payload: mapping(payloadShape, '{ maxTokens: 10, promptTokens: 20 }').optional(),
  maxInFlight: wholeNumber('maxInFlight: 100'),
  expect: textList('effective.requests.perSecond >= 4.5'),
  phases: z
    .array(phaseSchema, {
      error: (issue) =>
        issue.input === undefined
          ? `is required; a scenario needs at least one phase, e.g.\n  phases:\n    ${PHASE_EXAMPLE}`
          : `${show(issue.input)} is not a list of phases; write it like\n  phases:\n    ${PHASE_EXAMPLE}`,
    })
    .min(1, { error: `is empty; a scenario needs at least one phase, e.g. ${PHASE_EXAMPLE}` }),
};

/** The whole file. */
export const scenarioSchema = z.strictObject(rootShape, {
  error: (issue) =>
    issue.code === 'invalid_type'
      ? `the file holds ${show(issue.input)}; a scenario is a mapping with at least "phases:", e.g.\n  phases:\n    ${PHASE_EXAMPLE}`
      : undefined,
});

/** What the schema produces for a valid file. */
export type ScenarioFile = z.output<typeof scenarioSchema>;

/**
 * The keys each mapping allows, by path with list indexes as `*` (`phases.*.burst`), for
 * the "unknown key" message and its "did you mean".
 */
export const ALLOWED_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(rootShape),
  target: Object.keys(targetShape),
  'targets.*': Object.keys(namedTargetShape),
  advertised: Object.keys(advertisedShape),
  payload: Object.keys(payloadShape),
  'phases.*': Object.keys(phaseShape),
  'phases.*.payload': Object.keys(phasePayloadShape),
  'phases.*.burst': Object.keys(burstShape),
  'phases.*.steady': Object.keys(steadyShape),
  'phases.*.ramp': Object.keys(rampShape),
  'phases.*.sessions': Object.keys(sessionsShape),
  'phases.*.session-ramp': Object.keys(sessionRampShape),
  'phases.*.turns': Object.keys(turnsShape),
};

/** A problem at a path of the file. */
export interface PathProblem {
  path: (string | number)[];
  message: string;
}

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Checks that span fields, on the raw parsed file so they are reported together with the
 * schema's problems: target fields that exclude each other, a repeated burst without a
 * gap, and phase names (given or default) that must be unique.
 */
export function crossFieldProblems(raw: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  if (!isMapping(raw)) return problems;

  const target = raw.target;
  if (isMapping(target)) {
    const given = (key: string): boolean => target[key] !== undefined;
    if (given('simulator')) {
      for (const key of ['url', 'endpoint', 'deployment', 'apiVersion', 'api'].filter(given)) {
        problems.push({ path: ['target', key], message: 'cannot go with simulator; the embedded simulator needs no address (remove one of them)' });
      }
    } else if (given('url')) {
      for (const key of ['endpoint', 'deployment', 'apiVersion', 'api'].filter(given)) {
        problems.push({ path: ['target', key], message: 'cannot go with url; give either url, or endpoint with deployment' });
      }
    }
    if (given('apiVersion') && (target.api === 'v1' || target.api === 'openai')) {
      problems.push({ path: ['target', 'apiVersion'], message: `the ${String(target.api)} API takes no api-version; remove it, or use api: classic` });
    }
  }

  // Realtime phases open WebSocket sessions, the others send HTTP requests: one scenario does one or the other.
  if (Array.isArray(raw.phases)) {
    const realtime = raw.phases.filter((phase) => isMapping(phase) && REALTIME_PHASE_KINDS.some((kind) => phase[kind] !== undefined)).length;
    const http = raw.phases.filter((phase) => isMapping(phase) && PHASE_KINDS.some((kind) => phase[kind] !== undefined && !(REALTIME_PHASE_KINDS as readonly string[]).includes(kind))).length;
    if (realtime > 0 && http > 0) {
      problems.push({ path: ['phases'], message: `mixes realtime phases (${REALTIME_PHASE_KINDS.join(', ')}) with HTTP ones (burst, steady, ramp, pause); put each in its own scenario file` });
    }
    if (realtime > 0 && raw.targets !== undefined) problems.push({ path: ['targets'], message: 'realtime phases run against one target; use target: instead of targets:' });
    const webSocketUrl = isMapping(target) && typeof target.url === 'string' && /^wss?:/i.test(target.url);
    if (realtime === 0 && webSocketUrl) problems.push({ path: ['target', 'url'], message: 'is a ws:// or wss:// URL, which only realtime phases (sessions, session-ramp, turns) use; give an http(s) URL' });
    if (realtime > 0 && isMapping(target) && typeof target.url === 'string' && !webSocketUrl) problems.push({ path: ['target', 'url'], message: 'realtime phases open WebSocket sessions; give a ws:// or wss:// URL, or endpoint with deployment' });
    if (realtime === 0 && isMapping(target) && (target.api === 'voice-live' || target.api === 'openai')) problems.push({ path: ['target', 'api'], message: `${String(target.api)} is a realtime URL shape; HTTP phases use api: classic or v1` });
  }

  if (Array.isArray(raw.phases)) {
    const names = new Map<string, number>();
    raw.phases.forEach((phase, index) => {
      if (!isMapping(phase)) return;
      const burst = phase.burst;
      if (isMapping(burst) && typeof burst.bursts === 'number' && burst.bursts > 1 && burst.gap === undefined) {
        problems.push({ path: ['phases', index, 'burst', 'gap'], message: `is required when bursts is more than 1; e.g. gap: 10s` });
      }
      const kind = PHASE_KINDS.find((candidate) => phase[candidate] !== undefined);
      const name = typeof phase.name === 'string' ? phase.name.trim() : kind ? defaultPhaseName(kind, index) : null;
      if (name === null || name === '') return;
      const first = names.get(name);
      if (first === undefined) {
        names.set(name, index);
      } else {
        problems.push({
          path: typeof phase.name === 'string' ? ['phases', index, 'name'] : ['phases', index],
          message: `is named "${name}" like phases[${first}]; phase names must be unique (the recording groups requests by them)`,
        });
      }
    });
  }
  return problems;
}

/** The name of a phase that has none: its kind and its place, e.g. `burst-1`, `pause-2`. */
export function defaultPhaseName(kind: string, index: number): string {
  return `${kind}-${index + 1}`;
}

