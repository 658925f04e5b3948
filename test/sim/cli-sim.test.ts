/**
 * `aoai-probe sim`: flags → options (all problems at once, exit 2), the ready
 * line, --verbose logs, and a clean stop on SIGINT/SIGTERM — in-process with a
 * fake CliIo, and end to end by spawning the built bin.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { ROOT, ensureBuilt, runCli, startCli, waitFor } from '../support/spawn-cli.js';
import { chatBody, chatPath, post } from './helpers.js';

/** A CliIo that records output and lets the test fire Ctrl-C. */
function fakeIo(argv: string[]): CliIo & { out: string[]; err: string[]; exitCode: number | undefined; interrupt(signal?: 'SIGINT' | 'SIGTERM'): void } {
  const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
  const io = {
    argv,
    env: {},
    cwd: ROOT,
    out: [] as string[],
    err: [] as string[],
    exitCode: undefined as number | undefined,
    stdout: { write: (chunk: string) => io.out.push(chunk) > 0 },
    stderr: { write: (chunk: string) => io.err.push(chunk) > 0 },
    onInterrupt(handler: (signal: 'SIGINT' | 'SIGTERM') => void) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    setExitCode(code: number) {
      io.exitCode = code;
    },
    exitNow(code: number): never {
      throw new Error(`exitNow(${code})`);
    },
    interrupt(signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') {
      for (const handler of [...handlers]) handler(signal);
    },
  };
  return io;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('aoai-probe sim (in-process)', () => {
  it('rejects bad flags with every problem at once and exit code 2', async () => {
    const io = fakeIo(['sim', '--tpm', 'ten', '--port', '70000', '--profile', 'azure-gold', '--limiter', 'token-bucket:rate=fast', '--latency', 'slow', '--faults', 'fire', '--fault-rate', '2']);
    await main(io);
    expect(io.exitCode).toBe(2);
    const text = io.err.join('');
    for (const fragment of ['--tpm: "ten"', '--port: 70000', '--profile: "azure-gold"', '"capacity" is required', 'rate=fast is not a rate', '--latency: "slow"', '--fault-rate: "2"', '--faults: "fire"']) {
      expect(text).toContain(fragment);
    }
    expect(text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(io.out.join('')).toBe('');
  });

  it('asks for a rate when faults are listed without one', async () => {
    const io = fakeIo(['sim', '--faults', '500']);
    await main(io);
    expect(io.exitCode).toBe(2);
    expect(io.err.join('')).toContain('--faults: set how often with --fault-rate');
  });

  it('prints one ready line, serves, logs with --verbose, and stops cleanly on Ctrl-C', async () => {
    const io = fakeIo(['sim', '--port', '0', '--profile', 'azure-seed', '--region', 'West Europe', '--deployments', 'a,b', '--verbose', '--fault-rate', '0', '--faults', '500']);
    const running = main(io);
    await until(() => io.out.join('').includes('\n'));
    const out = io.out.join('');
    expect(out.split('\n').filter((line) => line !== '')).toHaveLength(1);
    const match = /^aoai-probe sim: azure-seed, 50,000 TPM \(300 RPM: 50 per 10 s, 5 per 1 s\), a flat 648 tokens per request, listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(out);
    expect(match).not.toBeNull();
    const url = match![1]!;
    const answer = await post(url + chatPath('a'), chatBody());
    expect([answer.status, answer.headers['x-ms-region'], answer.headers['x-ratelimit-remaining-tokens']]).toEqual([200, 'West Europe', '49352']);
    expect((await post(url + chatPath('c'), chatBody())).status).toBe(404);
    const logLines = io.err.join('').split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
    expect(logLines).toHaveLength(2);
    expect(logLines[0]).toMatch(/ POST \/openai\/deployments\/a\/chat\/completions 200 a admitted charge=648 remaining-requests=49 remaining-tokens=49352 /);
    expect(logLines.join('')).not.toContain('test-key');
    io.interrupt('SIGINT');
    await running;
    expect(io.exitCode).toBe(130);
    expect(io.err.join('')).toContain('aoai-probe sim: stopped');
    await expect(post(url + chatPath('a'), chatBody())).rejects.toThrow();
  });

  it('says why when the port is taken', async () => {
    const first = fakeIo(['sim', '--port', '0']);
    const running = main(first);
    await until(() => first.out.join('').includes('\n'));
    const port = /:(\d+)\n$/.exec(first.out.join(''))![1]!;
    const second = fakeIo(['sim', '--port', port]);
    await main(second);
    expect(second.exitCode).toBe(2);
    expect(second.err.join('')).toContain(`port ${port} on 127.0.0.1 is already in use`);
    first.interrupt('SIGTERM');
    await running;
  });

  it('has --help a person can read', async () => {
    const io = fakeIo(['sim', '--help']);
    await main(io);
    expect(io.exitCode).toBe(0);
    const help = io.out.join('');
    for (const fragment of ['exit code 130 (interrupted)', '--no-subsecond-cap', '--limiter <spec>', 'Profiles:', 'azure-seed', 'token-bucket:capacity=10,rate=5/s', 'minus-one-headers', 'Examples:']) {
      expect(help).toContain(fragment);
    }
  });
});

describe('aoai-probe sim (spawned bin)', () => {
  beforeAll(() => {
    ensureBuilt();
    expect(existsSync(join(ROOT, 'dist/cli/commands/sim.js'))).toBe(true);
  }, 240_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`starts on a free port, answers, and exits 130 (interrupted, as every command) on ${signal}`, async () => {
      const running = startCli(['sim', '--port', '0'], { cwd: ROOT });
      const child = running.child;
      try {
        await waitFor(() => running.stdout().includes('\n'), 20_000, 'the ready line');
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(running.stdout());
        expect(match, running.stdout() + running.stderr()).not.toBeNull();
        expect(running.stdout()).toMatch(/^aoai-probe sim: azure-standard, 50,000 TPM \(300 RPM: 50 per 10 s, 5 per 1 s\), listening on /);
        const answer = await post(match![1]! + chatPath(), chatBody());
        expect([answer.status, answer.json.object]).toEqual([200, 'chat.completion']);
        child.kill(signal);
        const { code, stdout, stderr } = await running.done;
        expect(code).toBe(130);
        expect(stderr).toContain('aoai-probe sim: stopped');
        expect(stdout.split('\n').filter((line) => line !== '')).toHaveLength(1);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }, 30_000);
  }

  it('exits 2 with a message for a bad flag', async () => {
    const { code, stderr } = await runCli(['sim', '--rpm', '-5'], { cwd: ROOT });
    expect(code).toBe(2);
    expect(stderr).toContain('--rpm');
  }, 30_000);
});
