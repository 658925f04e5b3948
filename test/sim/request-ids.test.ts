import { describe, expect, it } from 'vitest';
import { RequestIds } from '../../src/sim/request-ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('RequestIds', () => {
  it('hands out UUID-shaped and 32-hex ids that never repeat within a server', () => {
    const ids = new RequestIds();
    const seen = new Set<string>();
    for (let index = 0; index < 50_000; index++) {
      const uuid = ids.uuid();
      const hex = ids.hex();
      expect(uuid).toMatch(UUID);
      expect(hex).toMatch(/^[0-9a-f]{32}$/);
      seen.add(uuid.replace(/-/g, ''));
      seen.add(hex);
    }
    expect(seen.size).toBe(100_000);
  });

  it('gives two servers different ids', () => {
    expect(new RequestIds().uuid()).not.toBe(new RequestIds().uuid());
  });
});
