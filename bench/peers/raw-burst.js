/**
 * Peer: the Node floor for a burst — no HTTP library. `size` net.Sockets are opened and
 * warmed with one request each; then each trial writes one pre-serialised request per
 * socket in a single synchronous loop (perf-baselines.md "noderaw-warm").
 *
 * Why hand-written HTTP: this is the point of the peer — it shows what the runtime itself
 * can do, so the gap between it and any HTTP client is the client's cost.
 */
import net from 'node:net';
import { readOptions, report, sleep } from './args.js';

const { port, path, body, headers, size, trials, pauseMs, tagPrefix } = readOptions();

function requestBytes(tag) {
  const head = [`POST ${path}?tag=${tag} HTTP/1.1`, `host: 127.0.0.1:${port}`, `content-length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** One socket with a tiny answer counter: the static answer always ends with '}'. */
function openSocket() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const state = { socket, pending: null };
    socket.on('data', (chunk) => {
      if (chunk[chunk.length - 1] === 0x7d && state.pending) {
        const done = state.pending;
        state.pending = null;
        done();
      }
    });
    socket.once('connect', () => resolve(state));
    socket.once('error', reject);
  });
}

function answered(state) {
  return new Promise((resolve) => { state.pending = resolve; });
}

const sockets = await Promise.all(Array.from({ length: size }, openSocket));

async function burst(tag) {
  const bytes = requestBytes(tag);
  const waits = sockets.map(answered);
  const started = performance.now();
  for (const state of sockets) state.socket.write(bytes);
  const writeLoopMs = performance.now() - started;
  await Promise.all(waits);
  return { tag, writeLoopMs, durationMs: performance.now() - started };
}

await burst(`${tagPrefix}-warm`);
const results = [];
for (let trial = 1; trial <= trials; trial += 1) {
  await sleep(pauseMs);
  results.push(await burst(`${tagPrefix}-${trial}`));
}
for (const state of sockets) state.socket.destroy();
report({ connected: sockets.length, trials: results });
