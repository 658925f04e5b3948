/**
 * Installs the system tools the bench needs when they are missing: nginx (the target),
 * tcpdump (wire timing) and GNU time (`/usr/bin/time -v`, peak memory), with apt-get.
 * autocannon is a devDependency; the bench only checks that `npm install` put it there.
 */
import { createRequire } from 'node:module';
import { hasCommand, runCommand } from './proc.js';

const require = createRequire(import.meta.url);

/** Debian package that provides each command. */
const PACKAGES = [
  ['nginx', 'nginx'],
  ['tcpdump', 'tcpdump'],
  ['/usr/bin/time', 'time'],
];

/** Installs what is missing (apt-get update first only if a plain install fails). */
export async function ensureTools(log) {
  const missing = PACKAGES.filter(([command]) => !hasCommand(command) && !hasCommand(`/usr/sbin/${command}`)).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    log(`installing ${missing.join(', ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = ['install', '-y', '-qq', '--no-install-recommends', ...missing];
    const first = await runCommand('apt-get', install, { env, timeoutMs: 300_000, allowFailure: true });
    if (first.code !== 0) {
      await runCommand('apt-get', ['update', '-qq'], { env, timeoutMs: 300_000 });
      await runCommand('apt-get', install, { env, timeoutMs: 300_000 });
    }
  }
  try {
    require.resolve('autocannon/autocannon.js');
  } catch {
    throw new Error('autocannon (a devDependency) is missing: run `npm install` first');
  }
}
