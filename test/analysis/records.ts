/**
 * Hand-made recording lines for the analysis tests: small builders with plain
 * defaults, and the seed story as records. Error bodies are the real
 * texts Azure and OpenAI send.
 */
import type { DroppedLine, EndLine, PhaseLine, RecordLine, RequestLine, RunLine } from '../../src/record/types.js';

export const STARTED_AT = '2025-02-12T18:52:18.000Z';
export const STARTED_AT_EPOCH_MS = Date.parse(STARTED_AT);

/** Azure's current call-rate 429 body (mid-2025 onwards). */
export const AZURE_CALL_RATE = {
  code: 'RateLimitReached',
  message:
    'Your requests to gpt-4o for gpt-4o in East US have exceeded the call rate limit for your current AIServices S0 pricing tier. ' +
    'This request was for ChatCompletions_Create under Azure OpenAI API version 2024-10-21. Please retry after 1 second. ' +
    'To increase your default rate limit, visit: https://aka.ms/oai/quotaincrease.',
  type: null,
};

/** Azure's current token-rate 429 body. */
export const AZURE_TOKEN_RATE = {
  code: 'RateLimitReached',
  message:
    'Your requests to gpt-4o for gpt-4o in East US have exceeded the token rate limit for your current AIServices S0 pricing tier. ' +
    'This request was for ChatCompletions_Create under Azure OpenAI API version 2025-03-01-preview. Please retry after 60 seconds. ' +
    'To increase your default rate limit, visit: https://aka.ms/oai/quotaincrease.',
  type: null,
};

/** Azure's legacy token-rate body asking for a day's wait: the request can never fit. */
export const AZURE_NEVER = {
  code: '429',
  message:
    'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-08-01-preview have exceeded token rate limit of your current OpenAI S0 pricing tier. ' +
    'Please retry after 86400 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.',
  type: null,
};

/** Azure's capacity ("high demand") 429, late 2025. */
export const AZURE_HIGH_DEMAND = {
  code: '429',
  message:
    'The system is currently experiencing high demand and cannot process your request. Your request exceeds the maximum usage size allowed during peak load. ' +
    'Please retry after 20 seconds. For improved latency reliability, consider switching to Provisioned Throughput.',
  type: null,
};

/** The short APIM-style body (2023–2024). */
export const APIM_SHORT = { code: '429', message: 'Rate limit is exceeded. Try again in 50 seconds.', type: null };

/** OpenAI request-rate and token-rate bodies. */
export const OPENAI_RPM = {
  code: 'rate_limit_exceeded',
  message:
    'Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. ' +
    'Visit https://platform.openai.com/account/rate-limits to learn more.',
  type: 'requests',
};
export const OPENAI_TPM = {
  code: 'rate_limit_exceeded',
  message:
    'Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 22343, Requested 10955. Please try again in 6.596s. ' +
    'Visit https://platform.openai.com/account/rate-limits to learn more.',
  type: 'tokens',
};
export const OPENAI_TOO_LARGE = {
  code: 'rate_limit_exceeded',
  message: 'Request too large for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Requested 30601. The input or output tokens must be reduced in order to run successfully.',
  type: 'tokens',
};
export const OPENAI_QUOTA = {
  code: 'insufficient_quota',
  message: 'You exceeded your current quota, please check your plan and billing details.',
  type: 'insufficient_quota',
};

/** An nginx 503 page. */
export const NGINX_503 = {
  code: null,
  message: '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>',
  type: null,
};

export function runLine(overrides: Partial<RunLine> = {}): RunLine {
  return {
    type: 'run',
    v: 1,
    tool: { name: 'aoai-probe', version: '0.1.0' },
    command: 'burst',
    startedAt: STARTED_AT,
    advertised: { tpm: 50_000, rpm: null, source: 'flags' },
    targets: [{ id: 'default', kind: 'azure', url: 'https://example.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21', deployment: 'gpt-4o' }],
    payload: { kind: 'chat', model: 'gpt-4o', maxTokens: null, promptTokens: null, stream: false },
    ...overrides,
  };
}

export function phaseLine(name: string, kind: PhaseLine['kind'], startMs = 0, params: PhaseLine['params'] = {}): PhaseLine {
  return { type: 'phase', name, kind, startMs, params };
}

/** An admitted answer unless `status` says otherwise. */
export function request(seq: number, overrides: Partial<RequestLine> = {}): RequestLine {
  const status = overrides.status === undefined ? 200 : overrides.status;
  return {
    type: 'request',
    seq,
    phase: 'burst-1',
    target: 'default',
    plannedMs: 100,
    sentMs: 100,
    firstByteMs: 300,
    doneMs: 310,
    status,
    errorKind: null,
    headers: {},
    error: null,
    usage: status !== null && status >= 200 && status < 300 ? { promptTokens: 12, completionTokens: 1, totalTokens: 13 } : null,
    estimatedTokens: 648,
    maxTokens: null,
    clientRequestId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    ...overrides,
  };
}

export function droppedLine(seq: number, plannedMs: number, phase = 'burst-1'): DroppedLine {
  return { type: 'dropped', seq, phase, target: 'default', plannedMs, reason: 'max-in-flight' };
}

export function endLine(sent: number, endMs: number, overrides: Partial<EndLine> = {}): EndLine {
  return { type: 'end', reason: 'completed', endMs, sent, dropped: 0, ...overrides };
}

/**
 * The seed story as records: 20 requests at one instant; the first 5
 * admitted (remaining 49..45 requests, 49,352..46,760 tokens, 648 each), the other
 * 15 refused by the 1-second cap with Azure's call-rate body and `retry-after: 1`.
 * Refusals come back first, as they do on Azure (no model time).
 */
export function seedStory(options: { firstSeq?: number; rpm?: number | null } = {}): RecordLine[] {
  const firstSeq = options.firstSeq ?? 0;
  const lines: RecordLine[] = [runLine({ advertised: { tpm: 50_000, rpm: options.rpm ?? null, source: 'flags' } }), phaseLine('burst-1', 'burst', 100, { size: 20 })];
  const answers: RequestLine[] = [];
  for (let index = 0; index < 20; index++) {
    const seq = firstSeq + index;
    const sentMs = 100.2 + index * 0.05;
    if (index < 5) {
      answers.push(
        request(seq, {
          sentMs,
          firstByteMs: 380 + index * 7,
          doneMs: 390 + index * 7,
          headers: {
            'x-ratelimit-remaining-requests': String(49 - index),
            'x-ratelimit-remaining-tokens': String(49_352 - 648 * index),
            'x-ratelimit-limit-requests': '50',
            'x-ratelimit-limit-tokens': '50000',
            'x-ms-region': 'East US',
            'apim-request-id': `a-${seq}`,
          },
        }),
      );
    } else {
      answers.push(
        request(seq, {
          status: 429,
          sentMs,
          firstByteMs: 104 + index * 0.1,
          doneMs: 105 + index * 0.1,
          headers: { 'retry-after': '1', 'x-ms-region': 'East US', 'apim-request-id': `a-${seq}` },
          error: AZURE_CALL_RATE,
          usage: null,
        }),
      );
    }
  }
  // Written in the order answers finished.
  answers.sort((a, b) => a.doneMs - b.doneMs);
  lines.push(...answers, endLine(20, 500));
  return lines;
}
