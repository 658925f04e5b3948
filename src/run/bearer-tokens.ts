/**
 * A bearer token that stays fresh during a long run (keyless Entra ID; see docs in
 * README, "Keyless Entra ID"): the first token is fetched before anything is sent,
 * then a background timer fetches the next one before the current one expires.
 * The transport reads `current()` synchronously for every request, so a refresh
 * never holds up a burst.
 *
 * When to refresh: at the credential's own `refreshAfterTimestamp` when it gives
 * one, else when half the token's remaining life is gone, and at least five
 * minutes before it expires (Azure tokens live 60–90 minutes; a short-lived token
 * is refreshed at half its life). A failed refresh is tried again every few
 * seconds while the current token is still valid.
 *
 * The token lives in memory only: request headers are never recorded, and no
 * message here contains it.
 */

/** What `@azure/identity`'s `TokenCredential.getToken` resolves to (the fields used here). */
export interface AccessTokenLike {
  token: string;
  /** Epoch ms. */
  expiresOnTimestamp: number;
  /** Epoch ms; when the credential suggests refreshing. */
  refreshAfterTimestamp?: number;
}

/** Options of {@link RefreshingBearerToken}. */
export interface RefreshingBearerTokenOptions {
  /** Fetches a token (e.g. `() => credential.getToken(scope)`). */
  getToken: () => Promise<AccessTokenLike | null>;
  /** Wall-clock now, epoch ms (Date.now by default; tests give a fake). */
  now?: () => number;
  /** Told about a refresh that failed (never with the token). */
  onRefreshError?: (error: unknown) => void;
}

/** Refresh at least this long before expiry, ms. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** Wait before trying a failed refresh again, ms. */
const RETRY_AFTER_FAILURE_MS = 2_000;
/** Never schedule a refresh sooner than this, ms (a token that is already due). */
const MIN_REFRESH_DELAY_MS = 100;

/** The current token, kept fresh by a timer until {@link close}. */
export class RefreshingBearerToken {
  private token: AccessTokenLike | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: RefreshingBearerTokenOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Fetches the first token. Rejects with the credential's error when none can be had. */
  async start(): Promise<void> {
    const token = await this.options.getToken();
    if (token === null || typeof token.token !== 'string' || token.token === '') throw new Error('the credential returned no token');
    this.accept(token);
  }

  /** The token to send now. Throws before {@link start} resolved. */
  current(): string {
    if (this.token === null) throw new Error('no token yet: start() must resolve first');
    return this.token.token;
  }

  /** Stops refreshing. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** When the next refresh is due, epoch ms (for tests and diagnostics). */
  refreshDueAt(token: AccessTokenLike): number {
    const now = this.now();
    if (typeof token.refreshAfterTimestamp === 'number' && token.refreshAfterTimestamp > now) return token.refreshAfterTimestamp;
    const remaining = token.expiresOnTimestamp - now;
    const half = remaining / 2;
    const beforeExpiry = remaining - REFRESH_BEFORE_EXPIRY_MS;
    return now + (beforeExpiry > 0 ? Math.min(half, beforeExpiry) : half);
  }

  private accept(token: AccessTokenLike): void {
    this.token = token;
    this.schedule(this.refreshDueAt(token) - this.now());
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), Math.max(MIN_REFRESH_DELAY_MS, delayMs));
    // A pending refresh never keeps the process alive on its own.
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    this.timer = null;
    if (this.closed) return;
    try {
      const token = await this.options.getToken();
      if (this.closed) return;
      if (token === null || typeof token.token !== 'string' || token.token === '') throw new Error('the credential returned no token');
      this.accept(token);
    } catch (error) {
      if (this.closed) return;
      this.options.onRefreshError?.(error);
      this.schedule(RETRY_AFTER_FAILURE_MS);
    }
  }
}
