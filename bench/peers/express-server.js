/**
 * Peer server for the simulator's throughput: express 5 answering the same path with a
 * static chat-completion JSON and the two remaining-* headers, no limiter. Prints
 * "listening PORT" when ready; stops on SIGTERM.
 */
import express from 'express';

const body = {
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1732350000,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 14, completion_tokens: 1, total_tokens: 15 },
};

const app = express();
app.use(express.json());
app.post('/openai/deployments/:deployment/chat/completions', (request, response) => {
  response.set('x-ratelimit-remaining-requests', '49');
  response.set('x-ratelimit-remaining-tokens', '49352');
  response.json(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
server.keepAliveTimeout = 600_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
