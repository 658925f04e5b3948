import { describe, expect, it } from 'vitest';
import { createRedactor, redactText, redactUrl } from '../../src/record/redact.js';

describe('redactUrl', () => {
  it('removes user information and keeps the rest of the URL byte for byte', () => {
    expect(redactUrl('https://alice:s3cret@x.openai.azure.com/openai/v1/chat/completions?api-version=2024-10-21')).toBe(
      'https://x.openai.azure.com/openai/v1/chat/completions?api-version=2024-10-21',
    );
    expect(redactUrl('http://token@127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
  });

  it.each([
    'api-key',
    'key',
    'sig',
    'token',
    'access_token',
    'code',
    'subscription-key',
    'apikey',
    'secret',
    'password',
    'API-KEY',
  ])('replaces the value of the %s query parameter', (name) => {
    const url = `https://host.example/p?api-version=2024-10-21&${name}=abc%2Fdef&x=1`;
    expect(redactUrl(url)).toBe(`https://host.example/p?api-version=2024-10-21&${name}=REDACTED&x=1`);
    expect(redactUrl(`https://host.example/p?${name}=abc`)).toBe(`https://host.example/p?${name}=REDACTED`);
  });

  it('leaves parameters that merely contain a secret name alone', () => {
    const url = 'https://host.example/p?api-version=1&keyword=cats&monkey=2';
    expect(redactUrl(url)).toBe(url);
  });
});

describe('redactText', () => {
  it('replaces every occurrence of every known secret, longest first', () => {
    const text = 'key abcdef123 then abcdef123456 and abcdef123 again';
    expect(redactText(text, ['abcdef123', 'abcdef123456'])).toBe('key REDACTED then REDACTED and REDACTED again');
  });

  it('removes bearer tokens and api-key assignments it was not told about', () => {
    expect(redactText('Authorization: Bearer eyJhbGciOi.J9.abc-_~+/= failed', [])).toBe('Authorization: Bearer REDACTED failed');
    expect(redactText('header api-key: 0123456789abcdef was rejected', [])).toBe('header api-key: REDACTED was rejected');
    expect(redactText('{"api-key":"0123"}', [])).toBe('{"api-key":"REDACTED"}');
    expect(redactText('Ocp-Apim-Subscription-Key=zzz;', [])).toBe('Ocp-Apim-Subscription-Key=REDACTED;');
  });

  it('cleans URLs inside a message', () => {
    expect(redactText('connect to https://u:p@h.example/x?sig=abc&a=1 failed', [])).toBe('connect to https://h.example/x?sig=REDACTED&a=1 failed');
  });

  it('is idempotent and leaves ordinary text untouched', () => {
    const once = redactText('Bearer abc api-key=def', ['zzz']);
    expect(redactText(once, ['zzz'])).toBe(once);
    const plain = 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Retry after 1 second.';
    expect(redactText(plain, ['a-secret-key'])).toBe(plain);
  });
});

describe('createRedactor', () => {
  it('says a clean text needs no work and a suspect one does', () => {
    const redactor = createRedactor(['sk-0123456789']);
    expect(redactor.mightContainSecret('{"type":"request","status":200,"headers":{"x-ms-region":"East US"}}')).toBe(false);
    expect(redactor.mightContainSecret('{"message":"bad key sk-0123456789"}')).toBe(true);
    expect(redactor.mightContainSecret('{"message":"Bearer abc"}')).toBe(true);
  });

  it('redacts string values deeply and never object keys', () => {
    const redactor = createRedactor(['typesecret']);
    const value = { typesecret: 'request', nested: [{ text: 'a typesecret of thing' }], count: 3, none: null };
    expect(redactor.value(value)).toEqual({ typesecret: 'request', nested: [{ text: 'a REDACTED of thing' }], count: 3, none: null });
    // The input is not changed.
    expect(value.nested[0]!.text).toBe('a typesecret of thing');
  });

  it('finds a secret that JSON escapes', () => {
    const redactor = createRedactor(['abc"defgh']);
    expect(redactor.mightContainSecret(JSON.stringify({ m: 'x abc"defgh y' }))).toBe(true);
    expect(redactor.value({ m: 'x abc"defgh y' })).toEqual({ m: 'x REDACTED y' });
  });

  describe('a known secret is replaced only as a whole token of plausible length', () => {
    const text = JSON.stringify({
      kind: 'azure',
      ok: 5,
      tokens: 'remaining-tokens unknown',
      url: 'http://127.0.0.1:18080/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
      startedAt: '2026-12-01T00:00:00.000Z',
      help: 'see https://aka.ms/oai/quotaincrease; a test key',
    });
    it.each(['k', '0', '1', '5', 'e', '"', 'test', 'key', 'gpt-4o', 'azure', '2024', 'chat', 'REDACTED'])('leaves the text alone for the key %j', (key) => {
      const redactor = createRedactor([key]);
      expect(redactor.text(text)).toBe(text);
      expect(redactor.mightContainSecret(text)).toBe(false);
      expect(redactor.containsKnownSecret(text)).toBe(false);
      expect(redactor.value(JSON.parse(text))).toEqual(JSON.parse(text));
      expect(createRedactor([key], { headerPatterns: false }).text(text)).toBe(text);
    });

    it('replaces a key of 8 to 19 characters where it stands as a token, never inside a longer word', () => {
      const key = 'abc123def456';
      const redactor = createRedactor([key]);
      expect(redactor.text(`key ${key}. "${key}" =${key}& (${key})`)).toBe('key REDACTED. "REDACTED" =REDACTED& (REDACTED)');
      expect(redactor.text(`x${key} ${key}9 p-${key}`)).toBe(`x${key} ${key}9 p-${key}`);
      expect(redactor.containsKnownSecret(`a ${key}`)).toBe(true);
      expect(redactor.containsKnownSecret(`a ${key}x`)).toBe(false);
    });

    it('replaces a real-shaped 32-hex key wherever it appears', () => {
      const key = '0123456789abcdef0123456789abcdef';
      const redactor = createRedactor([key]);
      expect(redactor.text(`key ${key}. "${key}" x${key}9 p-${key}`)).toBe('key REDACTED. "REDACTED" xREDACTED9 p-REDACTED');
      expect(redactor.containsKnownSecret(`a${key}`)).toBe(true);
    });
  });
});
