/**
 * Prototype: where an undici burst loses time. Fires warm bursts of `size` with several
 * client-side variants, each tagged, so a capture shows each variant's wire spread:
 *   request      Pool.request + body.text()            (the plain peer)
 *   dispatch     Pool.dispatch with a raw handler, headers pre-flattened, body a Buffer
 *   clients      one undici Client per connection, dispatch as above
 *   clients-ids  as clients, with a fresh x-ms-client-request-id per request (randomUUID)
 * The synchronous dispatch-loop time of each burst is printed too.
 *
 *   node bench/prototypes/burst-variants.js '{"port":…,"size":100,"trials":3}'
 */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'undici';
import { readOptions, report, sleep } from '../peers/args.js';

const { port, path, body, headers, size, trials, variants = ['request', 'dispatch', 'clients', 'clients-ids'] } = readOptions();
const origin = `http://127.0.0.1:${port}`;
const bodyBuffer = Buffer.from(body);
const flatHeaders = Object.entries(headers).flat();

/** A handler that resolves when the answer is complete; keeps only status and length. */
function handlerFor(resolve) {
  let status = 0;
  let bytes = 0;
  return {
    onConnect() {},
    onHeaders(statusCode) { status = statusCode; return true; },
    onData(chunk) { bytes += chunk.length; return true; },
    onComplete() { resolve({ status, bytes }); },
    onError(error) { resolve({ status: 0, error: error.message }); },
  };
}

function dispatchOn(dispatcher, tag, ids) {
  return new Promise((resolve) => {
    const requestHeaders = ids ? [...flatHeaders, 'x-ms-client-request-id', randomUUID()] : flatHeaders;
    dispatcher.dispatch({ path: `${path}?tag=${tag}`, method: 'POST', headers: requestHeaders, body: bodyBuffer }, handlerFor(resolve));
  });
}

const pool = new Pool(origin, { connections: size, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
const clients = Array.from({ length: size }, () => new Client(origin, { keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 }));

const fire = {
  request: (tag) => Array.from({ length: size }, () => pool.request({ path: `${path}?tag=${tag}`, method: 'POST', body, headers }).then((response) => response.body.text())),
  dispatch: (tag) => Array.from({ length: size }, () => dispatchOn(pool, tag, false)),
  clients: (tag) => clients.map((client) => dispatchOn(client, tag, false)),
  'clients-ids': (tag) => clients.map((client) => dispatchOn(client, tag, true)),
};

const results = {};
for (const variant of variants) {
  await Promise.all(fire[variant](`${variant}-warm`));
  await Promise.all(fire[variant](`${variant}-warm2`));
  results[variant] = [];
  for (let trial = 1; trial <= trials; trial += 1) {
    await sleep(300);
    const started = performance.now();
    const pending = fire[variant](`${variant}-${trial}`);
    const loopMs = performance.now() - started;
    await Promise.all(pending);
    results[variant].push({ tag: `${variant}-${trial}`, loopMs, doneMs: performance.now() - started });
  }
}
await pool.close();
await Promise.all(clients.map((client) => client.close()));
report({ results });
