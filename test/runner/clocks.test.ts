import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../src/run/pacing/fake-clock.js';
import { createRealClock } from '../../src/run/pacing/real-clock.js';

describe('fake clock, manual', () => {
  it('moves only when advanced and wakes sleepers in due order', async () => {
    const clock = createFakeClock();
    const woken: string[] = [];
    void clock.sleepUntil(300).then(() => woken.push(`c@${clock.now()}`));
    void clock.sleepUntil(100).then(() => woken.push(`a@${clock.now()}`));
    void clock.sleepUntil(100).then(() => woken.push(`b@${clock.now()}`));
    await clock.advance(99);
    expect(woken).toEqual([]);
    expect(clock.now()).toBe(99);
    await clock.advance(250);
    expect(woken).toEqual(['a@100', 'b@100', 'c@300']);
    expect(clock.now()).toBe(349);
    expect(clock.pendingSleepers).toBe(0);
  });

  it('lets woken code run (and sleep again) before waking the next sleeper', async () => {
    const clock = createFakeClock();
    const woken: number[] = [];
    const loop = async (): Promise<void> => {
      for (let at = 100; at <= 300; at += 100) {
        await clock.sleepUntil(at);
        woken.push(clock.now());
      }
    };
    void loop();
    await clock.advance(1000);
    expect(woken).toEqual([100, 200, 300]);
  });

  it('wakes a sleeper early when its signal aborts', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const sleep = clock.sleepUntil(1000, controller.signal);
    controller.abort();
    await sleep;
    expect(clock.now()).toBe(0);
    expect(clock.pendingSleepers).toBe(0);
    await clock.sleepUntil(10, AbortSignal.abort());
  });

  it('jump stalls time without waking anyone until the next advance', async () => {
    const clock = createFakeClock();
    let woken = false;
    void clock.sleepUntil(50).then(() => (woken = true));
    clock.jump(80);
    expect(clock.now()).toBe(80);
    expect(woken).toBe(false);
    await clock.advance(0);
    expect(woken).toBe(true);
  });
});

describe('fake clock, auto-advancing', () => {
  it('jumps to the earliest sleeper whenever nothing else can run', async () => {
    const clock = createFakeClock({ autoAdvance: true, startMs: 10 });
    const seen: number[] = [];
    await Promise.all([
      clock.sleepUntil(500).then(() => seen.push(clock.now())),
      clock.sleepUntil(200).then(async () => {
        seen.push(clock.now());
        await clock.sleepUntil(300);
        seen.push(clock.now());
      }),
    ]);
    expect(seen).toEqual([200, 300, 500]);
  });
});

describe('real clock', () => {
  it('starts near 0 and is monotonic', () => {
    const clock = createRealClock();
    const first = clock.now();
    const second = clock.now();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(50);
    expect(second).toBeGreaterThanOrEqual(first);
  });

  it('never wakes before the due time, and wakes soon after it', async () => {
    const clock = createRealClock();
    const lateness: number[] = [];
    for (let index = 1; index <= 20; index++) {
      const due = clock.now() + 5 + (index % 3);
      await clock.sleepUntil(due);
      lateness.push(clock.now() - due);
    }
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    // Loose: this box is shared; typical lateness is well under 1 ms, a loaded box can add tens.
    expect(lateness.sort((a, b) => a - b)[10]).toBeLessThan(20);
  });

  it('never wakes early for sub-millisecond sleeps, whichever way their last stretch is waited', async () => {
    // 0.01-0.05 ms: spun through at once; 0.1-0.9 ms: blocking slices, then the last stretch spun.
    for (const options of [{}, { waitSliceMs: 0 }]) {
      const clock = createRealClock(options);
      for (const aheadMs of [0.01, 0.05, 0.1, 0.3, 0.9]) {
        const due = clock.now() + aheadMs;
        await clock.sleepUntil(due);
        expect(clock.now()).toBeGreaterThanOrEqual(due);
      }
    }
  });

  it('never resolves synchronously, even when already due', async () => {
    const clock = createRealClock();
    let resolved = false;
    const sleep = clock.sleepUntil(-1).then(() => (resolved = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(false);
    await sleep;
    expect(resolved).toBe(true);
    // Nor when due within the stretch that is spun through.
    let soon = false;
    const short = clock.sleepUntil(clock.now() + 0.02).then(() => (soon = true));
    await Promise.resolve();
    expect(soon).toBe(false);
    await short;
    expect(soon).toBe(true);
  });

  it('returns early when the signal aborts', async () => {
    const clock = createRealClock();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = clock.now();
    await clock.sleepUntil(started + 10_000, controller.signal);
    expect(clock.now() - started).toBeLessThan(2000);
  });
});
