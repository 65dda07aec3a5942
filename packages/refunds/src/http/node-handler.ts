import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorToHttp } from './error-to-http.js';
import type { FetchHandler } from './notification-handler.js';

/**
 * After an early answer (413 before the body was read), the rest of the body is read and thrown
 * away, at most this much and this long, before the connection is closed. Closing a socket with
 * unread bytes in it makes the kernel send a reset, which can destroy the answer before the
 * sender reads it; draining first lets the 413 arrive. A sender that goes on past the limit is
 * cut off.
 */
const DRAIN_MAX_BYTES = 1024 * 1024;
const DRAIN_MAX_MS = 1_000;

/** A `node:http` request listener. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Adapts a Fetch-API handler (such as {@link createNotificationHandler}'s) to `node:http`: a
 * `(req, res)` listener for `http.createServer`, Express (`app.post(path, listener)`) or Fastify
 * (`reply.hijack()`, then `listener(request.raw, reply.raw)`). The request's body is handed over
 * as a stream, unread, so the handler reads the bytes exactly as sent and bounds them; the
 * answer is written back with its status, headers and a `Content-Length`. Express's
 * `originalUrl` is used when present, so paths are the full ones the client asked for.
 *
 * Mount it where no body parser has consumed the body (before `express.json()`, or in Fastify
 * with a content-type parser that leaves the stream alone). After `express.raw()` it takes the
 * bytes left in `req.body`; a body read by a parser that kept no bytes is answered 500
 * `body_consumed` (the provider delivers again once the mount is fixed).
 *
 * @example
 * import { createServer } from 'node:http';
 * createServer(toNodeHandler(createNotificationHandler(refunds))).listen(8080, '127.0.0.1');
 */
export function toNodeHandler(handler: FetchHandler): NodeRequestListener {
  // node:stream is loaded when an adapter is made, not when @refundkit/refunds is imported (cold start).
  const { Readable } = process.getBuiltinModule('node:stream');
  return function nodeListener(req, res) {
    const body = bodyOf(req, Readable);
    void (async () => {
      let response: Response;
      try {
        response = req.readableEnded && bytesLeftBy(req) === undefined ? bodyConsumed() : await handler(toRequest(req, body.stream));
      } catch (error) {
        // The handler answers its own errors; this is a bug or an unusable request (a bad header).
        const answer = errorToHttp(error);
        response = new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
      }
      await write(res, response);
      if (!req.complete) await body.drain();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
}

/**
 * The bytes a body parser that ran first left in `req.body` (`express.raw()`), when it read the
 * stream; a parser that kept no bytes (`express.json()`) leaves nothing a signature can be checked on.
 */
function bytesLeftBy(req: IncomingMessage): Uint8Array | undefined {
  const parsed = (req as { body?: unknown }).body;
  return parsed instanceof Uint8Array ? parsed : undefined;
}

/** The body was read before the handler: a mounting mistake the merchant must fix; 500, so the provider delivers again meanwhile. */
function bodyConsumed(): Response {
  return new Response(
    JSON.stringify({ error: { code: 'body_consumed', message: 'the request body was read before the notification handler: mount it before any body parser', sent: false } }),
    { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' } },
  );
}

interface Body {
  /** The body as the handler reads it. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Reads and discards what the handler left unread, within the drain bounds; then closes the connection if the sender goes on. */
  drain(): Promise<void>;
}

/**
 * The request's body as a web stream pulled from `req` as the handler reads it, over
 * `Readable.toWeb(req)`. Not that stream itself: cancelling it destroys `req` and with it the
 * socket, so an early answer (413) would be lost. Here a cancel leaves `req` as it is, for
 * {@link Body.drain}.
 */
function bodyOf(req: IncomingMessage, Readable: typeof import('node:stream').Readable): Body {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const source = (): ReadableStreamDefaultReader<Uint8Array> => (reader ??= streamOf(req, Readable).getReader());
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await source().read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    async drain() {
      let drained = 0;
      let timer: NodeJS.Timeout | undefined;
      const cutOff = new Promise<'cut'>((resolve) => {
        timer = setTimeout(() => resolve('cut'), DRAIN_MAX_MS);
        timer.unref();
      });
      const read = (async () => {
        for (;;) {
          const { done, value } = await source().read();
          if (done) return 'done' as const;
          drained += value.byteLength;
          if (drained > DRAIN_MAX_BYTES) return 'cut' as const;
        }
      })().catch(() => 'cut' as const);
      const how = await Promise.race([read, cutOff]);
      clearTimeout(timer);
      if (how === 'cut') req.socket.destroy();
    },
  };
}

/** `req`'s body: the stream itself, or the bytes `express.raw()` already read from it. */
function streamOf(req: IncomingMessage, Readable: typeof import('node:stream').Readable): ReadableStream<Uint8Array> {
  const bytes = req.readableEnded ? bytesLeftBy(req) : undefined;
  if (bytes === undefined) return Readable.toWeb(req) as ReadableStream<Uint8Array>;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** A web `Request` for `req`: its full URL, its headers as received, its body as `stream`. */
function toRequest(req: IncomingMessage, stream: ReadableStream<Uint8Array>): Request {
  const target = (req as { originalUrl?: unknown }).originalUrl;
  const path = typeof target === 'string' ? target : (req.url ?? '/');
  const host = req.headers.host !== undefined && /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host) ? req.headers.host : 'localhost';
  const scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  // Concatenated, not resolved against a base: a path like `//other.example/x` stays a path.
  const url = `${scheme}://${host}${path.startsWith('/') ? path : `/${path}`}`;
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1]!);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, { method, headers, ...(hasBody ? { body: stream, duplex: 'half' } : {}) } as RequestInit);
}

/** Writes `response` to `res`: status, headers (each `Set-Cookie` apart), body with its length. */
async function write(res: ServerResponse, response: Response): Promise<void> {
  // The handler's answers are a few hundred bytes: read whole, sent with a Content-Length.
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  headers['content-length'] = String(body.byteLength);
  await new Promise<void>((resolve) => {
    res.writeHead(response.status, headers);
    res.end(body, () => resolve());
    res.once('close', () => resolve());
  });
}
