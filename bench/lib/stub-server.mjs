// The stub provider: a separate node process on 127.0.0.1 (ephemeral port) that answers every
// refund request with its provider's canned, correctly signed answer (canned.mjs) once the
// request body has arrived. It reads only the identifiers the answer echoes (the facade refuses
// an answer about another refund), and checks nothing, so that it costs both sides of the facade
// benchmark the same. Keep-alive as Node's default. Prints one JSON line `{"port": n}` when
// listening; SIGTERM closes it.
import { createServer } from 'node:http';
import { cannedAnswers } from './canned.mjs';
import { REFUND_PATHS } from './fixtures.mjs';

const answers = cannedAnswers();
const byPath = new Map(Object.entries(REFUND_PATHS).map(([provider, path]) => [path, answers[provider]]));
const notFound = Buffer.from('{"stubError":"no such path"}');

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const answer = req.method === 'POST' ? byPath.get(req.url) : undefined;
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (answer) {
      const body = answer.answer(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': answer.contentType, 'content-length': String(body.length) });
      res.end(body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': String(notFound.length) });
      res.end(notFound);
    }
  });
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
