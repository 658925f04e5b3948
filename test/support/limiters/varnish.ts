/**
 * Varnish Cache with vmod_vsthrottle (Debian's varnish-modules) as a real limiter for
 * the probe: `vsthrottle.is_denied(client.identity, limit, period)` in vcl_recv, a
 * synthetic 429 when denied and a synthetic 200 chat completion otherwise (no backend).
 * varnishd runs in the foreground (`-F`) as a child of the test, its working folder
 * and VCL in a temp folder.
 *
 * The truth, from the vmod's source: a token bucket of `limit` tokens that refills
 * `limit` per `period`, but in whole tokens only and counted from the last ADMITTED
 * request (`tokens += (long)(elapsed / period × limit)`, then the admission resets
 * the clock): the fraction of a token earned since the last admission is dropped on
 * every admission, and refused requests leave the clock alone. A whole-token bucket:
 * burst = limit, the rate admitted in full over the long run = limit / period (one
 * request per period / limit seconds), recovery from empty = period; offered a little
 * faster than that, it admits far less (at 1.2 × the rate, about 0.6 × it).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, freePort, startServerInFolder } from './child-server.js';
import type { RunningLimiter } from './running-limiter.js';
import { COMPOUND_GOAL } from '../../probe/support/cases.js';

/** Settings of one vsthrottle limit. */
export interface VarnishThrottleOptions {
  limit: number;
  periodSeconds: number;
}

/** The varnishd binary, or null when Varnish is not installed. */
export function varnishPath(): string | null {
  return findExecutable(['/usr/sbin/varnishd', '/usr/local/sbin/varnishd'], 'varnishd');
}

/** Where Debian puts the vmods (varnish-modules installs vsthrottle there). */
function vsthrottleInstalled(): boolean {
  return findExecutable(['/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_vsthrottle.so', '/usr/lib/aarch64-linux-gnu/varnish/vmods/libvmod_vsthrottle.so', '/usr/lib/varnish/vmods/libvmod_vsthrottle.so'], 'libvmod_vsthrottle.so') !== null;
}

/**
 * The message a test fails with when Varnish or vsthrottle is missing: `.ci/run`
 * installs both (apt-get), so a missing one is a broken machine, not a case to skip.
 * Null when both are there.
 */
export function varnishMissing(): string | null {
  if (varnishPath() === null) return 'Varnish is not installed: `.ci/run` installs it (apt-get install varnish varnish-modules)';
  if (!vsthrottleInstalled()) return 'vmod_vsthrottle is not installed: `.ci/run` installs it (apt-get install varnish-modules)';
  return null;
}

const ANSWER = '{"choices":[{"message":{"role":"assistant","content":"ok"}}],"usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}';

/** Starts varnishd with one vsthrottle limit per client in front of a synthetic 200. */
export async function startVarnishThrottle(options: VarnishThrottleOptions): Promise<RunningLimiter> {
  const binary = varnishPath();
  const missing = varnishMissing();
  if (binary === null || missing !== null) throw new Error(missing ?? 'Varnish is not installed');
  const folder = mkdtempSync(join(tmpdir(), 'aoai-probe-varnish-'));
  // varnishd started as root runs its compiler and child as its own users, which must
  // read the VCL and write the working folder.
  chmodSync(folder, 0o777);
  const port = await freePort();
  const vcl = `vcl 4.1;
import vsthrottle;
backend default none;
sub vcl_recv {
  if (vsthrottle.is_denied(client.identity, ${options.limit}, ${options.periodSeconds * 1000}ms)) {
    return (synth(429, "Too Many Requests"));
  }
  return (synth(200, "OK"));
}
sub vcl_synth {
  if (resp.status == 200) {
    set resp.http.content-type = "application/json";
    set resp.body = """${ANSWER}""";
    return (deliver);
  }
}
`;
  const vclPath = join(folder, 'limit.vcl');
  writeFileSync(vclPath, vcl);
  chmodSync(vclPath, 0o644);
  const started = await startServerInFolder(folder, binary, ['-F', '-a', `127.0.0.1:${port}`, '-f', vclPath, '-n', join(folder, 'work'), '-s', 'malloc,16m'], port, 30_000);
  return {
    name: `Varnish vsthrottle.is_denied(client.identity, ${options.limit}, ${options.periodSeconds}s) (whole tokens from the last admission)`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: options.limit, perSecond: options.limit / options.periodSeconds, windowSeconds: options.periodSeconds, shape: 'token-bucket', goal: COMPOUND_GOAL },
    stop: () => started.stop(),
  };
}
