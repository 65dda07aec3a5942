import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, fetchWithDeadline, HttpStatusError, TimeoutError } from '../src/index.js';

let server: Server;
let base: string;
const pending = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') res.end('{"code":"SUCCESS"}');
    else if (req.url === '/gbk') res.end(Buffer.from([0xcd, 0xcb, 0xbf, 0xee])); // 退款 in GBK
    else if (req.url === '/500') {
      res.statusCode = 500;
      res.end('internal');
    } else if (req.url === '/slow-headers') pending.add(setTimeout(() => res.end('late'), 2_000));
    else if (req.url === '/slow-body') {
      res.write('{"partial":');
      pending.add(setTimeout(() => res.end('1}'), 2_000));
    } else if (req.url === '/reset') req.socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of pending) clearTimeout(t);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, timeoutMs = 10_000) => fetchWithDeadline({ timeoutMs })(new Request(`${base}${path}`));

describe('fetchWithDeadline', () => {
  it('returns a buffered response whose raw bytes survive (no text decoding)', async () => {
    const response = await get('/gbk');
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0xcd, 0xcb, 0xbf, 0xee]);
  });

  it('throws HttpStatusError with the body for a non-2xx answer', async () => {
    const error = await get('/500').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 500, rawBody: 'internal', mayHaveReachedProvider: true });
  });

  it('times out while waiting for headers', async () => {
    const error = await get('/slow-headers', 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 300, mayHaveReachedProvider: true });
  });

  it('times out while the body is still arriving', async () => {
    expect(await get('/slow-body', 300).catch((e: unknown) => e)).toBeInstanceOf(TimeoutError);
  });

  it('a reset connection may have reached the provider', async () => {
    const error = await get('/reset').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ mayHaveReachedProvider: true });
  });

  it('a refused connection did not', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await fetchWithDeadline({ timeoutMs: 1_000 })(new Request(`http://127.0.0.1:${port}/`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ mayHaveReachedProvider: false });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('uses an injected fetch and passes the request through', async () => {
    const seen: string[] = [];
    const send = fetchWithDeadline({ fetch: async (r) => (seen.push(`${r.method} ${r.url} ${await r.text()}`), new Response('ok')) });
    await send(new Request('http://127.0.0.1:9/x', { method: 'POST', body: 'a=1' }));
    expect(seen).toEqual(['POST http://127.0.0.1:9/x a=1']);
  });

  it('times out even when the fetch ignores the abort signal', async () => {
    const deaf = fetchWithDeadline({ timeoutMs: 100, fetch: () => new Promise<Response>(() => undefined) });
    const error = await deaf(new Request('http://127.0.0.1:9/')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('keeps a non-2xx body\'s bytes and decodes it with the given charset', async () => {
    const gbk = Uint8Array.from([0xb7, 0xfe, 0xce, 0xf1, 0xc6, 0xf7, 0xc3, 0xa6]); // 服务器忙
    const send = fetchWithDeadline({ fetch: async () => new Response(gbk, { status: 502 }), decodeBody: (b) => new TextDecoder('gbk').decode(b) });
    const error = (await send(new Request('http://127.0.0.1:9/')).catch((e: unknown) => e)) as HttpStatusError;
    expect(error.rawBody).toBe('服务器忙');
    expect([...error.rawBytes]).toEqual([...gbk]);
  });

  it('refuses a non-positive timeout', () => {
    expect(() => fetchWithDeadline({ timeoutMs: 0 })).toThrow(RangeError);
  });
});
