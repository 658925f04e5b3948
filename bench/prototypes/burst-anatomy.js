/**
 * Prototype: the anatomy of an aoai-probe burst on the client side. Runs the product's
 * runner + transport (or a prototype transport) on a burst plan and timestamps, through
 * undici's diagnostics channels, when each request was created (inside the runner's
 * synchronous loop), when its socket was handed over (`connected`), and when its headers
 * were written to the socket (`sendHeaders`). Prints per burst: create span, the wait
 * from the last create to the first write, the write span, and how many sockets were
 * connected at the instant (fresh warm sockets) rather than reused.
 *
 *   node bench/prototypes/burst-anatomy.js '{"repoRoot":"…","url":"…","size":100,"bursts":4,"gapMs":500}'
 */
import diagnostics from 'node:diagnostics_channel';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readOptions, report } from '../peers/args.js';

const options = readOptions();
const load = (relative) => import(pathToFileURL(path.join(options.repoRoot, relative)).href);
const { planScenario } = await load('dist/schedule/plan.js');
const { runPlan } = await load('dist/run/runner.js');
const { createRealClock } = await load('dist/run/real-clock.js');
const transportModule = await load(options.transport ?? 'dist/run/transport.js');

// Only events of the target's origin count (a prototype may talk to a local sink too).
const targetOrigin = new URL(options.url).origin;
const originOf = (message) =>
  message.connectParams ? `${message.connectParams.protocol}//${message.connectParams.host}` : String(message.request?.origin ?? '');
const events = [];
const mark = (kind) => (message) => {
  if (originOf(message).startsWith(targetOrigin)) events.push({ kind, t: performance.now() });
};
diagnostics.subscribe('undici:request:create', mark('create'));
diagnostics.subscribe('undici:client:connected', mark('connected'));
diagnostics.subscribe('undici:client:sendHeaders', mark('write'));

const clock = createRealClock();
const plan = planScenario([{ kind: 'burst', name: 'burst', size: options.size, bursts: options.bursts, gapMs: options.gapMs }]);
const transport = transportModule.createTransport({
  target: { id: 'default', kind: 'http', url: options.url, deployment: null, auth: {} },
  payload: { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false },
  clock,
  timeoutMs: 60_000,
  connections: options.size * 2,
});
let lines = 0;
await runPlan(plan, { clock, transport, sink: { write: () => { lines += 1; } }, maxInFlight: options.size * 2, graceMs: 10_000 });
await transport.close();

// Split events into bursts: a new burst starts with a create more than gapMs/2 after the previous event.
const bursts = [];
let current = null;
let last = -Infinity;
for (const event of events) {
  if (event.kind === 'create' && event.t - last > options.gapMs / 2) {
    current = { create: [], connected: [], write: [] };
    bursts.push(current);
  }
  current?.[event.kind].push(event.t);
  last = event.t;
}
const span = (list) => (list.length ? Math.max(...list) - Math.min(...list) : null);
report({
  lines,
  bursts: bursts.map((burst) => ({
    creates: burst.create.length,
    createSpanMs: span(burst.create),
    lastCreateToFirstWriteMs: burst.write.length ? Math.min(...burst.write) - Math.max(...burst.create) : null,
    writeSpanMs: span(burst.write),
    firstCreateToLastWriteMs: burst.write.length ? Math.max(...burst.write) - Math.min(...burst.create) : null,
    connectedAtInstant: burst.connected.length,
  })),
});
