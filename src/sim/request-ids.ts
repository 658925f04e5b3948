/**
 * Request and completion ids for the simulator's answers, UUID-shaped like the
 * service's own (`apim-request-id`, `x-request-id`, `chatcmpl-…`).
 *
 * Why not crypto.randomUUID() per id: the simulator hands out three ids per
 * request at tens of thousands of requests per second, and the ids only need to
 * be unique (clients echo and log them; nothing guesses them). One random UUID
 * per generator gives the first 20 hex digits, a counter the last 12, so ids
 * differ between servers and never repeat within one (2^48 ids).
 */
import { randomUUID } from 'node:crypto';

/** A source of unique ids for one server. */
export class RequestIds {
  /** `xxxxxxxx-xxxx-4xxx-yxxx-` from one random UUID (version and variant kept). */
  private readonly dashedPrefix: string;
  /** The same 20 hex digits without dashes. */
  private readonly hexPrefix: string;
  private counter: number;

  constructor() {
    const seed = randomUUID();
    this.dashedPrefix = seed.slice(0, 24);
    this.hexPrefix = seed.slice(0, 23).replace(/-/g, '');
    // Start at a random point of the counter, so two servers with the same prefix (never in practice) still differ.
    this.counter = Number.parseInt(seed.slice(24, 35), 16);
  }

  /** A UUID-shaped id: `8-4-4-4-12` hex digits. */
  uuid(): string {
    return this.dashedPrefix + this.next();
  }

  /** 32 hex digits (a UUID without its dashes), for `chatcmpl-…` and `req_…` ids. */
  hex(): string {
    return this.hexPrefix + this.next();
  }

  private next(): string {
    this.counter = (this.counter + 1) % 0x1_0000_0000_0000;
    return this.counter.toString(16).padStart(12, '0');
  }
}
