/** Per-second stats: GET /_sim/stats on a fake clock, and `aoai-probe sim --stats` lines. */
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { FakeClock, chatBody, chatPath, post, request } from './helpers.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

describe('GET /_sim/stats', () => {
  it('counts admitted, refused by class and tokens charged per second', async () => {
    const clock = new FakeClock();
    simulator = await startSimulator({ clock: clock.read, tpm: 10_000 });
    const url = simulator.url + chatPath();
    // Second 0: a burst of 3 at 10,000 TPM (10 per 10 s, 1 per 1 s): 1 admitted, 2 refused by the 1-s cap.
    const first = await Promise.all([0, 1, 2].map(() => post(url, chatBody({ max_tokens: 100 }, 'abcd'))));
    expect(first.map((answer) => answer.status).sort()).toEqual([200, 429, 429]);
    clock.advance(1500);
    // Second 1: one too large to ever fit, one admitted.
    expect((await post(url, chatBody({ max_tokens: 20_000 }))).status).toBe(429);
    expect((await post(url, chatBody({ max_tokens: 200 }, 'abcd'))).status).toBe(200);
    clock.advance(1000);
    const stats = await request(`${simulator.url}/_sim/stats`, {});
    expect(stats.status).toBe(200);
    expect(stats.json.seconds).toEqual([
      { second: 0, admitted: 1, refused: { requests: 2, tokens: 0, never: 0, capacity: 0 }, faults: 0, tokensCharged: 101 },
      { second: 1, admitted: 1, refused: { requests: 0, tokens: 0, never: 1, capacity: 0 }, faults: 0, tokensCharged: 201 },
    ]);
    expect(stats.json.totals).toEqual({ admitted: 2, refused: { requests: 2, tokens: 0, never: 1, capacity: 0 }, faults: 0, tokensCharged: 302 });
    expect(stats.json.uptimeSeconds).toBe(2.5);
    expect(simulator.stats!()).toEqual(stats.json);
  });
});

describe('aoai-probe sim --stats', () => {
  it('prints a line per second that saw requests', async () => {
    const err: string[] = [];
    const out: string[] = [];
    const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
    const io: CliIo = {
      argv: ['sim', '--stats'],
      env: {},
      cwd: process.cwd(),
      stdout: { write: (chunk: string) => out.push(chunk) > 0 },
      stderr: { write: (chunk: string) => err.push(chunk) > 0 },
      onInterrupt(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
      setExitCode() {},
      exitNow(code: number): never {
        throw new Error(`exitNow(${code})`);
      },
    } as CliIo;
    const running = main(io);
    const deadline = performance.now() + 20_000;
    while (!out.join('').includes('listening on') && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = /listening on (\S+)/.exec(out.join(''))![1]!;
    for (let index = 0; index < 7; index++) await post(url + chatPath(), chatBody({ max_tokens: 10 }, 'abcd'));
    while (!err.join('').includes('second ') && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const handler of [...handlers]) handler('SIGINT');
    await running;
    expect(err.join('')).toMatch(/aoai-probe sim: second \d+: admitted [1-7], refused [0-6] \(requests [0-6], tokens 0, never 0, capacity 0\), faults 0, [\d,]+ tokens charged/);
  }, 30_000);
});
