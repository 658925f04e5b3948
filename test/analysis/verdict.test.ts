import { describe, expect, it } from 'vitest';
import {
  buildVerdict,
  burstOutcomeSentence,
  compareBurst,
  formatNumber,
  noRefusalSentence,
  ordinal,
  overdriveSentence,
  refusalClassSentences,
  steadySentence,
  type VerdictEvidence,
  type VerdictSummary,
} from '../../src/analysis/verdict.js';

function summary(overrides: Partial<VerdictSummary> = {}): VerdictSummary {
  return {
    schema: 'aoai-probe/summary@1',
    command: 'burst',
    target: { url: 'http://127.0.0.1:1/x', kind: 'simulator' },
    advertised: { tpm: 50_000, rpm: 300, requestsPer10s: 50, requestsPer1s: 5, source: 'simulator' },
    requests: { sent: 20, ok: 5, throttled: 15, failed: 0, dropped: 0 },
    throttled: {
      ratio: 0.75,
      firstSeq: 5,
      byClass: { requests: 15, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 },
      retryAfterMs: { min: 1000, p50: 1000, max: 1000 },
      whileHeadersShowedCapacity: 15,
    },
    effective: {
      requests: { burst: 5, perSecond: null, windowSeconds: null, shape: 'unknown', confidence: 'high' },
      tokens: { burst: null, perMinute: null, windowSeconds: null, confidence: 'none' },
    },
    headers: { requestsWindowSeconds: 10, limitRequests: 50, limitTokens: 50_000, firstRemainingRequests: 49, firstRemainingTokens: 49_352, families: ['azure'] },
    latency: { p50: 300, p95: 310, p99: 310, max: 310 },
    schedule: { sendSpreadMs: 1, lagP99Ms: 1 },
    tokens: { estimatedCharged: 3240, billed: 65 },
    recording: 'x.ndjson',
    ended: 'completed',
    durationSeconds: 0.5,
    ...overrides,
  };
}

const seedEvidence: VerdictEvidence = {
  burst: { sent: 20, admitted: 5, refused: 15, refusalsFollowAdmitted: true, remainingRequestsShown: 45, fromIdle: true },
  firstRefusal: { remainingRequests: 45, remainingTokens: 46_760 },
  advertisedNote: null,
  inferenceNotes: [],
};

describe('verdict helpers', () => {
  it('formats numbers and ordinals', () => {
    expect(formatNumber(46_760, 0)).toBe('46,760');
    expect(formatNumber(4.5)).toBe('4.5');
    expect(formatNumber(4.0)).toBe('4');
    expect(formatNumber(0.8999999)).toBe('0.9');
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
  });

  it.each<[number, number, number, string | null]>([
    [5, 5, 50, 'per-second'],
    [6, 5, 50, 'per-second'],
    [50, 5, 50, 'per-10s'],
    [46, 5, 50, 'per-10s'],
    [3, 5, 50, 'below'],
    [20, 5, 50, 'between'],
    [80, 5, 50, 'above'],
    [1, 0.1, 1, 'per-10s'],
  ])('burst %d vs %d/s and %d/10 s → %s', (burst, perSecond, per10s, expected) => {
    expect(compareBurst(burst, perSecond, per10s)).toBe(expected);
  });

  it('compareBurst needs both figures', () => {
    expect(compareBurst(5, null, 50)).toBeNull();
  });
});

describe('sentences', () => {
  it('says what got through under steady load for a paced run, not for a probe (its rate is the fitted limit)', () => {
    const withRate = (command: string): VerdictSummary => {
      const base = summary({ command });
      return { ...base, effective: { ...base.effective, requests: { ...base.effective.requests, perSecond: 4.8 } } };
    };
    expect(steadySentence(withRate('steady'))).toBe('Under steady load, 4.8 requests/s got through once refusals began (the advertised 300 RPM is 5 per second).');
    expect(steadySentence(withRate('probe'))).toBeNull();
  });

  it('says an overdrive collapsed only when it admitted clearly less than the sustained rate', () => {
    const overdriven = (admitted: number): VerdictSummary => {
      const base = summary({ command: 'probe' });
      return { ...base, effective: { ...base.effective, requests: { ...base.effective.requests, perSecond: 5, overdriveOfferedPerSecond: 6.5, overdriveAdmittedPerSecond: admitted } } };
    };
    expect(overdriveSentence(overdriven(3.1))).toBe(
      'Offered 6.5 requests/s, more than the 5 per second it admits in full, it admitted only 3.1 per second: pushing past this limit gets fewer requests through, not more, so pace under it rather than sending faster.',
    );
    expect(overdriveSentence(overdriven(4.3))).toBeNull();
    expect(overdriveSentence(summary())).toBeNull();
  });

  it('the seed verdict', () => {
    expect(buildVerdict(summary(), seedEvidence)).toBe(
      '5 of 20 requests sent at once were admitted; the 6th was refused while the headers still showed 45 requests left. ' +
        'The enforced cap behaves like 5 requests per second (advertised 300 RPM ÷ 60), not the 50 per 10 s the headers count. ' +
        'Spread bursts over at least 1 s or pace at ≤ 4.5 requests/s.',
    );
  });

  it('builds plurals from the counts: one request is "the 1 request was", "the only request"', () => {
    const one = { ...seedEvidence, burst: null };
    expect(noRefusalSentence(summary({ requests: { sent: 1, ok: 1, throttled: 0, failed: 0, dropped: 0 } }), one)).toBe('The 1 request was admitted; no limit was reached.');
    expect(noRefusalSentence(summary({ requests: { sent: 1, ok: 0, throttled: 0, failed: 1, dropped: 0 } }), one)).toBe('The only request failed without a usable answer, so nothing was measured.');
    expect(noRefusalSentence(summary({ requests: { sent: 5, ok: 5, throttled: 0, failed: 0, dropped: 0 } }), one)).toBe('All 5 requests were admitted; no limit was reached.');
    expect(noRefusalSentence(summary({ requests: { sent: 3, ok: 1, throttled: 0, failed: 2, dropped: 0 } }), one)).toBe('1 of 3 requests was admitted and none was refused.');
    const burst = (sent: number, admitted: number, refused: number): VerdictEvidence => ({ ...seedEvidence, burst: { ...seedEvidence.burst!, sent, admitted, refused } });
    expect(burstOutcomeSentence(summary(), burst(2, 2, 0))).toBe('All 2 requests sent at once were admitted.');
    expect(burstOutcomeSentence(summary(), burst(3, 1, 2))).toMatch(/^1 of 3 requests sent at once was admitted; /);
  });

  it('refusals interleaved with admissions, and a burst that was not from idle', () => {
    const evidence: VerdictEvidence = { ...seedEvidence, burst: { ...seedEvidence.burst!, refusalsFollowAdmitted: false, remainingRequestsShown: 0, fromIdle: false } };
    expect(burstOutcomeSentence(summary(), evidence)).toBe(
      '5 of 20 requests sent at once were admitted; 15 were refused (traffic shortly before the burst had already spent part of the budget, so this is a lower bound).',
    );
  });

  it('when the headers say nothing about the window, the 10-s figure is not attributed to them', () => {
    const text = buildVerdict(summary({ headers: { ...summary().headers, requestsWindowSeconds: null } }), seedEvidence);
    expect(text).toContain('not the 50 per 10 s a 10-second bucket would allow.');
  });

  it('one sentence per refusal class that needs its own advice', () => {
    const sentences = refusalClassSentences(
      summary({
        requests: { sent: 10, ok: 0, throttled: 10, failed: 0, dropped: 0 },
        throttled: { ...summary().throttled, byClass: { requests: 0, tokens: 0, capacity: 0, never: 2, quota: 1, gateway: 0, unknown: 7 } },
        effective: { ...summary().effective, requests: { ...summary().effective.requests, burst: null } },
      }),
    );
    expect(sentences).toEqual([
      '2 requests can never succeed: each asks for more tokens than the whole per-minute budget (a wait of a day or more); lower max_tokens or the prompt size, and do not retry them.',
      "1 refusal says the account's quota or spend limit is used up: add credit or raise the limit; retrying will not help.",
    ]);
  });

  it('every sentence is a sentence', () => {
    const text = buildVerdict(
      summary({
        requests: { sent: 20, ok: 5, throttled: 12, failed: 2, dropped: 1 },
        throttled: { ...summary().throttled, byClass: { requests: 5, tokens: 2, capacity: 1, never: 1, quota: 1, gateway: 1, unknown: 1 } },
        ended: 'interrupted',
      }),
      { ...seedEvidence, advertisedNote: 'No limit was given.', inferenceNotes: ['Inference said so.'] },
    );
    for (const sentence of text.split(/(?<=\.) (?=[A-Z0-9])/)) expect(sentence).toMatch(/[.)]$/);
    expect(text).toContain('The run was interrupted');
    expect(text).toContain('Inference said so.');
  });
});
