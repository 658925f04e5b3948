/**
 * Redaction: keys, tokens and secret query parameters never reach a recording,
 * a report or a message.
 *
 * Why here and not in each printer: every byte a printer shows comes from a
 * recording line or a target description. Cleaning data where it enters the
 * record means a new report format cannot forget to redact. The transport adds a
 * second guard by never recording request headers at all.
 */

/** What every secret is replaced with. */
export const REDACTED = 'REDACTED';

/**
 * Query parameters whose values are secrets: Azure keys (`api-key`,
 * `subscription-key`), SAS signatures (`sig`), OAuth leftovers (`code`,
 * `access_token`), and the usual generic names.
 */
const SECRET_QUERY_PARAMETERS = [
  'api-key',
  'api_key',
  'apikey',
  'key',
  'x-api-key',
  'subscription-key',
  'subscription_key',
  'ocp-apim-subscription-key',
  'sig',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'secret',
  'client_secret',
  'password',
];

const QUERY_NAMES = SECRET_QUERY_PARAMETERS.map(escapeRegExp).join('|');

/** `?api-key=abc` / `&sig=abc` anywhere in a text, value up to the next separator. */
const SECRET_QUERY_IN_TEXT = new RegExp(`([?&](?:${QUERY_NAMES})=)[^&#\\s"'<>]+`, 'gi');

/** `Bearer eyJ...` as in an Authorization header echoed in a message. */
const BEARER_IN_TEXT = /\b(Bearer\s+)(?!REDACTED\b)[A-Za-z0-9\-._~+/]+=*/gi;

/** `api-key: abc`, `api-key=abc`, `"api-key":"abc"`: header-like key assignments in a text. */
const KEY_ASSIGNMENT_IN_TEXT =
  /\b((?:ocp-apim-subscription-key|subscription-key|x-api-key|api-key|api_key|apikey)["']?\s*[:=]\s*["']?)(?!REDACTED\b)[^\s"',;&<>]+/gi;

/** `https://user:password@host`: user information in a URL inside a text. */
const USERINFO_IN_TEXT = /\b(https?:\/\/)[^/\s:@"'<>]+(?::[^/\s@"'<>]*)?@/gi;

/** One cheap test that tells whether any pattern above could match, so clean text skips the replacements. */
const ANY_PATTERN = new RegExp(
  `bearer\\s|api-key|api_key|apikey|subscription-key|[?&](?:${QUERY_NAMES})=|https?://[^/\\s"'<>]*@`,
  'i',
);

/**
 * Removes user information and secret query values from a URL, keeping everything
 * else byte for byte (no re-encoding), e.g.
 * `https://u:p@x.openai.azure.com/openai?api-version=1&api-key=k` →
 * `https://x.openai.azure.com/openai?api-version=1&api-key=REDACTED`.
 * Text that is not a URL is cleaned with the same patterns as {@link redactText}.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO_IN_TEXT, '$1').replace(SECRET_QUERY_IN_TEXT, `$1${REDACTED}`);
}

/**
 * Replaces the given secrets (keys, bearer tokens) with `REDACTED` where each stands
 * as a whole token of plausible length (see {@link createRedactor}), then any `Bearer xxx`, `api-key: xxx`, secret query parameter or URL
 * user information that was not known in advance.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets).text(text);
}

/** A redactor compiled once for a run's secrets; cheap to call on every line. */
export interface Redactor {
  /** Same as {@link redactText} with the redactor's secrets. */
  text(text: string): string;
  /**
   * True when `text` might hold something to redact. A false answer is certain,
   * so callers can skip the slower path for the vast majority of lines.
   */
  mightContainSecret(text: string): boolean;
  /** A deep copy of a plain JSON value with every string value redacted (object keys kept). */
  value<T>(value: T): T;
  /**
   * True when `text` contains one of the known secrets (as is or JSON-escaped); the
   * patterns are not tried. For text the program made itself, where only a known secret
   * could have slipped in.
   */
  containsKnownSecret(text: string): boolean;
}

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /**
   * Also replace what follows `Bearer ` and `api-key:`-like assignments (default true).
   * Right for data from a server (headers, bodies), where an unknown credential may be
   * echoed; wrong for the program's own prose ("--bearer was given", "apiKey: keys
   * never go in a scenario file"), which the CLI's output guard sees: there only the
   * known secrets and secrets inside URLs are replaced.
   */
  headerPatterns?: boolean;
}

/**
 * The shortest known secret that is searched for in free text. Real credentials are far
 * longer (an Azure key is 32 or 84 characters, an OpenAI key or a bearer token longer
 * still); a shorter "key" such as `k`, `0` or `test` (what people type at a simulator)
 * is a fragment of ordinary words, numbers and field names, and replacing it would
 * rewrite the output and the recording for good.
 */
export const SHORTEST_SEARCHED_SECRET = 8;

/**
 * From this length on a known secret is replaced wherever it appears, even glued to other
 * characters (`p-<key>`, `<key>xyz`): no word, number or field name is that long by chance,
 * so such an occurrence is the key itself.
 */
export const SECRET_REPLACED_ANYWHERE = 20;

/** Characters that continue a word or a key: a secret next to one of them is part of a longer token. */
const TOKEN_CHARACTER = 'A-Za-z0-9_\\-';

/**
 * Compiles the secrets once. A known secret is replaced only if it is at least
 * {@link SHORTEST_SEARCHED_SECRET} characters long, and, below
 * {@link SECRET_REPLACED_ANYWHERE} characters, only where it stands as a whole token (not
 * preceded or followed by a letter, digit, `_` or `-`).
 *
 * Why not every occurrence: keys are kept out of the data by construction (request
 * headers are never recorded; URLs and error texts are cleaned by the patterns where they
 * enter), so the known-secret pass is a second guard. Done on every substring, it turned
 * `--api-key k` into `"toREDACTEDens"` in the summary and `--api-key 0` into invalid JSON
 * and a damaged recording. Secrets are tried longest first, so one that contains another
 * is removed whole. Empty strings are ignored.
 */
export function createRedactor(secrets: readonly string[], options: RedactorOptions = {}): Redactor {
  const headerPatterns = options.headerPatterns ?? true;
  const known = [...new Set(secrets.filter((secret) => typeof secret === 'string' && secret.length >= SHORTEST_SEARCHED_SECRET))].sort(
    (a, b) => b.length - a.length,
  );
  // A secret with a quote or backslash appears escaped inside JSON text; look for both forms.
  const searchForms = known.flatMap((secret) => {
    const escaped = JSON.stringify(secret).slice(1, -1);
    return escaped === secret ? [secret] : [secret, escaped];
  });
  const pattern = (form: string): string =>
    form.length >= SECRET_REPLACED_ANYWHERE ? escapeRegExp(form) : `(?<![${TOKEN_CHARACTER}])${escapeRegExp(form)}(?![${TOKEN_CHARACTER}])`;
  const wholeToken = searchForms.length === 0 ? null : new RegExp(searchForms.map(pattern).join('|'), 'g');

  const text = (input: string): string => {
    let output = input;
    if (wholeToken !== null && searchForms.some((form) => output.includes(form))) output = output.replace(wholeToken, REDACTED);
    if (!ANY_PATTERN.test(output)) return output;
    const urlsCleaned = output.replace(USERINFO_IN_TEXT, '$1').replace(SECRET_QUERY_IN_TEXT, `$1${REDACTED}`);
    if (!headerPatterns) return urlsCleaned;
    return urlsCleaned.replace(BEARER_IN_TEXT, `$1${REDACTED}`).replace(KEY_ASSIGNMENT_IN_TEXT, `$1${REDACTED}`);
  };

  const containsKnownSecret = (input: string): boolean => {
    if (wholeToken === null || !searchForms.some((form) => input.includes(form))) return false;
    wholeToken.lastIndex = 0;
    return wholeToken.test(input);
  };

  const mightContainSecret = (input: string): boolean => containsKnownSecret(input) || ANY_PATTERN.test(input);

  const value = <T>(input: T): T => redactValue(input, text) as T;

  return { text, mightContainSecret, value, containsKnownSecret };
}

function redactValue(input: unknown, text: (value: string) => string): unknown {
  if (typeof input === 'string') return text(input);
  if (Array.isArray(input)) return input.map((item) => redactValue(item, text));
  if (input !== null && typeof input === 'object') {
    const output: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input)) output[key] = redactValue(item, text);
    return output;
  }
  return input;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The secret values a URL carries: the password of its user information and the
 * values of secret query parameters (`api-key=`, `key=`, `sig=`...), decoded and as
 * written. Why: a server may echo a key without its `api-key=` prefix (an error
 * body quoting "the key abc…"), which the patterns cannot see; the writer and the
 * CLI's output guard then replace the value itself wherever it appears.
 * Text that is not a URL gives what the patterns can find in it.
 */
export function secretsOfUrl(text: string): string[] {
  const secrets = new Set<string>();
  const add = (value: string | null | undefined): void => {
    if (value === null || value === undefined || value === '' || value === REDACTED) return;
    secrets.add(value);
    try {
      const decoded = decodeURIComponent(value);
      if (decoded !== '') secrets.add(decoded);
    } catch {
      // A malformed escape: the value as written is all there is.
    }
  };
  const names = new Set(SECRET_QUERY_PARAMETERS);
  for (const match of text.matchAll(new RegExp(`[?&](${QUERY_NAMES})=([^&#\\s"'<>]+)`, 'gi'))) add(match[2]);
  for (const match of text.matchAll(/\bhttps?:\/\/[^/\s:@"'<>]+:([^/\s@"'<>]+)@/gi)) add(match[1]);
  try {
    const url = new URL(text);
    add(url.password);
    for (const [name, value] of url.searchParams) if (names.has(name.toLowerCase())) add(value);
  } catch {
    // Not a URL: the patterns above were all there is to read.
  }
  return [...secrets];
}
