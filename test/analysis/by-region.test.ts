/**
 * The answering region of `byRegion`: `x-ms-region`, else `x-ms-deployment-name`
 * when an answer carries no region (a pool of deployments whose gateway drops the
 * region), and no region when it carries neither.
 */
import { describe, expect, it } from 'vitest';
import { analyseLines } from '../../src/analysis/summarise.js';
import { endLine, phaseLine, request, runLine } from './records.js';

describe('byRegion', () => {
  it('keys answers by x-ms-region, else by x-ms-deployment-name, else leaves them out', async () => {
    const lines = [
      runLine(),
      phaseLine('burst-1', 'burst'),
      request(0, { headers: { 'x-ms-region': 'East US', 'x-ms-deployment-name': 'gpt-4o' } }),
      request(1, { headers: { 'x-ms-region': 'East US' } }),
      request(2, { headers: { 'x-ms-deployment-name': 'gpt-4o-sweden' } }),
      request(3, { headers: { 'x-ms-deployment-name': 'gpt-4o-sweden' }, status: 429, usage: null }),
      request(4, { headers: {} }),
      endLine(5, 400),
    ];
    const { summary } = await analyseLines(lines);
    expect(Object.keys(summary.byRegion ?? {}).sort()).toEqual(['eastus', 'gpt-4o-sweden']);
    expect(summary.byRegion!.eastus!.name).toBe('East US');
    expect(summary.byRegion!.eastus!.requests).toMatchObject({ sent: 2, ok: 2 });
    expect(summary.byRegion!['gpt-4o-sweden']!.name).toBe('gpt-4o-sweden');
    expect(summary.byRegion!['gpt-4o-sweden']!.requests).toMatchObject({ sent: 2, ok: 1, throttled: 1 });
  });
});
