/**
 * The `x-ms-client-request-id` of each request: UUID-shaped (version 4, variant
 * 8), so Azure accepts it and echoes it, and a recording line can be matched to
 * the server's logs. Shared by both transports.
 */
import { randomBytes } from 'node:crypto';

/**
 * Unique ids for one transport: a random prefix drawn once, then a hexadecimal
 * counter in the last group. Why not randomUUID() per request: a burst sends
 * thousands in one loop, and a counter costs a string concat where a UUID costs a
 * random draw and formatting.
 */
export class ClientRequestIds {
  private readonly prefix: string;
  private counter = 0;

  constructor() {
    const random = randomBytes(9).toString('hex');
    this.prefix = `${random.slice(0, 8)}-${random.slice(8, 12)}-4${random.slice(12, 15)}-8${random.slice(15, 18)}-`;
  }

  /** The next id: 36 characters, never repeated within this transport. */
  next(): string {
    return this.prefix + (this.counter++).toString(16).padStart(12, '0');
  }
}
