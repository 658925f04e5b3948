/**
 * Which API a request path names. Three shapes are served:
 * - classic Azure: `/openai/deployments/{deployment}/chat/completions|completions|embeddings?api-version=V`
 *   and `/openai/responses?api-version=V` (deployment in `model`);
 * - Azure v1: `/openai/v1/chat/completions|completions|embeddings|responses` (deployment in `model`);
 * - OpenAI: `/v1/chat/completions|completions|embeddings|responses` (model in `model`).
 * `completions` is the legacy text-completions API, served by completions
 * models (gpt-35-turbo-instruct, davinci-002, babbage-002).
 */
import type { Operation } from './charge.js';

/** A request path the simulator understands. */
export interface Route {
  operation: Operation;
  /** classic: Azure dated api-version; v1: Azure v1 API; openai: api.openai.com paths. */
  shape: 'classic' | 'v1' | 'openai';
  /** The deployment named in the path (classic chat, completions and embeddings only). */
  deployment: string | undefined;
  /** The `api-version` query parameter, when given. */
  apiVersion: string | undefined;
}

const OPERATION_BY_SUFFIX: Record<string, Operation> = {
  'chat/completions': 'chat',
  completions: 'completions',
  embeddings: 'embeddings',
  responses: 'responses',
};

/** Splits a request target into its path and its query string (without `?`). */
export function splitTarget(target: string): { path: string; query: string } {
  const mark = target.indexOf('?');
  return mark === -1 ? { path: target, query: '' } : { path: target.slice(0, mark), query: target.slice(mark + 1) };
}

/**
 * Reads one query parameter (decoded), or undefined. The first `name=value` pair
 * wins; `name` alone reads as ''. Scans the query in place rather than splitting
 * it, since every request asks for its api-version.
 */
export function queryParameter(query: string, name: string): string | undefined {
  let start = 0;
  while (start < query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const afterName = start + name.length;
    if (query.startsWith(name, start) && (afterName === end || query.charCodeAt(afterName) === EQUALS_SIGN)) {
      return decodeQueryValue(afterName === end ? '' : query.slice(afterName + 1, end));
    }
    start = end + 1;
  }
  return undefined;
}

const EQUALS_SIGN = 0x3d;

/** A query value with `+` as space and %-escapes decoded; undefined when an escape is malformed. */
function decodeQueryValue(value: string): string | undefined {
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Matches a path (no query) to a route, or undefined when it names no API the simulator serves. */
export function matchRoute(path: string, query: string): Route | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const apiVersion = queryParameter(query, 'api-version');
  if (trimmed.startsWith('/openai/deployments/')) {
    const rest = trimmed.slice('/openai/deployments/'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const operation = OPERATION_BY_SUFFIX[rest.slice(slash + 1)];
    if (operation === undefined || operation === 'responses') return undefined;
    const deployment = decodePathSegment(rest.slice(0, slash));
    if (deployment === undefined) return undefined;
    return { operation, shape: 'classic', deployment, apiVersion };
  }
  if (trimmed === '/openai/responses') return { operation: 'responses', shape: 'classic', deployment: undefined, apiVersion };
  if (trimmed.startsWith('/openai/v1/')) {
    const operation = OPERATION_BY_SUFFIX[trimmed.slice('/openai/v1/'.length)];
    return operation === undefined ? undefined : { operation, shape: 'v1', deployment: undefined, apiVersion };
  }
  if (trimmed.startsWith('/v1/')) {
    const operation = OPERATION_BY_SUFFIX[trimmed.slice('/v1/'.length)];
    return operation === undefined ? undefined : { operation, shape: 'openai', deployment: undefined, apiVersion };
  }
  return undefined;
}

/** A path segment with %-escapes decoded; undefined when an escape is malformed. */
function decodePathSegment(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
