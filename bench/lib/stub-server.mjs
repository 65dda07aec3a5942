// The stub provider: a separate node process on 127.0.0.1 (ephemeral port) that answers every
// refund request with its provider's canned, correctly signed answer (canned.mjs) as soon as
// the request body has arrived. It reads nothing: no parsing, no checks, so that it costs both
// sides of the facade benchmark the same and as little as possible. Keep-alive as Node's
// default. Prints one JSON line `{"port": n}` when listening; SIGTERM closes it.
import { createServer } from 'node:http';
import { cannedAnswers } from './canned.mjs';
import { REFUND_PATHS } from './fixtures.mjs';

const answers = cannedAnswers();
const byPath = new Map(
  Object.entries(REFUND_PATHS).map(([provider, path]) => {
    const { contentType, body } = answers[provider];
    return [path, { headers: { 'content-type': contentType, 'content-length': String(body.length) }, body }];
  }),
);
const notFound = Buffer.from('{"stubError":"no such path"}');

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const answer = req.method === 'POST' ? byPath.get(req.url) : undefined;
  req.on('end', () => {
    if (answer) {
      res.writeHead(200, answer.headers);
      res.end(answer.body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': String(notFound.length) });
      res.end(notFound);
    }
  });
  req.resume();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
