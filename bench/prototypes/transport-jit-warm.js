/**
 * Prototype transport: the product's transport (dist/run/transport.js) plus a JIT
 * warm-up inside prepare() that never touches the target.
 *
 * Why: a burst's spread on the wire is the per-request cost of undici's write path times
 * N, and that cost is 3–5× higher while V8 still runs it unoptimised (the baselines saw a
 * process's third burst of 500 at 12–22 ms against 28–43 ms for its first two). Warming
 * with real requests would spend the quota being measured. So prepare(n) also fires n
 * requests through a second transport of the same code (same undici Pool, handler and
 * payload) at an in-process loopback sink that answers every request with a canned 200:
 * the code paths get hot, the target sees nothing.
 *
 * Options (env, for A/B runs): BENCH_JIT_ROUNDS (default 2) warm-up rounds per prepare.
 */
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { createTransport: createProductTransport } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'run', 'transport.js')).href);

const CANNED = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-ratelimit-remaining-requests: 49\r\nx-ratelimit-remaining-tokens: 49352\r\n' +
    'content-length: 83\r\nconnection: keep-alive\r\n\r\n' +
    '{"id":"x","object":"chat.completion","usage":{"prompt_tokens":1,"completion_tokens":1}}',
);

/** A loopback server that answers each request (one per "\r\n\r\n" + body) with CANNED. */
function startSink() {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('data', (chunk) => {
        // One POST per chunk is what a warm-up sends (one request per connection at a time).
        if (chunk.includes('POST ')) socket.write(CANNED);
      });
      socket.on('error', () => {});
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export function createTransport(options) {
  const product = createProductTransport(options);
  const rounds = Number(process.env.BENCH_JIT_ROUNDS ?? 2);
  let sink = null;
  let sinkTransport = null;
  let seq = 0;
  const ensureSink = async () => {
    if (sinkTransport) return;
    sink = await startSink();
    const url = new URL(options.target.url);
    const local = `http://127.0.0.1:${sink.address().port}${url.pathname}${url.search}`;
    sinkTransport = createProductTransport({ ...options, target: { ...options.target, url: local } });
  };
  return {
    payloads: product.payloads,
    async prepare(connections) {
      await product.prepare(connections);
      if (rounds <= 0) return;
      await ensureSink();
      const signal = new AbortController().signal;
      for (let round = 0; round < rounds; round += 1) {
        await sinkTransport.prepare(connections);
        const lines = [];
        for (let index = 0; index < connections; index += 1) {
          lines.push(sinkTransport.send({ seq: seq++, phase: 'jit-warm-up', target: 'sink', plannedMs: 0 }, signal));
        }
        await Promise.all(lines);
      }
    },
    send: (request, signal) => product.send(request, signal),
    async close() {
      await product.close();
      if (sinkTransport) await sinkTransport.close();
      sink?.close();
    },
  };
}
