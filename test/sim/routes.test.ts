import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchRoute, queryParameter } from '../../src/sim/routes.js';

/** The plain reading of a query the fast scanner must agree with: split on `&`, first matching key wins. */
function referenceQueryParameter(query: string, name: string): string | undefined {
  if (query === '') return undefined;
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    const key = equals === -1 ? pair : pair.slice(0, equals);
    if (key !== name) continue;
    try {
      return decodeURIComponent(equals === -1 ? '' : pair.slice(equals + 1).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

describe('queryParameter', () => {
  it('reads the first value, decoded', () => {
    expect(queryParameter('api-version=2024-10-21', 'api-version')).toBe('2024-10-21');
    expect(queryParameter('x=1&api-version=a+b%2Dc&api-version=2', 'api-version')).toBe('a b-c');
    expect(queryParameter('api-version', 'api-version')).toBe('');
    expect(queryParameter('api-versions=1', 'api-version')).toBeUndefined();
    expect(queryParameter('api-version=%E0%A4%A', 'api-version')).toBeUndefined();
    expect(queryParameter('', 'api-version')).toBeUndefined();
  });

  it('agrees with splitting the query on & for any query', () => {
    const piece = fc.constantFrom('api-version', 'api-version=', '=', '&', '+', '%', '%2D', '%E0%A4%A', 'a', '1', 'x=y', 'api');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.constantFrom('api-version', 'a', 'x'), (pieces, name) => {
        const query = pieces.join('');
        expect(queryParameter(query, name)).toBe(referenceQueryParameter(query, name));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('matchRoute', () => {
  it('decodes the deployment only when escaped, and refuses a malformed escape', () => {
    expect(matchRoute('/openai/deployments/my%20model/chat/completions', '')?.deployment).toBe('my model');
    expect(matchRoute('/openai/deployments/plain/embeddings/', 'api-version=1')).toEqual({ operation: 'embeddings', shape: 'classic', deployment: 'plain', apiVersion: '1' });
    expect(matchRoute('/openai/deployments/%ZZ/chat/completions', '')).toBeUndefined();
  });
});
