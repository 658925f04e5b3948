/**
 * Runs one TypeScript file of this repository as a script: `node scripts/run-typescript.mjs FILE.ts [args]`.
 *
 * Why Vite's module runner and not a hand-written loader: node 20 cannot run
 * TypeScript, and the maintenance scripts reuse test support code (limiters, probe
 * cases) that only exists as TypeScript. Vite (already installed, it is what vitest
 * runs on) transforms each file on import exactly as the tests see it; packages
 * load natively.
 */
import { resolve } from 'node:path';
import { createServer, createServerModuleRunner } from 'vite';

const [file, ...rest] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node scripts/run-typescript.mjs FILE.ts [args]\n');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(file), ...rest];

const server = await createServer({
  configFile: false,
  appType: 'custom',
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false },
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
try {
  await runner.import(resolve(file));
} finally {
  await runner.close();
  await server.close();
}
