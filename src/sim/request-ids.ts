/**
 * Request and completion ids for the simulator's answers, UUID-shaped like the
 * service's own (`apim-request-id`, `x-request-id`, `chatcmpl-…`).
 *
 * Why not crypto.randomUUID() per id: the simulator hands out three ids per
 * request at tens of thousands of requests per second, and the ids only need to
 * be unique (clients echo and log them; nothing guesses them). One random UUID
 * gives the first 24 hex digits, a counter the last 8; after 2^32 ids a fresh
 * random UUID takes over. The counter stays a small integer, whose hex form V8
 * writes fast (a 48-bit one is formatted as a double, several times slower).
 */
import { randomUUID } from 'node:crypto';

const COUNTER_RANGE = 0x1_0000_0000;

/** A source of unique ids for one server. */
export class RequestIds {
  /** `xxxxxxxx-xxxx-4xxx-yxxx-xxxx` from one random UUID (version and variant kept). */
  private dashedPrefix = '';
  /** The same 24 hex digits without dashes. */
  private hexPrefix = '';
  private counter = 0;
  private remaining = 0;

  /** A UUID-shaped id: `8-4-4-4-12` hex digits. */
  uuid(): string {
    const counter = this.next();
    return this.dashedPrefix + counter;
  }

  /** 32 hex digits (a UUID without its dashes), for `chatcmpl-…` and `req_…` ids. */
  hex(): string {
    const counter = this.next();
    return this.hexPrefix + counter;
  }

  /** The next 8 hex digits; a new random prefix (read after this call) whenever the counter has gone round. */
  private next(): string {
    if (this.remaining === 0) this.reseed();
    this.remaining--;
    this.counter = (this.counter + 1) % COUNTER_RANGE;
    return this.counter.toString(16).padStart(8, '0');
  }

  private reseed(): void {
    const seed = randomUUID();
    this.dashedPrefix = seed.slice(0, 28);
    this.hexPrefix = seed.slice(0, 28).replace(/-/g, '');
    // Start at a random point of the counter, so ids do not all begin at ...00000001.
    this.counter = Number.parseInt(seed.slice(28, 36), 16);
    this.remaining = COUNTER_RANGE;
  }
}
