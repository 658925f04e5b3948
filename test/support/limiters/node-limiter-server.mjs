// A rate-limited HTTP server for the probe's integration tests, run as its own
// process (so the probe's CPU-bound fitting never stalls the limiter's event loop).
// Usage: node node-limiter-server.mjs PORT JSON_SETTINGS
//   {"kind":"express-rate-limit","limit":10,"windowMs":5000,"standardHeaders":"draft-7"}
//   {"kind":"rate-limiter-flexible","points":8,"duration":2,"blockDuration":0}
//   {"kind":"fastify-rate-limit","max":10,"timeWindow":4000,"continueExceeding":false}
import http from 'node:http';

const port = Number(process.argv[2]);
const settings = JSON.parse(process.argv[3]);
const answer = JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'ok' } }], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } });

if (settings.kind === 'express-rate-limit') {
  const { default: express } = await import('express');
  const { rateLimit } = await import('express-rate-limit');
  const app = express();
  app.use(
    rateLimit({
      windowMs: settings.windowMs,
      limit: settings.limit,
      standardHeaders: settings.standardHeaders,
      legacyHeaders: false,
      validate: false,
    }),
  );
  app.use((_request, response) => response.type('application/json').send(answer));
  app.listen(port, '127.0.0.1');
} else if (settings.kind === 'rate-limiter-flexible') {
  const { RateLimiterMemory } = await import('rate-limiter-flexible');
  const limiter = new RateLimiterMemory({ points: settings.points, duration: settings.duration, blockDuration: settings.blockDuration ?? 0 });
  const server = http.createServer((request, response) => {
    request.resume();
    limiter.consume(request.socket.remoteAddress ?? 'client').then(
      () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(answer);
      },
      (rejection) => {
        const seconds = Math.ceil((rejection?.msBeforeNext ?? 1000) / 1000);
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(seconds) });
        response.end(JSON.stringify({ error: { code: 'rate_limited', message: 'Too Many Requests' } }));
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1');
} else if (settings.kind === 'fastify-rate-limit') {
  const { default: Fastify } = await import('fastify');
  const { default: rateLimit } = await import('@fastify/rate-limit');
  const app = Fastify({ keepAliveTimeout: 60_000 });
  await app.register(rateLimit, { global: true, max: settings.max, timeWindow: settings.timeWindow, continueExceeding: settings.continueExceeding === true });
  app.post('/v1/chat/completions', async (_request, reply) => reply.type('application/json').send(answer));
  await app.listen({ port, host: '127.0.0.1' });
} else {
  console.error(`unknown kind ${settings.kind}`);
  process.exit(2);
}
process.on('SIGTERM', () => process.exit(0));
