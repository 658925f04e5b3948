/**
 * Peer server for the simulator's throughput: bare node:http answering every POST with a
 * static chat-completion JSON and two remaining-* headers after reading the body, no
 * limiter, no framework — the most a Node server does per core here. Prints
 * "listening PORT" when ready; stops on SIGTERM.
 */
import http from 'node:http';

const body = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1732350000,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 14, completion_tokens: 1, total_tokens: 15 },
}));

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': body.length,
      'x-ratelimit-remaining-requests': '49',
      'x-ratelimit-remaining-tokens': '49352',
    });
    response.end(body);
  });
});
server.keepAliveTimeout = 600_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
