import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeenNumbers } from '../../src/record/seen-numbers.js';

describe('SeenNumbers', () => {
  it('answers like a Set for any sequence of whole numbers, small, growing or beyond the bitmap', () => {
    const value = fc.oneof(fc.nat(5000), fc.nat(2 ** 20), fc.integer({ min: 2 ** 27 - 3, max: 2 ** 27 + 3 }), fc.maxSafeNat());
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        const seen = new SeenNumbers();
        const reference = new Set<number>();
        for (const number of values) {
          expect(seen.addIfNew(number)).toBe(!reference.has(number));
          reference.add(number);
        }
      }),
    );
  });
});
