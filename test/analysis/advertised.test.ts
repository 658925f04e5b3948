import { describe, expect, it } from 'vitest';
import { inferRequestsWindowSeconds, readAdvertised, rpmRatioOf, type HeaderLimits } from '../../src/analysis/advertised.js';
import { runLine } from './records.js';

const noHeaders: HeaderLimits = { limitRequests: null, limitTokens: null, policyWindowSeconds: null, dialect: null };

describe('readAdvertised', () => {
  it('RPM defaults to 6 × TPM/1000', () => {
    expect(readAdvertised(runLine({ advertised: { tpm: 50_000, rpm: null, source: 'flags' } }), noHeaders).advertised).toEqual({
      tpm: 50_000,
      rpm: 300,
      requestsPer10s: 50,
      requestsPer1s: 5,
      source: 'flags',
    });
  });

  it('a ratio carried by the run line changes the derived RPM (o-series: 1 per 1,000 TPM)', () => {
    const run = runLine({ advertised: { tpm: 100_000, rpm: null, source: 'flags', rpmPer1kTpm: 1 } as never });
    expect(rpmRatioOf(run)).toBe(1);
    expect(readAdvertised(run, noHeaders).advertised).toMatchObject({ rpm: 100, requestsPer10s: 16.67, requestsPer1s: 1.67 });
    expect(rpmRatioOf(runLine({ scenario: { rpmPer1kTpm: 10 } }))).toBe(10);
  });

  it('the simulator and scenarios keep their source', () => {
    expect(readAdvertised(runLine({ advertised: { tpm: 50_000, rpm: 300, source: 'simulator' } }), noHeaders).advertised.source).toBe('simulator');
    expect(readAdvertised(runLine({ advertised: { tpm: null, rpm: 120, source: 'scenario' } }), noHeaders).advertised).toEqual({
      tpm: null,
      rpm: 120,
      requestsPer10s: 20,
      requestsPer1s: 2,
      source: 'scenario',
    });
  });

  it('falls back to headers: Azure limit-requests × 6, OpenAI as is, tokens alone, an IETF policy', () => {
    const none = runLine({ advertised: { tpm: null, rpm: null, source: 'none' } });
    expect(readAdvertised(none, { ...noHeaders, limitRequests: 20, limitTokens: 20_000, dialect: 'azure' }).advertised).toEqual({
      tpm: 20_000,
      rpm: 120,
      requestsPer10s: 20,
      requestsPer1s: 2,
      source: 'headers',
    });
    expect(readAdvertised(none, { ...noHeaders, limitRequests: 60, limitTokens: 150_000, dialect: 'openai' }).advertised.rpm).toBe(60);
    expect(readAdvertised(none, { ...noHeaders, limitTokens: 10_000, dialect: 'azure' }).advertised.rpm).toBe(60);
    expect(readAdvertised(none, { ...noHeaders, limitTokens: 10_000, dialect: 'openai' }).advertised.rpm).toBeNull();
    const ietf = readAdvertised(none, { ...noHeaders, limitRequests: 5, policyWindowSeconds: 1 });
    expect(ietf.advertised).toMatchObject({ rpm: 300, requestsPer1s: 5, source: 'headers' });
    expect(ietf.note).toBe('No limit was given, so the figures come from the RateLimit-Policy header: 5 requests per 1 s.');
  });

  it('nothing known: nulls and source unknown', () => {
    expect(readAdvertised(null, noHeaders)).toEqual({
      advertised: { tpm: null, rpm: null, requestsPer10s: null, requestsPer1s: null, source: 'unknown' },
      note: null,
    });
  });
});

describe('inferRequestsWindowSeconds', () => {
  const advertised = (rpm: number | null, source = 'flags') => ({ tpm: null, rpm, requestsPer10s: null, requestsPer1s: null, source });
  it.each<[string, { limitRequests: number | null; firstRemainingRequests: number | null; maxRemainingRequests: number | null }, number | null, number | null]>([
    ['limit-requests = RPM/6', { limitRequests: 50, firstRemainingRequests: null, maxRemainingRequests: null }, 300, 10],
    ['first remaining + 1 = RPM/6', { limitRequests: null, firstRemainingRequests: 49, maxRemainingRequests: 49 }, 300, 10],
    ['first remaining + 1 = RPM/60', { limitRequests: null, firstRemainingRequests: 4, maxRemainingRequests: 4 }, 300, 1],
    ['first remaining + 1 = RPM', { limitRequests: null, firstRemainingRequests: 299, maxRemainingRequests: 299 }, 300, 60],
    ['a late first answer: the highest remaining decides', { limitRequests: null, firstRemainingRequests: 31, maxRemainingRequests: 49 }, 300, 10],
    ['120 RPM answering limit 20 (Q&A 2265464)', { limitRequests: 20, firstRemainingRequests: 19, maxRemainingRequests: 19 }, 120, 10],
    ['nothing fits', { limitRequests: 4500, firstRemainingRequests: null, maxRemainingRequests: null }, 2700, null],
    ['no RPM', { limitRequests: 50, firstRemainingRequests: 49, maxRemainingRequests: 49 }, null, null],
    ['no evidence', { limitRequests: null, firstRemainingRequests: null, maxRemainingRequests: null }, 300, null],
  ])('%s', (_name, evidence, rpm, expected) => {
    expect(inferRequestsWindowSeconds(evidence, advertised(rpm))).toBe(expected);
  });

  it('does not answer when the RPM itself came from the same header', () => {
    expect(inferRequestsWindowSeconds({ limitRequests: 50, firstRemainingRequests: 49, maxRemainingRequests: 49 }, advertised(300, 'headers'))).toBeNull();
  });
});
