/**
 * Keyless Entra ID (`--entra`; see docs in README, "Keyless Entra ID"): tokens for
 * Azure OpenAI from `@azure/identity`'s DefaultAzureCredential, the chain Azure's
 * own SDKs use: an environment service principal (AZURE_CLIENT_ID, AZURE_TENANT_ID,
 * AZURE_CLIENT_SECRET), workload identity, managed identity, then developer logins
 * (Azure CLI, Azure Developer CLI, PowerShell). AZURE_TOKEN_CREDENTIALS narrows the
 * chain as the SDK documents (e.g. `AzureCliCredential`).
 *
 * Why here, in src/cli: the credential chain reads the process environment itself,
 * and only src/cli touches process. The run gets a token source and nothing else.
 */
import type { DefaultAzureCredential } from '@azure/identity';
import { InputError } from '../errors.js';
import { RefreshingBearerToken } from '../run/bearer-tokens.js';

/** The scope of Azure OpenAI (Cognitive Services) data-plane tokens. */
export const ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** Longest part of the credential chain's message shown to the user. */
const MAX_REASON_CHARS = 400;

/**
 * Fetches the first token (so a missing login is bad input, exit 2, before anything
 * is sent) and keeps it fresh until the returned source is closed. `warn` hears
 * of a refresh that failed (the run goes on with the current token meanwhile).
 */
export async function startEntraToken(warn: (message: string) => void): Promise<RefreshingBearerToken> {
  let credential: DefaultAzureCredential;
  try {
    // Loaded only for --entra: the credential chain is a large import every other run would pay for at start.
    const identity = await import('@azure/identity');
    credential = new identity.DefaultAzureCredential();
  } catch (error) {
    throw new InputError(`--entra: the Azure credential chain cannot start: ${reasonOf(error)}`);
  }
  let warned = false;
  const source = new RefreshingBearerToken({
    getToken: () => credential.getToken(ENTRA_SCOPE),
    onRefreshError: (error) => {
      if (warned) return;
      warned = true;
      warn(`warning: refreshing the Entra ID token failed (${reasonOf(error)}); the current token is used until it expires, and the refresh is retried`);
    },
  });
  try {
    await source.start();
  } catch (error) {
    throw new InputError(
      `--entra: no Azure credential gave a token for ${ENTRA_SCOPE}: ${reasonOf(error)}. Sign in with \`az login\`, set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal, or run where a managed identity is assigned; or use --api-key if key auth is enabled`,
    );
  }
  return source;
}

/** The credential's message, on one line and short (it never holds a token). */
function reasonOf(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  if (text === '') return 'no reason given';
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}
