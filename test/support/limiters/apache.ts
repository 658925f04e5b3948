/**
 * Apache httpd's two rate-limiting modules from Debian as real limiters for the
 * probe, each in front of a 200 answer (see apache-process.ts).
 *
 * The truths, read from the modules' source and checked against the running server:
 *
 * - mod_evasive (`DOSPageCount N`, `DOSPageInterval 1`, `DOSBlockingPeriod B`): a
 *   client's hits on one URI are counted per calendar second (the counter is cleared
 *   when the previous hit fell in an earlier second: time is kept in whole seconds),
 *   and the hit that would be the (N + 1)-th of one second is refused and puts the
 *   client's address on hold. While on hold every request is refused AND moves the
 *   hold's start to now: a window every refusal restarts, so the client gets in again
 *   only after B seconds of silence (in whole seconds, so between B − 1 and B s of
 *   real quiet). Burst = N, rate = N per second, recovery = B.
 *
 * - mod_qos (`QS_ClientEventLimitCount L T`, the event set on every request): a fixed
 *   window per client that starts at its first request (kept in whole seconds) and is
 *   cleared once the clock has passed start + T, i.e. at the first whole second after
 *   it, T to T + 1 s after the first request. Every request counts, refused ones too,
 *   but they do not move the window; a request is refused once the count reaches L, so
 *   L − 1 get in. A client that keeps sending gets L − 1 per T + 1 s. Burst = L − 1,
 *   rate = (L − 1) / (T + 1), recovery = T + 1 (from a burst at the very start of a
 *   second; T + a fraction from later in it).
 *
 * Both refuse with a status set in the config and httpd's own HTML error page (a
 * gateway's page to the probe, as nginx's is).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './child-server.js';
import { apacheMissing, apachePath, startApacheProcess } from './apache-process.js';
import type { RunningLimiter } from './running-limiter.js';
import { COMPOUND_GOAL } from '../../probe/support/cases.js';

export { apacheMissing, apachePath };

/** The module files each limiter needs (for the "not installed" message). */
export const MOD_EVASIVE_FILES = ['mod_evasive20.so'] as const;
export const MOD_QOS_FILES = ['mod_qos.so', 'mod_setenvif.so'] as const;

/** Settings of one mod_evasive page limit. */
export interface ModEvasiveOptions {
  /** DOSPageCount: hits on one URI allowed per second. */
  pageCount: number;
  /** DOSBlockingPeriod, whole seconds. */
  blockSeconds: number;
  /** DOSHTTPResponseCode (the module's default is 403, which no client reads as "slow down"). */
  status: 429 | 503;
}

/** Starts httpd with mod_evasive limiting hits per URI per second. */
export async function startModEvasive(options: ModEvasiveOptions): Promise<RunningLimiter> {
  const port = await freePort();
  const server = await startApacheProcess('mod-evasive', port, [['evasive20_module', 'mod_evasive20.so']], (folder) => `
DOSHashTableSize 3097
DOSPageCount ${options.pageCount}
DOSPageInterval 1
DOSSiteCount 1000000
DOSSiteInterval 1
DOSBlockingPeriod ${options.blockSeconds}
DOSHTTPResponseCode ${options.status}
DOSLogDir ${folder}
`);
  return {
    name: `Apache mod_evasive DOSPageCount=${options.pageCount} DOSPageInterval=1 DOSBlockingPeriod=${options.blockSeconds} (${options.status}; every refusal restarts the block)`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: options.pageCount, perSecond: options.pageCount, windowSeconds: options.blockSeconds, shape: 'fixed-window', goal: COMPOUND_GOAL },
    stop: () => server.stop(),
  };
}

/**
 * Debian's mod_qos calls PCRE 1 functions it expects httpd to have loaded (httpd
 * itself moved to PCRE 2), so libpcre.so.3 is loaded first; the package depends on it.
 */
function pcreLibrary(): string | null {
  const folders = ['/lib', '/usr/lib', '/lib64', '/usr/lib64'];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    const candidates = [join(folder, 'libpcre.so.3'), ...readdirSync(folder).filter((name) => name.endsWith('-linux-gnu')).map((name) => join(folder, name, 'libpcre.so.3'))];
    const found = candidates.find((path) => existsSync(path));
    if (found !== undefined) return found;
  }
  return null;
}

/** Settings of one mod_qos per-client event limit. */
export interface ModQosOptions {
  /** QS_ClientEventLimitCount's number: refused once a client's count reaches it. */
  limit: number;
  /** QS_ClientEventLimitCount's seconds. */
  seconds: number;
  /** QS_ErrorResponseCode (the module's default is 500). */
  status: 429 | 503;
}

/** Starts httpd with mod_qos counting every request of a client as an event. */
export async function startModQos(options: ModQosOptions): Promise<RunningLimiter> {
  const port = await freePort();
  const pcre = pcreLibrary();
  const server = await startApacheProcess(
    'mod-qos',
    port,
    [
      ['setenvif_module', 'mod_setenvif.so'],
      ['qos_module', 'mod_qos.so'],
    ],
    () => `
QS_ClientEntries 1000
QS_ErrorResponseCode ${options.status}
SetEnvIf Request_URI ^/ QS_Limit=yes
QS_ClientEventLimitCount ${options.limit} ${options.seconds}
`,
    pcre === null ? [] : [pcre],
  );
  const cycle = options.seconds + 1;
  return {
    name: `Apache mod_qos QS_ClientEventLimitCount ${options.limit} ${options.seconds} on every request (${options.status}; refused requests counted)`,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    truth: { burst: options.limit - 1, perSecond: (options.limit - 1) / cycle, windowSeconds: cycle, shape: 'fixed-window', goal: COMPOUND_GOAL },
    stop: () => server.stop(),
  };
}
