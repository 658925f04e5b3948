/**
 * Failed requests (neither admitted nor refused), counted by what went wrong, and the
 * likely cause of each kind in words a person can act on (`requests.failedBy` in
 * docs/summary.md, and the failure sentence of the verdict).
 *
 * Why by kind: "11 requests failed" says nothing; "11 × HTTP 401" says the key is
 * wrong, "5 × reset" says the server or a proxy closes connections, and each has its
 * own fix. A status answer is named by its status; an answer that never came (or
 * whose body broke) by its errorKind, because that is what tells the cases apart.
 */
import type { ErrorKind } from '../record/types.js';

/** What the key of one failed request is made from. */
export interface FailedRequest {
  status: number | null;
  errorKind: ErrorKind | null | undefined;
}

/**
 * The `requests.failedBy` key of a failed request: its errorKind when the transport or
 * the body failed (`reset`, `timeout`, `bad-body`…, even after a 2xx head), else its
 * HTTP status as digits (`"401"`, `"301"`, `"500"`), else `unknown`.
 */
export function failureKey(request: FailedRequest): string {
  const kind = request.errorKind;
  if (kind !== null && kind !== undefined && kind !== 'http') return kind;
  if (request.status !== null && Number.isFinite(request.status)) return String(request.status);
  return 'unknown';
}

/** How a key reads in a table or a sentence: `HTTP 401`, `reset`. */
export function failureLabel(key: string): string {
  return /^\d{3}$/.test(key) ? `HTTP ${key}` : key;
}

/** Failure keys with their counts, most frequent first (then by key), as tables and sentences list them. */
export function failureEntries(failedBy: Readonly<Record<string, number>>): { key: string; count: number }[] {
  return Object.entries(failedBy)
    .filter(([, count]) => count > 0)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Where a redirect pointed, for the 3xx cause. */
export interface RedirectEvidence {
  status: number;
  location: string | null;
}

/**
 * The likely cause of one kind of failure and the flag to change, or null when there is
 * nothing better to say than the label. The 401/403/404 wording matches what a run that
 * stops on them at the start says (docs in README, "When the target says no").
 */
export function failureCause(key: string, redirect: RedirectEvidence | null): string | null {
  switch (key) {
    case '401':
      return 'the key or token was refused: check --api-key (or AZURE_OPENAI_API_KEY), --bearer or --entra';
    case '403':
      return 'access was forbidden: check that the credential is allowed on this resource and its network rules (a firewall or private endpoint answers 403)';
    case '404':
      return 'the path was not found: check --url, or --endpoint, --deployment and --api-version';
    case '301':
    case '302':
    case '303':
    case '307':
    case '308':
      return redirect !== null && redirect.location !== null
        ? `${key} → Location ${redirect.location}; pass the final URL (--url) instead of the one that redirects`
        : `the target redirects; pass the final URL (--url) instead of the one that redirects`;
    case 'timeout':
      return 'no answer within --timeout';
    case 'reset':
      return 'the connection was closed before a whole answer arrived';
    case 'refused':
      return 'nothing accepted the connection: check the host and port';
    case 'dns':
      return 'the host name did not resolve';
    case 'tls':
      return 'the TLS handshake or certificate check failed';
    case 'bad-body':
      return 'the answer was not the JSON or event stream promised';
    default:
      return /^5\d\d$/.test(key) ? 'the server failed' : null;
  }
}
