/**
 * The set of request numbers (`seq`) a recording has shown so far, so that a duplicated
 * line is caught while reading.
 *
 * Why not a `Set<number>`: on a million-line recording the Set's hashing and rehashing
 * cost about 0.8 s, a fifth of `report`'s whole time. Request numbers are small whole
 * numbers handed out in order, so one bit per number is enough: the bitmap grows by
 * doubling and costs an eighth of a byte per request. Numbers beyond the bitmap's cap (a
 * hand-edited or foreign file) fall back to a Set, so any whole number ≥ 0 still works.
 */
export class SeenNumbers {
  /** Numbers at or above this go to the fallback Set: 2^27 bits is a 16 MiB bitmap at most. */
  private static readonly BITMAP_CAP = 2 ** 27;
  private bits = new Uint32Array(1024);
  private readonly beyondCap = new Set<number>();

  /** True when `value` (a whole number ≥ 0) was not seen before; it is seen from now on. */
  addIfNew(value: number): boolean {
    if (value >= SeenNumbers.BITMAP_CAP) {
      if (this.beyondCap.has(value)) return false;
      this.beyondCap.add(value);
      return true;
    }
    const word = value >>> 5;
    if (word >= this.bits.length) this.grow(word);
    const mask = 1 << (value & 31);
    if ((this.bits[word]! & mask) !== 0) return false;
    this.bits[word]! |= mask;
    return true;
  }

  private grow(word: number): void {
    let length = this.bits.length;
    while (length <= word) length *= 2;
    const bigger = new Uint32Array(length);
    bigger.set(this.bits);
    this.bits = bigger;
  }
}
