import { describe, expect, it } from 'vitest';
import { azureRateLimitBody, type AzureRateLimitWording } from '../../src/sim/bodies/azure-errors.js';

const wording: AzureRateLimitWording = {
  limit: 'call',
  deployment: 'gpt-4o',
  model: 'gpt-4o',
  region: 'East US',
  operation: 'chat',
  apiVersion: '2024-10-21',
  retryAfterSeconds: 3,
};

describe('azureRateLimitBody (remembered bodies)', () => {
  it('gives the same body for the same wording, and a different one for any field that differs', () => {
    const first = azureRateLimitBody(wording);
    expect(azureRateLimitBody({ ...wording })).toBe(first);
    expect(JSON.parse(first).error.message).toContain('Please retry after 3 seconds.');
    const variants: Partial<AzureRateLimitWording>[] = [
      { limit: 'token' },
      { retryAfterSeconds: 1 },
      { operation: 'embeddings' },
      { apiVersion: undefined },
      { apiVersion: 'undefined' },
      { tier: 'Standard' },
      { region: 'West Europe' },
      { model: 'gpt-35-turbo' },
      { deployment: 'gpt-4o"\n' },
    ];
    const bodies = new Set([first, ...variants.map((change) => azureRateLimitBody({ ...wording, ...change }))]);
    expect(bodies.size).toBe(variants.length + 1);
    expect(JSON.parse(azureRateLimitBody({ ...wording, apiVersion: undefined })).error.message).toContain('under OpenAI Language Model Instance API.');
    expect(JSON.parse(azureRateLimitBody({ ...wording, apiVersion: 'undefined' })).error.message).toContain('under Azure OpenAI API version undefined.');
  });

  it('still builds correct bodies after the store has been emptied by many different wordings', () => {
    for (let index = 0; index < 1500; index++) azureRateLimitBody({ ...wording, deployment: `d${index}` });
    expect(JSON.parse(azureRateLimitBody({ ...wording, deployment: 'd7', retryAfterSeconds: 1 })).error.message).toMatch(
      /^Your requests to d7 for gpt-4o in East US have exceeded the call rate limit .* Please retry after 1 second\. /,
    );
  });
});
