/**
 * Small node:http helpers: read a request body whole (bounded), write an answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './providers/adapter.js';

/** Request bodies larger than this are refused with 413: refund messages are a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(`request body exceeds ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
  res.end(reply.body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8'),
  });
}

/** An HTML error page like the ones a web server or gateway in front of a provider sends. */
export function htmlError(status: 500 | 502): Reply {
  const title = status === 500 ? '500 Internal Server Error' : '502 Bad Gateway';
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: Buffer.from(`<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`, 'utf8'),
  };
}
