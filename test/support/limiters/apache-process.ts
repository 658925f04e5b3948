/**
 * One way to run Apache httpd for the tests: a temp folder holding the config, pid,
 * error log, runtime files and the answering Lua handler, httpd in the foreground
 * (`-DFOREGROUND`) as a child of the test, one child process with many threads
 * (mpm_event), stopped and cleaned up together.
 *
 * Why one child process: mod_evasive keeps its hit table in each child's memory, so
 * with several children a client's requests would be counted apart and the limit
 * would depend on which child took the connection.
 *
 * Why a Lua handler answers: httpd's own file handler refuses POST (405), and a
 * proxy or CGI behind it would add a second process to every test. mod_lua ships
 * with Debian's apache2 package, as mod_evasive and mod_qos run in the access phase
 * before any handler, which is where a limiter in front of an API sits.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, startServerInFolder } from './child-server.js';

/** Where Debian (and Ubuntu) put httpd's modules. */
const MODULE_FOLDERS = ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules'];

/** The modules every test server loads: the threaded MPM, the access phase's core, the Lua answer. */
const BASE_MODULES = ['mod_mpm_event.so', 'mod_authz_core.so', 'mod_lua.so'];

/** The httpd binary, or null when Apache is not installed. */
export function apachePath(): string | null {
  return findExecutable(['/usr/sbin/apache2', '/usr/sbin/httpd', '/usr/local/apache2/bin/httpd'], 'apache2');
}

/** The path of a module file (`mod_evasive20.so`), or null when it is not installed. */
export function apacheModulePath(file: string): string | null {
  return findExecutable(MODULE_FOLDERS.map((folder) => join(folder, file)), file);
}

/**
 * The message a test fails with when httpd or a module is missing: the suite runs on
 * real limiters only, and `.ci/run` installs them (apt-get), so a missing one is a
 * broken machine, not a case to skip.
 */
export function apacheMissing(modules: readonly string[]): string | null {
  if (apachePath() === null) return 'Apache httpd is not installed: `.ci/run` installs it (apt-get install apache2 libapache2-mod-evasive libapache2-mod-qos)';
  const absent = [...BASE_MODULES, ...modules].filter((file) => apacheModulePath(file) === null);
  if (absent.length > 0) return `the Apache modules ${absent.join(', ')} are not installed: \`.ci/run\` installs them (apt-get install libapache2-mod-evasive libapache2-mod-qos)`;
  return null;
}

/** A running httpd; `stop` ends it and removes its folder. */
export interface RunningApache {
  stop(): Promise<void>;
}

const ANSWER = '{"choices":[{"message":{"role":"assistant","content":"ok"}}],"usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}';

/**
 * Starts httpd on `port` with `modules` (LoadModule lines, each `name file`) and the
 * `directives` that configure them, every path answered 200 with a small chat
 * completion. `folder` (a temp folder, world-readable so the child that drops to
 * www-data can read the handler) is passed to `directives` for files a module writes.
 */
export async function startApacheProcess(
  label: string,
  port: number,
  modules: readonly [name: string, file: string][],
  directives: (folder: string) => string,
  preload: readonly string[] = [],
): Promise<RunningApache> {
  const binary = apachePath();
  const missing = apacheMissing(modules.map(([, file]) => file));
  if (binary === null || missing !== null) throw new Error(missing ?? 'Apache httpd is not installed');
  const folder = mkdtempSync(join(tmpdir(), `aoai-probe-${label}-`));
  chmodSync(folder, 0o777);
  writeFileSync(
    join(folder, 'answer.lua'),
    `function handle(r)\n  r.content_type = "application/json"\n  r:puts('${ANSWER}')\n  return apache2.OK\nend\n`,
  );
  const module = (name: string, file: string): string => `LoadModule ${name} ${apacheModulePath(file)!}`;
  // Running as root, httpd insists on dropping to a user for its children; otherwise it
  // cannot and the lines would only draw a warning.
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const config = `
ServerRoot ${folder}
DefaultRuntimeDir ${folder}
PidFile ${folder}/httpd.pid
ErrorLog ${folder}/error.log
LogLevel warn
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
${asRoot ? 'User www-data\nGroup www-data' : ''}
${preload.map((path) => `LoadFile ${path}`).join('\n')}
${module('mpm_event_module', 'mod_mpm_event.so')}
${module('authz_core_module', 'mod_authz_core.so')}
${module('lua_module', 'mod_lua.so')}
${modules.map(([name, file]) => module(name, file)).join('\n')}
StartServers 1
ServerLimit 1
MinSpareThreads 1
MaxSpareThreads 128
ThreadsPerChild 128
MaxRequestWorkers 128
KeepAlive On
MaxKeepAliveRequests 0
${directives(folder)}
LuaMapHandler ^/ ${folder}/answer.lua handle
`;
  const configPath = join(folder, 'httpd.conf');
  writeFileSync(configPath, config);
  chmodSync(join(folder, 'answer.lua'), 0o644);
  const started = await startServerInFolder(folder, binary, ['-f', configPath, '-DFOREGROUND'], port);
  return {
    stop: () => started.stop(),
  };
}
