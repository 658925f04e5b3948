/**
 * "Stop now, because…": when the first answers of a run all say the request can never
 * succeed as configured (401 wrong key or token, 403 no access, 404 wrong deployment,
 * path or api-version), the run stops after a few instead of sending the whole plan,
 * and one sentence names the likely cause and the flag to change (see docs in
 * README, "When the target says no"). The command then exits 2: the configuration
 * is bad input, like a mistyped flag.
 *
 * {@link decideAuthStop} is a pure function of the outcomes so far; the watcher
 * only keeps them. Why only at the start: once any request was admitted (2xx) or
 * refused for rate (429), the credential and path work, and a later 403 or 404 is
 * something to measure (a gateway's token quota answers 403), not a mistake.
 */
import type { RequestLine } from '../record/types.js';

/** Answers of these statuses in a row, from the first, stop the run. */
export const AUTH_STOP_AFTER = 3;

/** What the sentence may name about the target. */
export interface AuthStopContext {
  /** How the requests authenticated. */
  credential: 'api-key' | 'bearer' | 'entra' | 'none';
  /** The deployment, when the target names one. */
  deployment: string | null;
  /** True for the Azure path built from --endpoint/--deployment (api-version in the query). */
  azure: boolean;
}

/** The outcome of one request, as far as the decision needs it. */
export interface AuthOutcome {
  status: number | null;
  code: string | null;
  message: string | null;
}

/** Why the run stops. */
export interface AuthStop {
  status: 401 | 403 | 404;
  sentence: string;
}

const STOPPING_STATUSES: ReadonlySet<number> = new Set([401, 403, 404]);

/**
 * The decision: stop when the first {@link AUTH_STOP_AFTER} answers (requests that
 * got an HTTP status) were all 401, 403 or 404 and nothing before them worked.
 * Transport failures (no status) neither count nor reset. Null: go on.
 */
export function decideAuthStop(outcomes: readonly AuthOutcome[], context: AuthStopContext): AuthStop | null {
  const answers = outcomes.filter((outcome) => outcome.status !== null);
  if (answers.length < AUTH_STOP_AFTER) return null;
  const first = answers.slice(0, AUTH_STOP_AFTER);
  if (!first.every((outcome) => STOPPING_STATUSES.has(outcome.status!))) return null;
  // The latest of them speaks for the run (they usually agree).
  const last = first[first.length - 1]!;
  const status = last.status as 401 | 403 | 404;
  return { status, sentence: sentenceFor(status, last, context) };
}

/** Keeps the first answers of a run and asks {@link decideAuthStop} after each. */
export class AuthStopWatch {
  private readonly outcomes: AuthOutcome[] = [];
  private decided: AuthStop | null = null;
  private settled = false;

  constructor(private readonly context: AuthStopContext) {}

  /** Feeds one request line; returns the decision once it is made (and from then on). */
  observe(line: RequestLine): AuthStop | null {
    if (this.settled) return this.decided;
    const outcome: AuthOutcome = { status: line.status, code: line.error?.code ?? null, message: line.error?.message ?? null };
    this.outcomes.push(outcome);
    if (outcome.status !== null && !STOPPING_STATUSES.has(outcome.status)) {
      // Something answered otherwise: the configuration works; never stop for this reason.
      this.settled = true;
      return null;
    }
    this.decided = decideAuthStop(this.outcomes, this.context);
    if (this.decided !== null) this.settled = true;
    return this.decided;
  }

  /** The decision, or null when the run should go on. */
  get stop(): AuthStop | null {
    return this.decided;
  }
}

function sentenceFor(status: 401 | 403 | 404, outcome: AuthOutcome, context: AuthStopContext): string {
  const said = outcome.code !== null ? ` (${outcome.code})` : '';
  const first = `the first ${AUTH_STOP_AFTER} answers were ${status}${said}, so the run stopped: `;
  if (status === 401) {
    const fix =
      context.credential === 'api-key'
        ? 'the key was refused; check --api-key (or AZURE_OPENAI_API_KEY): an Azure key belongs to one resource, so use that resource\'s key 1 or key 2'
        : context.credential === 'bearer'
          ? 'the token was refused; it may have expired or be for another scope: fetch a new one for https://cognitiveservices.azure.com/.default, or use --entra to have it fetched and refreshed'
          : context.credential === 'entra'
            ? 'the Entra ID token was refused; check that the identity signed in (az account show) is in the tenant of the resource'
            : 'the target wants a credential; add --api-key KEY (or set AZURE_OPENAI_API_KEY), --bearer TOKEN, or --entra';
    return first + fix;
  }
  if (status === 403) {
    if (/key.*disabled|AuthenticationTypeDisabled/i.test(`${outcome.code ?? ''} ${outcome.message ?? ''}`)) {
      return first + 'key authentication is disabled on this resource; use --entra (keyless Entra ID) instead of --api-key';
    }
    const fix =
      context.credential === 'entra' || context.credential === 'bearer'
        ? 'the identity has no access; give it the "Cognitive Services OpenAI User" role on the resource, or check the resource\'s network rules (a firewall or private endpoint also answers 403)'
        : 'access was forbidden; check the resource\'s network rules (a firewall or private endpoint answers 403) and that the credential is allowed on it';
    return first + fix;
  }
  const text = `${outcome.code ?? ''} ${outcome.message ?? ''}`;
  if (/DeploymentNotFound/i.test(text)) {
    return first + `there is no deployment named "${context.deployment ?? '?'}" on this resource; check --deployment (or AZURE_OPENAI_DEPLOYMENT), or wait a few minutes if it was just created`;
  }
  if (/api.?version/i.test(text)) {
    return first + 'the api-version is not supported here; check --api-version (or OPENAI_API_VERSION), e.g. --api-version 2024-10-21';
  }
  return context.azure
    ? first + `the path was not found; check --endpoint (the resource URL only), --deployment "${context.deployment ?? '?'}" and --api-version (or try --api v1)`
    : first + 'the path was not found; check --url (the full request URL, path included)';
}
