import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { describeTarget, resolveTarget, simulatorTarget, targetSecrets, type TargetOptions } from '../../src/run/target.js';

function problemsOf(options: TargetOptions, env: Record<string, string> = {}): string[] {
  try {
    resolveTarget(options, env);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected an InputError');
}

describe('resolveTarget: Azure endpoint', () => {
  it('builds the classic chat path with the default api-version', () => {
    const spec = resolveTarget({ endpoint: 'https://res.openai.azure.com/', deployment: 'gpt-4o', apiKey: 'k1' }, {});
    expect(spec).toEqual({
      id: 'default',
      kind: 'azure',
      url: 'https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
      deployment: 'gpt-4o',
      auth: { apiKey: 'k1' },
    });
  });

  it('builds embeddings and responses paths, and honours --api-version', () => {
    expect(resolveTarget({ endpoint: 'https://res.openai.azure.com', deployment: 'emb', kind: 'embeddings', apiVersion: '2024-06-01' }, {})?.url).toBe(
      'https://res.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-06-01',
    );
    expect(resolveTarget({ endpoint: 'https://res.openai.azure.com', deployment: 'gpt-4o', kind: 'responses' }, {})?.url).toBe(
      'https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview',
    );
  });

  it('builds v1 paths (the deployment goes in the body as model)', () => {
    const spec = resolveTarget({ endpoint: 'https://res.openai.azure.com', deployment: 'gpt-4o', api: 'v1' }, {});
    expect(spec?.url).toBe('https://res.openai.azure.com/openai/v1/chat/completions');
    expect(spec?.deployment).toBe('gpt-4o');
    expect(resolveTarget({ endpoint: 'https://res.openai.azure.com', deployment: 'e', api: 'v1', kind: 'embeddings' }, {})?.url).toBe(
      'https://res.openai.azure.com/openai/v1/embeddings',
    );
  });

  it('keeps a gateway base path and encodes the deployment name', () => {
    const spec = resolveTarget({ endpoint: 'https://gw.azure-api.net/team-a/', deployment: 'my deployment' }, {});
    expect(spec?.url).toBe('https://gw.azure-api.net/team-a/openai/deployments/my%20deployment/chat/completions?api-version=2024-10-21');
  });

  it('reads the same environment variables as the AzureOpenAI client', () => {
    const env = {
      AZURE_OPENAI_ENDPOINT: 'https://env.openai.azure.com',
      AZURE_OPENAI_DEPLOYMENT: 'dep',
      OPENAI_API_VERSION: '2024-08-01-preview',
      AZURE_OPENAI_API_KEY: 'env-key',
      AZURE_OPENAI_AD_TOKEN: 'env-token',
    };
    expect(resolveTarget({}, env)).toEqual({
      id: 'default',
      kind: 'azure',
      url: 'https://env.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-08-01-preview',
      deployment: 'dep',
      auth: { apiKey: 'env-key' },
    });
    const { AZURE_OPENAI_API_KEY: _unused, ...tokenOnly } = env;
    expect(resolveTarget({}, tokenOnly)?.auth).toEqual({ bearer: 'env-token' });
    // Flags win over the environment.
    expect(resolveTarget({ bearer: 'flag-token', deployment: 'other' }, env)).toMatchObject({ deployment: 'other', auth: { bearer: 'flag-token' } });
  });

  it('lists every problem at once, each with its fix', () => {
    const problems = problemsOf({ endpoint: 'res.openai.azure.com', apiKey: 'a', bearer: 'b' });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('--api-key and --bearer');
    expect(problems[1]).toContain('is not an absolute http(s) URL; write it like https://NAME.openai.azure.com');
    expect(problems[2]).toContain('add --deployment NAME (or set AZURE_OPENAI_DEPLOYMENT)');
  });

  it('refuses a full request URL or a query string as the endpoint', () => {
    expect(problemsOf({ endpoint: 'https://r.openai.azure.com/openai/deployments/x/chat/completions', deployment: 'x' })[0]).toContain('pass it as --url');
    expect(problemsOf({ endpoint: 'https://r.openai.azure.com?api-key=secret', deployment: 'x' })[0]).toContain('has a query string');
    expect(problemsOf({ endpoint: 'https://r.openai.azure.com?api-key=secret', deployment: 'x' })[0]).not.toContain('secret');
  });

  it('names the environment variable when the bad endpoint came from there', () => {
    expect(problemsOf({ deployment: 'x' }, { AZURE_OPENAI_ENDPOINT: 'not a url' })[0]).toMatch(/^AZURE_OPENAI_ENDPOINT: /);
  });

  it('refuses --api-version with --api v1, and unknown --api / --kind values', () => {
    expect(problemsOf({ endpoint: 'https://r.openai.azure.com', deployment: 'x', api: 'v1', apiVersion: '2024-10-21' })[0]).toContain('does not apply to --api v1');
    expect(problemsOf({ endpoint: 'https://r.openai.azure.com', deployment: 'x', api: 'v2' as 'v1' })[0]).toContain('--api: "v2"');
    expect(problemsOf({ endpoint: 'https://r.openai.azure.com', deployment: 'x', kind: 'images' as 'chat' })[0]).toContain('--kind: "images"');
  });
});

describe('resolveTarget: --url', () => {
  it('takes any full URL; api.openai.com is kind openai with OPENAI_API_KEY as bearer', () => {
    const spec = resolveTarget({ url: 'https://api.openai.com/v1/chat/completions' }, { OPENAI_API_KEY: 'sk-x', AZURE_OPENAI_API_KEY: 'az' });
    expect(spec).toEqual({ id: 'default', kind: 'openai', url: 'https://api.openai.com/v1/chat/completions', deployment: null, auth: { bearer: 'sk-x' } });
  });

  it('recognises Azure URLs, takes the deployment from the path, and sends only Azure credentials there', () => {
    const spec = resolveTarget(
      { url: 'https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21' },
      { AZURE_OPENAI_API_KEY: 'az', OPENAI_API_KEY: 'sk-x' },
    );
    expect(spec).toMatchObject({ kind: 'azure', deployment: 'gpt-4o', auth: { apiKey: 'az' } });
    expect(resolveTarget({ url: 'http://127.0.0.1:9/openai/v1/chat/completions' }, {})?.kind).toBe('azure');
  });

  it('sends OPENAI_API_KEY to OpenAI-compatible paths only, never to a generic API', () => {
    const env = { OPENAI_API_KEY: 'sk-x', AZURE_OPENAI_API_KEY: 'az' };
    expect(resolveTarget({ url: 'http://127.0.0.1:8000/v1/chat/completions' }, env)).toMatchObject({ kind: 'http', auth: { bearer: 'sk-x' } });
    expect(resolveTarget({ url: 'http://127.0.0.1:8080/api/things' }, env)).toMatchObject({ kind: 'http', auth: {} });
    expect(resolveTarget({ url: 'http://127.0.0.1:8080/api/things', apiKey: 'flag' }, env)?.auth).toEqual({ apiKey: 'flag' });
  });

  it('refuses --url with --endpoint, a bad URL, --api v1 or --api-version', () => {
    expect(problemsOf({ url: 'https://h/x', endpoint: 'https://r.openai.azure.com' })[0]).toContain('--url and --endpoint were both given');
    expect(problemsOf({ url: 'ftp://h/x' })[0]).toContain('--url: "ftp://h/x" is not an absolute http(s) URL');
    expect(problemsOf({ url: 'https://h/x', api: 'v1', apiVersion: '1' })).toHaveLength(2);
  });

  it('an --url from flags wins over AZURE_OPENAI_ENDPOINT in the environment', () => {
    expect(resolveTarget({ url: 'http://127.0.0.1:1/x' }, { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com' })?.url).toBe('http://127.0.0.1:1/x');
  });
});

describe('resolveTarget: nothing given', () => {
  it('returns null so the CLI starts the embedded simulator', () => {
    expect(resolveTarget({}, {})).toBeNull();
    // A deployment in the environment alone is not a target.
    expect(resolveTarget({}, { AZURE_OPENAI_DEPLOYMENT: 'x', AZURE_OPENAI_API_KEY: 'k' })).toBeNull();
  });

  it('refuses target flags without a target instead of silently using the simulator', () => {
    expect(problemsOf({ deployment: 'x', apiKey: 'k' })[0]).toMatch(/^--deployment, --api-key were given without a target; add --endpoint/);
  });
});

describe('describeTarget, targetSecrets, simulatorTarget', () => {
  it('describes a target without credentials or secret query values', () => {
    const spec = resolveTarget({ url: 'https://u:p@gw.example/openai/deployments/d/chat/completions?api-version=1&subscription-key=s3', bearer: 'tok' }, {})!;
    const description = describeTarget(spec);
    expect(description).toEqual({ id: 'default', kind: 'azure', url: 'https://gw.example/openai/deployments/d/chat/completions?api-version=1&subscription-key=REDACTED', deployment: 'd' });
    expect(JSON.stringify(description)).not.toContain('tok');
    expect(targetSecrets([spec])).toEqual(['tok']);
  });

  it('makes an Azure-shaped simulator target with its profile', () => {
    const spec = simulatorTarget({ endpoint: 'http://127.0.0.1:4321/', deployment: 'gpt-4o', profile: 'azure-standard' });
    expect(spec).toEqual({
      id: 'default',
      kind: 'simulator',
      url: 'http://127.0.0.1:4321/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
      deployment: 'gpt-4o',
      auth: {},
      profile: 'azure-standard',
    });
    expect(describeTarget(spec).profile).toBe('azure-standard');
  });
});
