/**
 * Azure's arithmetic only where it applies: a bare header limit (x-ratelimit-limit, or
 * Azure-looking headers from a target that is not Azure) is not read as Azure's 10-second
 * bucket, so no RPM is invented from it.
 */
import { describe, expect, it } from 'vitest';
import { azureArithmeticApplies, readAdvertised } from '../../src/analysis/advertised.js';

const header = (limitRequests: number, dialect: 'azure' | 'openai' | null, azureTarget?: boolean) => ({
  limitRequests,
  limitTokens: null,
  policyWindowSeconds: null,
  dialect,
  ...(azureTarget === undefined ? {} : { azureTarget }),
});

describe('advertised figures from headers', () => {
  it('a bare x-ratelimit-limit names no window, so no RPM is derived from it', () => {
    const reading = readAdvertised(null, header(16, null));
    expect(reading.advertised.rpm).toBeNull();
    expect(reading.advertised.requestsPer10s).toBeNull();
    expect(reading.note).toMatch(/without saying per how long/);
    expect(reading.note).not.toMatch(/6 ×/);
  });

  it("Azure's limit-requests is 6 × RPM/6 on an Azure target only", () => {
    expect(readAdvertised(null, header(50, 'azure')).advertised.rpm).toBe(300);
    expect(readAdvertised(null, header(50, 'azure', false)).advertised.rpm).toBeNull();
  });

  it('RPM/60 and RPM/6 apply to flags always, to header figures on Azure-shaped targets only', () => {
    const advertised = { tpm: null, rpm: 96, requestsPer10s: 16, requestsPer1s: 1.6 };
    expect(azureArithmeticApplies({ advertised: { ...advertised, source: 'flags' }, target: { url: '', kind: 'http' } })).toBe(true);
    expect(azureArithmeticApplies({ advertised: { ...advertised, source: 'headers' }, target: { url: '', kind: 'http' } })).toBe(false);
    expect(azureArithmeticApplies({ advertised: { ...advertised, source: 'headers' }, target: { url: '', kind: 'azure' } })).toBe(true);
  });
});
